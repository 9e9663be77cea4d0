package notify

import (
	"bytes"
	"encoding/csv"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gongkai/tracker"
)

// WriteCSV writes a header and rows as CSV for Excel and WPS: a UTF-8
// byte-order mark first, so that they read the Chinese correctly, CRLF
// line ends, and every cell through csvCell, so that none is run as a
// formula.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	safe := make([]string, 0, len(header)) // a row's cells; the caller's rows stay as they are
	write := func(row []string) error {
		safe = safe[:0]
		for _, c := range row {
			safe = append(safe, csvCell(c))
		}
		return cw.Write(safe)
	}
	if err := write(header); err != nil {
		return err
	}
	for _, row := range rows {
		if err := write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// plainNumber is a number as gongkai writes one: digits, maybe a minus
// sign before them and a fraction after.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// csvCell keeps a spreadsheet from running a cell as a formula (CSV
// injection, OWASP): a cell that starts with =, +, -, @, a tab or a
// carriage return gets a single quote before it, so that
// =HYPERLINK("http://x","点我") in a summary is shown as that text. A
// plain number such as -3 (workdays_left when overdue) is left alone: it
// cannot be a formula, and the quote would turn it into text in Excel.
//
// A leading line feed is quoted too: the CSV holds it as CR LF, so the
// cell starts with a carriage return. The check must see the value before
// encoding/csv does, which drops a carriage return not before a line
// feed: "\r=1+1" would reach the file as "=1+1".
func csvCell(s string) string {
	switch {
	case s == "" || strings.IndexByte("=+-@\t\r\n", s[0]) < 0:
		return s
	case plainNumber.MatchString(s): // of those characters only a minus sign starts one
		return s
	}
	return "'" + s
}

// WriteRecords writes items as CSV (WriteCSV) under columns, a row each.
func WriteRecords[T interface{ Record() []string }](w io.Writer, columns []string, items []T) error {
	rows := make([][]string, len(items))
	for i, it := range items {
		rows[i] = it.Record()
	}
	return WriteCSV(w, columns, rows)
}

// WeeklyCSVColumns are the columns of WeeklyCSV.
var WeeklyCSVColumns = []string{"section", "id", "matter", "matter_name", "summary", "date", "deadline", "workdays", "status"}

// WeeklyCSV is the weekly report's events as CSV, one row per event and
// section (overdue, due_soon, disclosed), for a spreadsheet.
func WeeklyCSV(r *tracker.WeeklyReport) ([]byte, error) {
	var rows [][]string
	for _, sec := range []struct {
		name  string
		items []tracker.ReportItem
	}{{"overdue", r.Overdue}, {"due_soon", r.DueSoon}, {"disclosed", r.Disclosed}} {
		for _, it := range sec.items {
			ev := it.Event
			rows = append(rows, []string{sec.name, strconv.FormatUint(ev.ID, 10), strconv.Itoa(ev.Matter), ev.MatterName, ev.Summary,
				ev.Date.String(), ev.Deadline.String(), strconv.Itoa(it.Days), string(ev.Status(r.Day))})
		}
	}
	var b bytes.Buffer
	err := WriteCSV(&b, WeeklyCSVColumns, rows)
	return b.Bytes(), err
}
