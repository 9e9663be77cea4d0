package notify

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"gongkai/tracker"
)

// formulaCases are summaries a spreadsheet would run as a formula, or
// could be made to, and what a CSV reader gets back: text, behind a single
// quote. encoding/csv, writing CRLF line ends, drops a carriage return
// that is not before a line feed, so "\rx" reads back as "'x": the quote
// is what matters.
var formulaCases = []struct{ in, want string }{
	{`=HYPERLINK("http://x","点我")`, `'=HYPERLINK("http://x","点我")`},
	{"+1", "'+1"},     // a sign starts a formula too
	{"-1+2", "'-1+2"}, // a sum, not a number
	{"@SUM(A1)", "'@SUM(A1)"},
	{"\tx", "'\tx"},       // Excel drops a leading tab and reads what follows
	{"\rx", "'x"},         // the same with a carriage return
	{"\r=1+1", "'=1+1"},   // without the quote, the file would hold "=1+1"
	{"\n=1+1", "'\n=1+1"}, // the file holds a line feed as CR LF: a CR first
	{"-", "'-"},           // a lone sign is not a number
	{"-3-", "'-3-"},       // nor a number with something after it
	{"调整参保登记材料", "调整参保登记材料"}, // ordinary text as it is
	{"a=b", "a=b"}, // only the first character counts
	{"", ""},
}

// readCSV parses CSV as a spreadsheet's import would, after the byte-order
// mark.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(b, []byte("\ufeff"))
	if !ok {
		t.Fatalf("no byte-order mark: %q", b[:min(len(b), 10)])
	}
	recs, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%q", err, b)
	}
	return recs
}

// gongkai events --format csv: a summary that is a formula is written as
// text, and a count of working days stays a number.
func TestWriteEventsCSVGuardsFormulas(t *testing.T) {
	var views []tracker.EventView
	for i, tc := range formulaCases {
		left := -3
		views = append(views, tracker.EventView{ID: uint64(i + 1), Summary: tc.in, Ref: tc.in, Status: tracker.Overdue, WorkdaysLeft: &left})
	}
	var b bytes.Buffer
	if err := WriteEventsCSV(&b, views); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, b.Bytes())
	summary, ref, overdue := colIndex(t, recs[0], "摘要"), colIndex(t, recs[0], "文号"), colIndex(t, recs[0], "已逾期工作日")
	if len(recs) != len(formulaCases)+1 {
		t.Fatalf("%d records, want %d", len(recs), len(formulaCases)+1)
	}
	for i, tc := range formulaCases {
		r := recs[i+1]
		if r[summary] != tc.want || r[ref] != tc.want {
			t.Errorf("%q: 摘要 %q, 文号 %q, want %q", tc.in, r[summary], r[ref], tc.want)
		}
		if r[overdue] != "3" {
			t.Errorf("%q: 已逾期工作日 %q, want the number 3", tc.in, r[overdue])
		}
	}
}

// colIndex is the index of a CSV header's column.
func colIndex(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, c := range header {
		if c == name {
			return i
		}
	}
	t.Fatalf("no column %s in %q", name, header)
	return -1
}

