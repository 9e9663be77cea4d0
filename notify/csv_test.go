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
// text, and a negative count of working days stays a number.
func TestWriteRecordsGuardsFormulas(t *testing.T) {
	var views []tracker.EventView
	for i, tc := range formulaCases {
		left := -3
		views = append(views, tracker.EventView{ID: uint64(i + 1), Summary: tc.in, Ref: tc.in, WorkdaysLeft: &left})
	}
	var b bytes.Buffer
	if err := WriteRecords(&b, tracker.EventViewColumns, views); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, b.Bytes())
	col := func(name string) int {
		for i, c := range recs[0] {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s in %q", name, recs[0])
		return -1
	}
	summary, ref, left := col("summary"), col("ref"), col("workdays_left")
	if len(recs) != len(formulaCases)+1 {
		t.Fatalf("%d records, want %d", len(recs), len(formulaCases)+1)
	}
	for i, tc := range formulaCases {
		r := recs[i+1]
		if r[summary] != tc.want || r[ref] != tc.want {
			t.Errorf("%q: summary %q, ref %q, want %q", tc.in, r[summary], r[ref], tc.want)
		}
		if r[left] != "-3" {
			t.Errorf("%q: workdays_left %q, want the number -3", tc.in, r[left])
		}
	}
}

// gongkai report weekly --format csv: the same guard, the same numbers.
func TestWeeklyCSVGuardsFormulas(t *testing.T) {
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06")}
	for i, tc := range formulaCases {
		ev := *sampleEvents()[0]
		ev.ID, ev.Summary, ev.MatterName = uint64(i+1), tc.in, tc.in
		r.Overdue = append(r.Overdue, tracker.ReportItem{Event: &ev, Days: -3 - i})
	}
	b, err := WeeklyCSV(r)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, b)
	if strings.Join(recs[0], ",") != strings.Join(WeeklyCSVColumns, ",") || len(recs) != len(formulaCases)+1 {
		t.Fatalf("header %q, %d records", recs[0], len(recs))
	}
	for i, tc := range formulaCases {
		rec := recs[i+1]
		// matter_name, summary, workdays
		if rec[3] != tc.want || rec[4] != tc.want {
			t.Errorf("%q: matter_name %q, summary %q, want %q", tc.in, rec[3], rec[4], tc.want)
		}
		if want := strconv.Itoa(-3 - i); rec[7] != want {
			t.Errorf("%q: workdays %q, want the number %s", tc.in, rec[7], want)
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
