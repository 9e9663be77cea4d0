package ledger

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// rowsOf reads every sheet of a workbook with the reader here: the rows
// that have a cell with text, by sheet name, each as "line: cells".
func rowsOf(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	w, err := openWorkbook(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, s := range w.sheets {
		rows, err := w.rows(s)
		if err != nil {
			t.Fatal(err)
		}
		for {
			cells, line, err := rows.next()
			if err != nil {
				t.Fatalf("sheet %s: %v", s.name, err)
			}
			if cells == nil && line == 0 {
				break
			}
			if r := rowText(line, cells); r != "" {
				out[s.name] = append(out[s.name], r)
			}
		}
		rows.Close()
	}
	return out
}

// excelizeRowsOf is rowsOf by excelize, raw values as the import read
// them before.
func excelizeRowsOf(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		for line := 1; rows.Next(); line++ {
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if r := rowText(line, cells); r != "" {
				out[name] = append(out[name], r)
			}
		}
		rows.Close()
	}
	return out
}

func rowText(line int, cells []string) string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) == 0 {
		return ""
	}
	return fmt.Sprintf("%d: %q", line, cells)
}

// The workbook reader reads every kind of cell as excelize does: shared
// and inline strings, rich text, numbers, dates, booleans, formulas, text
// with markup characters, line breaks and the _xHHHH_ escape, gaps in
// rows and columns, several sheets; Excel-made and stream-written files.
func TestWorkbookAsExcelizeReadsIt(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "说明")
	set := func(sheet, cell string, v any) {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("说明", "B2", "2026 年台账")
	f.NewSheet("台账")
	for i, h := range Headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 3)
		set("台账", cell, h)
	}
	set("台账", "A4", 71)
	set("台账", "B4", "形成")
	set("台账", "C4", time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC))
	set("台账", "D4", `抚恤金 <标准> & "调整" 'x'`)
	set("台账", "E4", "赣人社字〔2026〕7号")
	set("台账", "F4", "  张三  ")
	set("台账", "A6", "3 失业保险金申领")
	set("台账", "D6", "第一行\n第二行\r\n第三行")
	set("台账", "E6", 3.25)
	set("台账", "F6", true)
	set("台账", "AA6", "远处的列")
	set("台账", "D7", "文字_x000D_转义 与 _x005F_x0041_")
	set("台账", "D8", "😀 表情与 \u2028 分隔")
	if err := f.SetCellFormula("台账", "E8", "=1+1"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellRichText("台账", "D9", []excelize.RichTextRun{{Text: "粗体"}, {Text: "与常规", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	f.NewSheet("流式") // written as the sample ledgers are, inline strings
	sw, err := f.NewStreamWriter("流式")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 300; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, []any{i, fmt.Sprintf("第 %d 行 <&>", i), 2.5 * float64(i), nil, "尾"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, want := rowsOf(t, buf.Bytes()), excelizeRowsOf(t, buf.Bytes())
	for _, sheet := range []string{"说明", "台账", "流式"} {
		if len(want[sheet]) == 0 {
			t.Fatalf("excelize read nothing of %s", sheet)
		}
		if !slices.Equal(got[sheet], want[sheet]) {
			t.Errorf("sheet %s:\n got %s\nwant %s", sheet, strings.Join(got[sheet], "\n     "), strings.Join(want[sheet], "\n     "))
		}
	}
}

// workbookOf writes a minimal workbook by hand: its parts as other
// programs write them (prefixes, comments, CDATA, references, phonetic
// runs), which excelize never does.
func workbookOf(t *testing.T, sheet, shared string) []byte {
	t.Helper()
	return zipOf(t, workbookParts(sheet, shared))
}

func workbookParts(sheet, shared string) map[string]string {
	return map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<x:sheets><x:sheet name="台账" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` + sheet + `</x:sheetData></x:worksheet>`,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + shared + `</x:sst>`,
	}
}

func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range parts {
			if !yield(k) {
				return
			}
		}
	}) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(parts[name]))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWorkbookOtherWriters(t *testing.T) {
	shared := `<x:si><x:t>事项</x:t></x:si><x:si><x:r><x:t>摘</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">要 </x:t></x:r>` +
		`<x:rPh sb="0" eb="1"><x:t>ふりがな</x:t></x:rPh></x:si><x:si/><x:si><x:t><![CDATA[<原样>&]]></x:t></x:si>`
	sheet := `<!-- 注释 --><x:row r="1" spans="1:4"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c></x:row>` +
		"\n  " + `<x:row r="3"><x:c t="inlineStr"><x:is><x:t>&#x4E2D;&#25991;&amp;&lt;&gt;&quot;&apos;</x:t></x:is></x:c><x:c/><x:c t="s"><x:v>3</x:v></x:c>` +
		`<x:c r="E3" t="str"><x:f>A1&amp;"x"</x:f><x:v>事项x</x:v></x:c><x:c r="F3" t="e"><x:v>#N/A</x:v></x:c><x:c r="G3" s="2"><x:v>46303</x:v></x:c></x:row>` +
		`<x:row r="4"/><x:row r="5"><x:c r="B5" t="inlineStr"><x:is><x:t>一` + "\r\n" + `二</x:t></x:is></x:c><?pi x?><x:c r="C5"><x:v>1<!-- c -->2</x:v></x:c></x:row>`
	data := workbookOf(t, sheet, shared)
	got := rowsOf(t, data)["台账"]
	want := []string{
		`1: ["事项" "摘要 "]`,
		`3: ["中文&<>\"'" "" "<原样>&" "" "事项x" "#N/A" "46303"]`,
		`5: ["" "一\n二" "12"]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ex := excelizeRowsOf(t, data)["台账"]; !slices.Equal(got, ex) {
		t.Errorf("excelize reads it as\n%s", strings.Join(ex, "\n"))
	}
}

// What other programs write, or a careless one: a stray end tag, an
// empty shared-string cell, lowercase references, an ISO date cell, cells
// far right (empty ones add nothing; those past column IV are not read),
// a comment that starts like its own end.
func TestWorkbookOddities(t *testing.T) {
	sheet := `<x:row r="1"></x:c><x:c r="a1" t="s"><x:v/></x:c><x:c r="b1" t="inlineStr"><x:is><x:t>乙</x:t></x:is></x:c>` +
		`<x:c r="C1" t="d"><x:v>2026-10-09T00:00:00</x:v></x:c><x:c r="ZZ1"><x:v>9</x:v></x:c><x:c r="XFD1"/></x:row>` +
		`<!-->x<b/>--><x:row r="2"><x:c r="XFD2" t="inlineStr"><x:is><x:t>远</x:t></x:is></x:c></x:row>`
	got := rowsOf(t, workbookOf(t, sheet, ``))["台账"]
	want := []string{`1: ["" "乙" "2026-10-09"]`}
	if !slices.Equal(got, want) {
		t.Errorf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Excel's strict format names its relationships in another namespace.
	parts := workbookParts(`<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>`, ``)
	parts["xl/workbook.xml"] = strings.Replace(parts["xl/workbook.xml"], "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
		"http://purl.oclc.org/ooxml/officeDocument/relationships", 1)
	if got := rowsOf(t, zipOf(t, parts))["台账"]; !slices.Equal(got, []string{`1: ["1"]`}) {
		t.Errorf("strict workbook read as %v", got)
	}
}

// A workbook that is damaged, cut short, protected, or that unpacks to
// too much is named as such.
func TestWorkbookRefused(t *testing.T) {
	good := workbookOf(t, `<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>`, `<x:si><x:t>事项</x:t></x:si>`)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"protected", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 600)...), "设有打开密码"},
		{"cut", good[:len(good)/2], "不是有效的 .xlsx 文件"},
		{"no workbook", func() []byte {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			z.Create("a.txt")
			z.Close()
			return b.Bytes()
		}(), "缺少 xl/workbook.xml"},
		{"cut sheet", workbookOf(t, `<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row><x:row r="2"><x:c r="A2"`, `<x:si><x:t>事项</x:t></x:si>`), "sheet1.xml 不完整"},
		{"bad reference", workbookOf(t, `<x:row r="1"><x:c r="A1"><x:v>&bogus;</x:v></x:c></x:row>`, ``), "实体 \"&bogus;\" 无效"},
		{"doctype", workbookOf(t, `<!DOCTYPE x [<!ENTITY a "b">]><x:row r="1"/>`, ``), "DOCTYPE"},
		{"missing shared string", workbookOf(t, `<x:row r="1"><x:c r="A1" t="s"><x:v>7</x:v></x:c></x:row>`, `<x:si><x:t>事项</x:t></x:si>`), "共享字符串 \"7\" 不存在"},
		{"rows out of order", workbookOf(t, `<x:row r="2"/><x:row r="1"/>`, ``), "行号 \"1\" 无效"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read("台账.xlsx", tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "台账.xlsx") {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("a cell too long", func(t *testing.T) {
		_, err := Read("台账.xlsx", workbookOf(t, `<x:row r="1"><x:c r="A1"><x:v>`+strings.Repeat("长", 50_000)+`</x:v></x:c></x:row>`, ``))
		if err == nil || !strings.Contains(err.Error(), "超过 32,767 个字符") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a sheet that unpacks to too much", func(t *testing.T) {
		defer func(n int64) { maxUnzipped = n }(maxUnzipped)
		maxUnzipped = 3000
		header := `<x:row r="1">`
		for i, h := range Headers[:4] {
			header += fmt.Sprintf(`<x:c r="%c1" t="inlineStr"><x:is><x:t>%s</x:t></x:is></x:c>`, 'A'+i, h)
		}
		_, err := Read("台账.xlsx", workbookOf(t, header+`</x:row>`+strings.Repeat(`<x:row><x:c><x:v>1</x:v></x:c></x:row>`, 200), ``))
		if err == nil || !strings.Contains(err.Error(), "解压后超过") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unpacks to too much", func(t *testing.T) {
		defer func(n int64) { maxUnzipped = n }(maxUnzipped)
		maxUnzipped = 1000
		big := workbookOf(t, strings.Repeat(`<x:row r="1"/>`, 1), strings.Repeat(`<x:si><x:t>事项</x:t></x:si>`, 100))
		_, err := Read("台账.xlsx", big)
		if err == nil || !strings.Contains(err.Error(), "解压后超过") {
			t.Errorf("err = %v", err)
		}
	})
}

// BenchmarkReadXLSX reads a 100,000-row ledger as the import does, and
// the same sheet through excelize, as it did before:
//
//	go test ./tracker/ledger -run XXX -bench ReadXLSX -benchtime 3x -benchmem
func BenchmarkReadXLSX(b *testing.B) {
	data, err := Sample(tracker.EmbeddedCatalog(), 100_000, calendar.DateOf(2026, 11, 20), "xlsx")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gongkai", func(b *testing.B) {
		for b.Loop() {
			if s, err := Read("台账.xlsx", data); err != nil || len(s.Rows) != 100_000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("excelize", func(b *testing.B) {
		for b.Loop() {
			f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			f.Close()
			if n != 100_001 {
				b.Fatalf("%d rows", n)
			}
		}
	})
}

// A ledger saved by LibreOffice Calc (testdata/libreoffice.xlsx, converted
// from testdata/libreoffice.csv with `soffice --convert-to xlsx`: shared
// strings, dates as styled serial numbers) reads as its CSV does.
func TestWorkbookFromLibreOffice(t *testing.T) {
	read := func(name string) *Sheet {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		s, err := Read(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	x, c := read("libreoffice.xlsx"), read("libreoffice.csv")
	if len(x.Rows) != 30 || !reflect.DeepEqual(x.Rows, c.Rows) {
		t.Errorf("the workbook's %d rows differ from the CSV's %d:\n%+v\n%+v", len(x.Rows), len(c.Rows), x.Rows[:min(2, len(x.Rows))], c.Rows[:min(2, len(c.Rows))])
	}
}
