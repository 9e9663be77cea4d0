package notify

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// openWorkbook reads a workbook back as a spreadsheet program would, after
// checking that each of its parts is well-formed XML.
func openWorkbook(t *testing.T, x []byte) *excelize.File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(x), int64(len(x)))
	if err != nil {
		t.Fatalf("not a zip file: %v", err)
	}
	for _, part := range zr.File {
		rc, err := part.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(rc)
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", part.Name, err)
			}
		}
		rc.Close()
	}
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWorkbookCells(t *testing.T) {
	long := strings.Repeat("长", maxCellChars+10)
	texts := []string{"A & B <C> \"D\"", " 前后空格 ", "控制\x01字符\x7f", "换行\n与\r回车", "坏\xffUTF-8", "非字符\uFFFE", "", long, "𠀀" + strings.Repeat("a", maxCellChars)}
	s := sheet{name: "测试", title: "测试标题", cols: []column{{"编号", 0, false}, {"文本", 40, false}, {"日期", 0, false}, {"数", 0, false}},
		n: len(texts), row: func(i int, w *rowWriter) {
			w.Uint(uint64(i + 1))
			w.Text(texts[i])
			if i == 0 {
				w.Date(calendar.Date{})
			} else {
				w.Date(calendar.DateOf(2026, 3, i))
			}
			w.Int(int64(-i))
		}}
	f := openWorkbook(t, must(workbook(docInfo{}, []sheet{s, {name: "空", title: "空表", cols: []column{{"无", 0, false}}}})))

	if got := f.GetSheetList(); len(got) != 2 || got[0] != "测试" || got[1] != "空" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("测试")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(texts)+2 || rows[0][0] != "测试标题" || strings.Join(rows[1], "|") != "编号|文本|日期|数" {
		t.Fatalf("%d rows, title %q, header %q", len(rows), rows[0], rows[1])
	}
	want := []string{"A & B <C> \"D\"", " 前后空格 ", "控制\uFFFD字符\x7f", "换行\n与\r回车", "坏\uFFFDUTF-8", "非字符\uFFFD", "", strings.Repeat("长", maxCellChars), "𠀀" + strings.Repeat("a", maxCellChars-2)}
	for i, w := range want {
		if got := cellAt(rows, i+2, 1); got != w {
			t.Errorf("row %d: text %.40q…, want %.40q…", i+3, got, w)
		}
		if got := cellAt(rows, i+2, 0); got != strconv.Itoa(i+1) {
			t.Errorf("row %d: number %q", i+3, got)
		}
	}
	if got := cellAt(rows, 3, 0) + " " + cellAt(rows, 3, 3); got != "2 -1" {
		t.Errorf("numbers: %q", got)
	}
	// A date is a number shown as yyyy-mm-dd; the zero date is no cell.
	if got, _ := f.GetCellValue("测试", "C4"); got != "2026-03-01" {
		t.Errorf("date shown as %q", got)
	}
	if got, _ := f.GetCellValue("测试", "C4", excelize.Options{RawCellValue: true}); got != "46082" {
		t.Errorf("date stored as %q, want the serial 46082", got)
	}
	if typ, _ := f.GetCellType("测试", "B3"); typ != excelize.CellTypeInlineString {
		t.Errorf("text cell of type %v", typ)
	}
	if got, _ := f.GetCellValue("测试", "C3"); got != "" {
		t.Errorf("zero date written as %q", got)
	}
	if w, _ := f.GetColWidth("测试", "B"); w != 40 {
		t.Errorf("column B %v wide", w)
	}
	// A column is at least as wide as its heading on two lines, two a
	// Chinese character.
	if w, _ := f.GetColWidth("测试", "A"); w != 5 {
		t.Errorf("column A (编号) %v wide, want 5", w)
	}
	if d, _ := f.GetSheetDimension("测试"); d != "A1:D11" {
		t.Errorf("dimension %q", d)
	}
	if rows, _ := f.GetRows("空"); len(rows) != 2 || rows[1][0] != "无" {
		t.Errorf("an empty sheet reads %q", rows)
	}
}

