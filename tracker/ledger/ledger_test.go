package ledger

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// Columns are found by their header below a title, in any order, under
// the names offices use; other columns are named and left out; blank rows
// are skipped; a cell gongkai's CSV guarded reads as it was.
func TestReadCSV(t *testing.T) {
	text := "2026 年政务公开台账\n\n" +
		"备注,事项（序号或名称）,摘要,形成或变更,形成或变更日期,政府网站网址,政府网站公开日期,经办人,文号\n" +
		"x,71,抚恤金标准,形成,2026-10-09,https://www.zgq.gov.cn/1,2026-10-20,张三,赣人社字〔2026〕7号\n" +
		",,,,,,,,\n" +
		",3,\"'=HYPERLINK(\"\"x\"\")\",变更,2026/11/2,,,,\n"
	for _, enc := range []string{"utf-8", "utf-8 with BOM", "gbk"} {
		t.Run(enc, func(t *testing.T) {
			data := []byte(text)
			switch enc {
			case "utf-8 with BOM":
				data = append([]byte("\xef\xbb\xbf"), data...)
			case "gbk":
				var err error
				if data, err = simplifiedchinese.GBK.NewEncoder().Bytes(data); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Read("台账.csv", data)
			if err != nil {
				t.Fatal(err)
			}
			if s.HeaderLine != 3 || len(s.Rows) != 2 {
				t.Fatalf("header on %d, %d rows: %+v", s.HeaderLine, len(s.Rows), s.Rows)
			}
			r := s.Rows[0]
			if r.Line != 4 || r.Matter != "71" || r.Kind != "形成" || r.Date != "2026-10-09" || r.Summary != "抚恤金标准" ||
				r.Ref != "赣人社字〔2026〕7号" || r.By != "张三" || len(r.Disclosed) != 1 ||
				r.Disclosed[0] != (app.ImportDisclosure{Channel: tracker.Web, Date: "2026-10-20", URL: "https://www.zgq.gov.cn/1"}) {
				t.Errorf("row: %+v", r)
			}
			if r := s.Rows[1]; r.Line != 6 || r.Summary != `=HYPERLINK("x")` || r.Date != "2026/11/2" {
				t.Errorf("row: %+v", r)
			}
			if got := s.Columns[app.LedgerDate]; got != "第 5 列（形成或变更日期）" {
				t.Errorf("date column: %q", got)
			}
			if len(s.Ignored) != 1 || s.Ignored[0] != "第 1 列（备注）" {
				t.Errorf("ignored: %v", s.Ignored)
			}
		})
	}
}

// A file that is no ledger is said so, by name and reason.
func TestReadRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"a.csv", "姓名,电话\n张三,123\n", "前 10 行中没有找到表头"},
		{"a.csv", "事项,类型,日期,文号\n3,变更,2026-11-02,x\n", "第 1 行的表头中没有“摘要”列"},
		{"a.csv", "事项,类型,日期,摘要,信息摘要\n", "第 4 列（摘要）和 第 5 列（信息摘要）是同一列"},
		{"a.csv", "\xff\xfe\x00\xd8", "既不是 UTF-8 也不是 GBK"},
		{"a.xls", "", "另存为 .xlsx"},
		{"a.txt", "", "应为 .xlsx 或 .csv"},
		{"a.xlsx", "not a zip", "不是有效的 .xlsx 文件"},
	} {
		_, err := Read(tc.name, []byte(tc.text))
		var le *Error
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("Read(%s, %q) = %v, want %q", tc.name, tc.text, err, tc.want)
		}
	}
}

// The template has the headers Read finds, the drop-down lists and the
// matters; filled in Excel (dates as Excel stores them, a matter as its
// list offers it), it reads back.
func TestTemplateRoundTrip(t *testing.T) {
	cat := tracker.EmbeddedCatalog()
	data, err := Template(cat)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "台账" || got[1] != "事项目录" {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("台账")
	if len(rows) != 1 || strings.Join(rows[0], ",") != strings.Join(Headers, ",") {
		t.Errorf("headers %v", rows)
	}
	dvs, err := f.GetDataValidations("台账")
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Sqref+" "+dv.Type+" "+dv.Formula1)
	}
	joined := strings.Join(lists, "\n")
	for _, want := range []string{"A2:A5001 list '事项目录'!$F$2:$F$82", "B2:B5001 list \"形成,变更\"", "C2:C5001 date"} {
		if !strings.Contains(joined, want) {
			t.Errorf("data validations lack %q:\n%s", want, joined)
		}
	}
	list, _ := f.GetRows("事项目录")
	if len(list) != len(cat.Matters)+1 || list[71][5] != MatterChoice(&cat.Matters[70]) {
		t.Errorf("the matters: %d rows, row 72 %v", len(list), list[71])
	}
	// Filled as a person would.
	f.SetCellValue("台账", "A2", MatterChoice(&cat.Matters[70]))
	f.SetCellValue("台账", "B2", "形成")
	f.SetCellValue("台账", "C2", calendar.DateOf(2026, 10, 9).Start()) // a date cell: Excel's serial day
	f.SetCellValue("台账", "D2", "抚恤金标准")
	f.SetCellValue("台账", "G2", calendar.DateOf(2026, 10, 20).Start())
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := Read("台账.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 1 {
		t.Fatalf("rows %+v", s.Rows)
	}
	r := s.Rows[0]
	if r.Line != 2 || r.Matter != MatterChoice(&cat.Matters[70]) || r.Date != "2026-10-09" || len(r.Disclosed) != 1 || r.Disclosed[0].Date != "2026-10-20" {
		t.Errorf("row %+v", r)
	}
	if got := s.Columns[app.LedgerDisclosureDate(tracker.Web)]; got != "G 列（政府网站公开日期）" {
		t.Errorf("column %q", got)
	}
}

// The sample ledgers read back, in both formats, row for row.
func TestSample(t *testing.T) {
	cat := tracker.EmbeddedCatalog()
	for _, format := range []string{"csv", "xlsx"} {
		data, err := Sample(cat, 50, calendar.DateOf(2026, 11, 20), format)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Read("sample."+format, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Rows) != 50 || s.Rows[49].Line != 51 || s.Rows[0].Disclosed[0].URL == "" {
			t.Errorf("%s: %d rows, last %+v", format, len(s.Rows), s.Rows[len(s.Rows)-1])
		}
	}
}
