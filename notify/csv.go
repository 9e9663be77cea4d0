package notify

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"

	"gongkai/tracker"
)

// WriteCSV writes a header and rows as CSV for Excel and WPS: a UTF-8
// byte-order mark first, so that they read the Chinese correctly, and
// CRLF line ends.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
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