func TestDigestWorkbookRows(t *testing.T) {
	d := &tracker.Digest{Day: calendar.DateOf(2026, 11, 23)}
	for i := range 150 {
		e := &tracker.Event{ID: uint64(i + 1), Matter: 3, MatterName: "社会保险参保登记 › 个人参保登记", Summary: "摘要", Kind: tracker.Formed,
			Date: calendar.DateOf(2026, 10, 9), Deadline: calendar.DateOf(2026, 11, 6), Provisional: i == 0,
			Channels: []tracker.Channel{tracker.Web, tracker.Center}}
		d.Items = append(d.Items, tracker.DigestItem{Event: e, Left: 11, Overdue: i < 149, Sections: []string{"社保股"}})
	}
	f := openWorkbook(t, must(digestWorkbook(d)))
	rows, err := f.GetRows("提醒")
	if err != nil {
		t.Fatal(err)
	}
	want := "社会保险参保登记 › 个人参保登记|摘要||2026-11-06|是||11|政府网站、政务服务中心|形成|2026-10-09|社保股|3|1"
	if len(rows) != 152 || strings.Join(rows[2], "|") != want {
		t.Fatalf("%d rows; first %q, want %q", len(rows), strings.Join(rows[2], "|"), want)
	}
	// The last is not overdue: its working days are those left.
	if got := strings.Join(rows[151], "|"); !strings.HasSuffix(got, "|3|150") || strings.Contains(got, "是") || !strings.Contains(got, "|11||") {
		t.Errorf("last row %q", got)
	}
	// Overdue rows are filled, empty cells too; the others are not.
	for cell, filled := range map[string]bool{"A3": true, "F3": true, "A152": false} {
		id, _ := f.GetCellStyle("提醒", cell)
		st, _ := f.GetStyle(id)
		if got := st != nil && len(st.Fill.Color) > 0 && st.Fill.Color[0] == highlight; got != filled {
			t.Errorf("%s filled: %v, want %v", cell, got, filled)
		}
	}
}

func cellAt(rows [][]string, r, c int) string {
	if r < len(rows) && c < len(rows[r]) {
		return rows[r][c]
	}
	return ""
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A sheet of more rows than a sheet holds goes on: every row is kept, each
// part with its header.
func TestWorkbookSplitsLongSheets(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 3
	s := sheet{name: "提醒", title: "标题", cols: []column{{"编号", 0, false}}, n: 7, row: func(i int, w *rowWriter) { w.Int(int64(i + 1)) }}
	f := openWorkbook(t, must(workbook(docInfo{}, []sheet{s})))
	want := map[string]string{"提醒": "标题 编号 1 2 3", "提醒（2）": "标题 编号 4 5 6", "提醒（3）": "标题 编号 7"}
	if got := f.GetSheetList(); len(got) != len(want) {
		t.Fatalf("sheets %q", got)
	}
	for name, w := range want {
		rows, err := f.GetRows(name)
		var cells []string
		for _, r := range rows {
			cells = append(cells, r...)
		}
		if err != nil || strings.Join(cells, " ") != w {
			t.Errorf("%s: %q (%v), want %q", name, cells, err, w)
		}
	}
}

// Two sheets excelize would make one are refused, not merged.
func TestWorkbookSheetNamesClash(t *testing.T) {
	one := func(name string) sheet {
		return sheet{name: name, cols: []column{{"x", 0, false}}, n: 1, row: func(_ int, w *rowWriter) { w.Int(1) }}
	}
	if _, err := workbook(docInfo{}, []sheet{one("Sheet"), one("sheet")}); err == nil {
		t.Error("sheets named Sheet and sheet made one workbook")
	}
}

// A line of wrapped text holds the column's width less one: a Chinese
// character takes two.
func TestWrapLines(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width float64
		want  int
	}{
		{"", 10, 1}, {"abcdefghi", 10, 1}, {"abcdefghij", 10, 2}, {"政务公开", 10, 1}, {"政务公开提醒", 10, 2},
		{"一\n二", 30, 2}, {strings.Repeat("长", 30), 29, 3},
	} {
		if got := wrapLines(tc.s, tc.width); got != tc.want {
			t.Errorf("wrapLines(%q, %v) = %d, want %d", tc.s, tc.width, got, tc.want)
		}
	}
}

// Text with U+FFFE after a long run of Chinese, and text cut at a cell's
// limit right after a space.
func TestCellTextEdges(t *testing.T) {
	long := strings.Repeat("长", 10000)
	if got := string(appendCellText(nil, long+"\uFFFE尾")); got != long+"\uFFFD尾" {
		t.Errorf("U+FFFE after 10,000 characters: %d bytes", len(got))
	}
	spaced := strings.Repeat("a", maxCellChars-1) + " " + "cut"
	s := sheet{name: "t", cols: []column{{"x", 0, false}}, n: 1, row: func(_ int, w *rowWriter) { w.Text(spaced) }}
	f := openWorkbook(t, must(workbook(docInfo{}, []sheet{s})))
	if got, _ := f.GetCellValue("t", "A3"); got != spaced[:maxCellChars] {
		t.Errorf("cut text ends %q, want the space kept", got[len(got)-3:])
	}
}

