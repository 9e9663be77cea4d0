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
	s := sheet{name: "测试", header: []string{"编号", "文本", "日期", "数"}, widths: map[int]float64{2: 40},
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
	f := openWorkbook(t, must(workbook([]sheet{s, {name: "空", header: []string{"无"}}})))

	if got := f.GetSheetList(); len(got) != 2 || got[0] != "测试" || got[1] != "空" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("测试")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(texts)+1 || strings.Join(rows[0], "|") != "编号|文本|日期|数" {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	want := []string{"A & B <C> \"D\"", " 前后空格 ", "控制\uFFFD字符\x7f", "换行\n与\r回车", "坏\uFFFDUTF-8", "非字符\uFFFD", "", strings.Repeat("长", maxCellChars), "𠀀" + strings.Repeat("a", maxCellChars-2)}
	for i, w := range want {
		if got := cellAt(rows, i+1, 1); got != w {
			t.Errorf("row %d: text %.40q…, want %.40q…", i+2, got, w)
		}
		if got := cellAt(rows, i+1, 0); got != strconv.Itoa(i+1) {
			t.Errorf("row %d: number %q", i+2, got)
		}
	}
	if got := cellAt(rows, 2, 0) + " " + cellAt(rows, 2, 3); got != "2 -1" {
		t.Errorf("numbers: %q", got)
	}
	// A date is a number shown as yyyy-mm-dd; the zero date is no cell.
	if got, _ := f.GetCellValue("测试", "C3"); got != "2026-03-01" {
		t.Errorf("date shown as %q", got)
	}
	if got, _ := f.GetCellValue("测试", "C3", excelize.Options{RawCellValue: true}); got != "46082" {
		t.Errorf("date stored as %q, want the serial 46082", got)
	}
	if typ, _ := f.GetCellType("测试", "B2"); typ != excelize.CellTypeInlineString {
		t.Errorf("text cell of type %v", typ)
	}
	if got, _ := f.GetCellValue("测试", "C2"); got != "" {
		t.Errorf("zero date written as %q", got)
	}
	if w, _ := f.GetColWidth("测试", "B"); w != 40 {
		t.Errorf("column B %v wide", w)
	}
	if d, _ := f.GetSheetDimension("测试"); d != "A1:D10" {
		t.Errorf("dimension %q", d)
	}
	if rows, _ := f.GetRows("空"); len(rows) != 1 || rows[0][0] != "无" {
		t.Errorf("an empty sheet reads %q", rows)
	}
}

func TestDigestWorkbookRows(t *testing.T) {
	d := &tracker.Digest{Day: calendar.DateOf(2026, 11, 23)}
	for i := range 150 {
		e := &tracker.Event{ID: uint64(i + 1), Matter: 3, MatterName: "社会保险参保登记 › 个人参保登记", Summary: "摘要", Kind: tracker.Formed,
			Date: calendar.DateOf(2026, 10, 9), Deadline: calendar.DateOf(2026, 11, 6), Provisional: i == 0,
			Channels: []tracker.Channel{tracker.Web, tracker.Center}}
		d.Items = append(d.Items, tracker.DigestItem{Event: e, Left: 11, Overdue: true})
	}
	f := openWorkbook(t, must(digestWorkbook(d)))
	rows, err := f.GetRows("提醒")
	if err != nil {
		t.Fatal(err)
	}
	want := "1|3|社会保险参保登记 › 个人参保登记|摘要|形成|2026-10-09|2026-11-06|是|逾期|11|政府网站、政务服务中心"
	if len(rows) != 151 || strings.Join(rows[1], "|") != want {
		t.Fatalf("%d rows; first %q, want %q", len(rows), strings.Join(rows[1], "|"), want)
	}
	if got := strings.Join(rows[150], "|"); !strings.HasPrefix(got, "150|3|") || strings.Contains(got, "是") {
		t.Errorf("last row %q", got)
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
	s := sheet{name: "提醒", header: []string{"编号"}, n: 7, row: func(i int, w *rowWriter) { w.Int(int64(i + 1)) }}
	f := openWorkbook(t, must(workbook([]sheet{s})))
	want := map[string]string{"提醒": "编号 1 2 3", "提醒（2）": "编号 4 5 6", "提醒（3）": "编号 7"}
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
		return sheet{name: name, header: []string{"x"}, n: 1, row: func(_ int, w *rowWriter) { w.Int(1) }}
	}
	if _, err := workbook([]sheet{one("Sheet"), one("sheet")}); err == nil {
		t.Error("sheets named Sheet and sheet made one workbook")
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
	s := sheet{name: "t", header: []string{"x"}, n: 1, row: func(_ int, w *rowWriter) { w.Text(spaced) }}
	f := openWorkbook(t, must(workbook([]sheet{s})))
	if got, _ := f.GetCellValue("t", "A2"); got != spaced[:maxCellChars] {
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
	for cell, want := range map[string]string{"C2": "@SUM(A1)", "D2": summary, "G2": "-3"} {
		if got, _ := f.GetCellValue("已逾期", cell); got != want {
			t.Errorf("%s reads %q, want %q", cell, got, want)
		}
		if fm, _ := f.GetCellFormula("已逾期", cell); fm != "" {
			t.Errorf("%s holds the formula %q", cell, fm)
		}
	}
	if typ, _ := f.GetCellType("已逾期", "D2"); typ != excelize.CellTypeInlineString {
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

// Every sheet reads and prints as people expect: a bold, filled, frozen
// header with an autofilter over the rows; landscape, one page wide, the
// header repeated on every page.
func TestWorkbookPrintable(t *testing.T) {
	ev := sampleEvents()
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Overdue: []tracker.ReportItem{{Event: ev[0], Days: 14}}, DueSoon: []tracker.ReportItem{{Event: ev[2], Days: 3}},
		Rates: []tracker.Rate{{Level1: "养老保险服务", OnTime: 2, Total: 2}}}
	f := openWorkbook(t, must(WeeklyWorkbook(r)))
	for _, name := range f.GetSheetList() {
		panes, err := f.GetPanes(name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: panes %+v %v, want the header frozen", name, panes, err)
		}
		id, _ := f.GetCellStyle(name, "A1")
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
			t.Errorf("%s: the header's style %+v %v, want bold and filled", name, st, err)
		}
		layout, err := f.GetPageLayout(name)
		if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.Size == nil || *layout.Size != 9 {
			t.Errorf("%s: page layout %+v %v", name, layout, err)
		}
	}
	titles, filters := 0, 0
	for _, d := range f.GetDefinedName() {
		switch d.Name {
		case "_xlnm.Print_Titles":
			titles++
		case "_xlnm._FilterDatabase":
			filters++
		}
	}
	if n := len(f.GetSheetList()); titles != n || filters != n {
		t.Errorf("%d sheets, %d with print titles, %d with an autofilter", n, titles, filters)
	}
}

// A rate is a number shown in percent, so that it sorts and charts;
// nothing to rate is an empty cell.
func TestWorkbookRates(t *testing.T) {
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Rates: []tracker.Rate{{Level1: "养老保险服务", OnTime: 1, Total: 2}, {Level1: "工伤保险服务"}}, Overall: tracker.Rate{OnTime: 1, Total: 2}}
	f := openWorkbook(t, must(WeeklyWorkbook(r)))
	raw, _ := f.GetCellValue("按时公开率", "D2", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("按时公开率", "D2")
	if typ, _ := f.GetCellType("按时公开率", "D2"); raw != "0.5" || shown != "50.0%" || typ == excelize.CellTypeInlineString {
		t.Errorf("a rate of 1 in 2: %q shown as %q", raw, shown)
	}
	if v, _ := f.GetCellValue("按时公开率", "D3"); v != "" {
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