// The events' CSV is for people: Chinese headings and values, one meaning
// to a column (working days left, overdue and late apart), the
// disclosures' channels, dates and addresses.
func TestEventsCSVForPeople(t *testing.T) {
	two, three := 2, -3
	late := 4
	views := []tracker.EventView{
		{ID: 1, Matter: 3, MatterName: "社会保险参保登记 › 个人参保登记", Kind: tracker.Formed, Summary: "待公开", Status: tracker.Open, WorkdaysLeft: &two,
			Channels: []tracker.Channel{tracker.Web, tracker.Center}, ChannelsPending: []tracker.Channel{tracker.Web, tracker.Center}},
		{ID: 2, Summary: "已逾期", Status: tracker.Overdue, WorkdaysLeft: &three, Provisional: true},
		{ID: 3, Summary: "逾期公开", Status: tracker.DoneLate, WorkdaysLate: &late, ClosedOn: day("2026-11-30"), LoggedLate: true,
			Disclosures: []tracker.DisclosureView{{Channel: tracker.Web, Date: day("2026-11-27"), URL: "https://www.zgq.gov.cn/1"},
				{Channel: tracker.Center, Date: day("2026-11-30")}}},
	}
	var b bytes.Buffer
	if err := WriteEventsCSV(&b, views); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, b.Bytes())
	if strings.Join(recs[0], ",") != strings.Join(EventColumns, ",") || recs[0][0] != "事项" || recs[0][1] != "摘要" || recs[0][len(recs[0])-1] != "事件编号" {
		t.Fatalf("header %q", recs[0])
	}
	get := func(row int, name string) string { return recs[row][colIndex(t, recs[0], name)] }
	want := []map[string]string{
		{"状态": "待公开", "剩余工作日": "2", "已逾期工作日": "", "逾期公开工作日": "", "待公开渠道": "政府网站、政务服务中心", "一级事项": "社会保险参保登记",
			"形成或变更": "形成", "期限暂估": "", "事件编号": "1", "事项序号": "3"},
		{"状态": "已逾期", "剩余工作日": "", "已逾期工作日": "3", "逾期公开工作日": "", "期限暂估": "是"},
		{"状态": "逾期公开", "剩余工作日": "", "已逾期工作日": "", "逾期公开工作日": "4", "办结日期": "2026-11-30", "补登": "是",
			"已公开渠道及日期": "政府网站 2026-11-27；政务服务中心 2026-11-30", "公开网址": "政府网站：https://www.zgq.gov.cn/1"},
	}
	for i, w := range want {
		for col, v := range w {
			if got := get(i+1, col); got != v {
				t.Errorf("event %d, %s: %q, want %q", i+1, col, got, v)
			}
		}
	}
}

// gongkai report weekly --format csv: the section first, then the events'
// columns, with the same guard and numbers.
func TestWeeklyCSVGuardsFormulas(t *testing.T) {
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06")}
	for i, tc := range formulaCases {
		ev := *sampleEvents()[0]
		ev.ID, ev.Summary, ev.MatterName = uint64(i+1), tc.in, tc.in
		r.Overdue = append(r.Overdue, tracker.ReportItem{Event: &ev, Days: 3 + i})
	}
	b, err := WeeklyCSV(r)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, b)
	if strings.Join(recs[0], ",") != strings.Join(WeeklyCSVColumns, ",") || recs[0][0] != "分组" || len(recs) != len(formulaCases)+1 {
		t.Fatalf("header %q, %d records", recs[0], len(recs))
	}
	overdue := colIndex(t, recs[0], "已逾期工作日")
	for i, tc := range formulaCases {
		rec := recs[i+1]
		if rec[0] != "已逾期" || rec[1] != tc.want || rec[2] != tc.want {
			t.Errorf("%q: 分组 %q, 事项 %q, 摘要 %q, want %q", tc.in, rec[0], rec[1], rec[2], tc.want)
		}
		if want := strconv.Itoa(3 + i); rec[overdue] != want {
			t.Errorf("%q: 已逾期工作日 %q, want the number %s", tc.in, rec[overdue], want)
		}
	}
}

// What is a number is left alone: it cannot be a formula, and a quote
// would make Excel read it as text. Anything else that starts like a
// formula gets the quote.
func TestCSVNumbers(t *testing.T) {
	cases := []struct{ in, want string }{
		{"-3", "-3"},
		{"-0", "-0"},
		{"-12.5", "-12.5"},
		{"12", "12"},
		{"-12.", "'-12."},
		{"-.5", "'-.5"},
		{"-1e3", "'-1e3"}, // Excel reads an exponent, but gongkai never writes one
		{"-1,5", "'-1,5"}, // nor a comma
		{"+3", "'+3"},     // nor a plus sign: this one was typed
		{"-３", "'-３"},     // full-width digits are text
		{"=1", "'=1"},
		{"'=1", "'=1"}, // quoted by hand already: a quote starts no formula
	}
	var rows [][]string
	for _, tc := range cases {
		rows = append(rows, []string{tc.in})
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, []string{"n"}, rows); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, b.Bytes())
	for i, tc := range cases {
		if got := recs[i+1][0]; got != tc.want {
			t.Errorf("%q written as %q, want %q", tc.in, got, tc.want)
		}
	}
}