// Text in a workbook is never a formula: a summary that reads like one is
// an inline string, and no sheet holds a formula (<f>) at all.
func TestWorkbookTextIsNoFormula(t *testing.T) {
	const summary = `=HYPERLINK("http://x","点我")`
	ev := *sampleEvents()[0]
	ev.Summary, ev.MatterName = summary, "@SUM(A1)"
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Overdue: []tracker.ReportItem{{Event: &ev, Days: -3}}, Rates: []tracker.Rate{{Level1: "+1"}}}
	x := must(WeeklyWorkbook(r))
	f := openWorkbook(t, x)
	for cell, want := range map[string]string{"A3": "@SUM(A1)", "B3": summary, "E3": "-3"} {
		if got, _ := f.GetCellValue("已逾期", cell); got != want {
			t.Errorf("%s reads %q, want %q", cell, got, want)
		}
		if fm, _ := f.GetCellFormula("已逾期", cell); fm != "" {
			t.Errorf("%s holds the formula %q", cell, fm)
		}
	}
	if typ, _ := f.GetCellType("已逾期", "B3"); typ != excelize.CellTypeInlineString {
		t.Errorf("the summary is a cell of type %v, want an inline string", typ)
	}
	zr, err := zip.NewReader(bytes.NewReader(x), int64(len(x)))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range zr.File {
		if !strings.HasPrefix(part.Name, "xl/worksheets/") {
			continue
		}
		rc, err := part.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) {
			t.Errorf("%s holds a formula", part.Name)
		}
	}
}

// Every sheet reads and prints as people expect: a title row naming the
// report, the office and the day; a bold, filled header, frozen with the
// title, with an autofilter over the rows; long text wrapped; overdue rows
// filled; landscape, one A4 page wide, title and header repeated on every
// page; document properties naming the office and the report's day.
func TestWorkbookPrintable(t *testing.T) {
	ev := sampleEvents()
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"), Office: "区人社局",
		Overdue: []tracker.ReportItem{{Event: ev[0], Days: 14}}, DueSoon: []tracker.ReportItem{{Event: ev[2], Days: 3}},
		Rates: []tracker.Rate{{Level1: "养老保险服务", OnTime: 2, Total: 2}}}
	f := openWorkbook(t, must(WeeklyWorkbook(r)))
	if got := f.GetSheetList(); strings.Join(got, " ") != "已逾期 即将到期 上周公开 按时公开率" {
		t.Errorf("sheets %q", got)
	}
	for _, name := range f.GetSheetList() {
		title, _ := f.GetCellValue(name, "A1")
		title = strings.TrimSuffix(title, "：无") // the sheet of last week's disclosures: none
		if !strings.HasPrefix(title, "政务公开周报 · ") || !strings.HasSuffix(title, "（区人社局，截至 2026-12-07（星期一））") {
			t.Errorf("%s: title %q", name, title)
		}
		if id, _ := f.GetCellStyle(name, "A1"); func() bool { st, _ := f.GetStyle(id); return st == nil || st.Font == nil || !st.Font.Bold }() {
			t.Errorf("%s: the title is not bold", name)
		}
		panes, err := f.GetPanes(name)
		if err != nil || !panes.Freeze || panes.YSplit != 2 || panes.TopLeftCell != "A3" {
			t.Errorf("%s: panes %+v %v, want title and header frozen", name, panes, err)
		}
		id, _ := f.GetCellStyle(name, "A2")
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
			t.Errorf("%s: the header's style %+v %v, want bold and filled", name, st, err)
		}
		layout, err := f.GetPageLayout(name)
		if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.Size == nil || *layout.Size != 9 {
			t.Errorf("%s: page layout %+v %v", name, layout, err)
		}
	}
	// The columns, in their fixed order.
	head, _ := f.GetRows("已逾期")
	if got := strings.Join(head[1], "|"); got != "事项|摘要|文号|公开期限|已逾期工作日|待公开渠道|形成或变更日期|事项序号|事件编号" {
		t.Errorf("the overdue sheet's columns: %s", got)
	}
	// Long text wraps; an overdue row is filled.
	id, _ := f.GetCellStyle("已逾期", "A3")
	if st, _ := f.GetStyle(id); st == nil || st.Alignment == nil || !st.Alignment.WrapText || len(st.Fill.Color) == 0 || st.Fill.Color[0] != highlight {
		t.Errorf("the overdue row's matter: style %+v, want wrapped and filled", st)
	}
	// The row is as tall as its wrapped text: the three channels still
	// to disclose take three lines of their column; the header, whose
	// 已逾期工作日 wraps, two.
	if h, err := f.GetRowHeight("已逾期", 3); err != nil || h != 3*lineHeight+2 {
		t.Errorf("the overdue row is %v high (%v), want three lines", h, err)
	}
	if h, err := f.GetRowHeight("已逾期", 2); err != nil || h != 2*lineHeight+2 {
		t.Errorf("the header is %v high (%v), want two lines", h, err)
	}
	id, _ = f.GetCellStyle("即将到期", "A3")
	if st, _ := f.GetStyle(id); st == nil || len(st.Fill.Color) > 0 {
		t.Errorf("a row due soon is filled: %+v", st)
	}
	titles, filters := 0, 0
	for _, d := range f.GetDefinedName() {
		switch d.Name {
		case "_xlnm.Print_Titles":
			titles++
			if !strings.HasSuffix(d.RefersTo, "!$1:$2") {
				t.Errorf("print titles %q, want rows 1 and 2", d.RefersTo)
			}
		case "_xlnm._FilterDatabase":
			filters++
		}
	}
	if n := len(f.GetSheetList()); titles != n || filters != n {
		t.Errorf("%d sheets, %d with print titles, %d with an autofilter", n, titles, filters)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Creator != "区人社局" || props.LastModifiedBy != "区人社局" || !strings.HasPrefix(props.Created, "2026-12-06T16:00:00") ||
		!strings.Contains(props.Title, "政务公开周报") {
		t.Errorf("document properties %+v %v", props, err)
	}
	if app, err := f.GetAppProps(); err != nil || app.Company != "区人社局" || app.Application != "gongkai" {
		t.Errorf("application properties %+v %v", app, err)
	}
}

// A rate is a number shown in percent, so that it sorts and charts;
// nothing to rate is an empty cell.
func TestWorkbookRates(t *testing.T) {
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Rates: []tracker.Rate{{Level1: "养老保险服务", OnTime: 1, Total: 2}, {Level1: "工伤保险服务"}}, Overall: tracker.Rate{OnTime: 1, Total: 2},
		YearRates: []tracker.Rate{{Level1: "养老保险服务", OnTime: 3, Total: 4}}, ThisYear: tracker.Rate{OnTime: 3, Total: 4}}
	f := openWorkbook(t, must(WeeklyWorkbook(r)))
	rows, _ := f.GetRows("按时公开率")
	if len(rows) != 5 || strings.Join(rows[1], "|") != "一级事项|今年到期|今年按时公开|今年按时公开率|上周到期|上周按时公开|上周按时公开率" ||
		rows[2][0] != "养老保险服务" || rows[3][0] != "工伤保险服务" || rows[4][0] != "合计" {
		t.Fatalf("rates: %q", rows)
	}
	raw, _ := f.GetCellValue("按时公开率", "G3", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("按时公开率", "G3")
	if typ, _ := f.GetCellType("按时公开率", "G3"); raw != "0.5" || shown != "50.0%" || typ == excelize.CellTypeInlineString {
		t.Errorf("a rate of 1 in 2: %q shown as %q", raw, shown)
	}
	if v, _ := f.GetCellValue("按时公开率", "D3"); v != "75.0%" {
		t.Errorf("this year's 3 in 4 shown as %q", v)
	}
	if v, _ := f.GetCellValue("按时公开率", "G4"); v != "" {
		t.Errorf("nothing to rate: %q, want an empty cell", v)
	}
}

// A workbook is the same, byte for byte, every time it is made.
func TestWorkbookDeterministic(t *testing.T) {
	ev := sampleEvents()
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Overdue: []tracker.ReportItem{{Event: ev[0], Days: 14}}}
	first := must(WeeklyWorkbook(r))
	for range 20 {
		if !bytes.Equal(must(WeeklyWorkbook(r)), first) {
			t.Fatal("two workbooks of one report differ")
		}
	}
}

// A row of much wrapped text is as tall as a row may be, not taller.
func TestRowHeightCapped(t *testing.T) {
	texts := []string{strings.Repeat("很长的摘要", 100), strings.Repeat("很长的摘要", 20)}
	s := sheet{name: "t", cols: []column{{"摘要", 10, true}}, n: 2, row: func(i int, w *rowWriter) { w.Text(texts[i]) }}
	f := openWorkbook(t, must(workbook(docInfo{}, []sheet{s})))
	if h, err := f.GetRowHeight("t", 3); err != nil || h != maxRowHeight {
		t.Errorf("a 500-character cell 10 wide: row %v high (%v), want %d", h, err, maxRowHeight)
	}
	if h, _ := f.GetRowHeight("t", 4); h >= maxRowHeight || h <= lineHeight {
		t.Errorf("a 100-character cell: row %v high", h)
	}
}
