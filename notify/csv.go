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

// MatterColumns are the headings of the matters' CSV, in order.
var MatterColumns = []string{"序号", "一级事项", "二级事项", "三级事项", "公开内容（要素）", "公开依据", "公开时限", "时限工作日",
	"公开主体", "公开渠道", "公开对象", "公开方式", "公开层级"}

// WriteMattersCSV writes matters as CSV for people (WriteCSV): MatterColumns,
// a row each, lists joined with "；".
func WriteMattersCSV(w io.Writer, views []tracker.MatterView) error {
	rows := make([][]string, len(views))
	for i, v := range views {
		rows[i] = []string{strconv.Itoa(v.Seq), v.Level1, v.Level2, v.Level3, strings.Join(v.Elements, "；"),
			strings.Join(v.Basis, "；"), v.TimeLimit, strconv.Itoa(v.TimeLimitDays), v.Subject, channelList(v.Channels),
			v.Audience, v.Mode, strings.Join(v.Levels, "；")}
	}
	return WriteCSV(w, MatterColumns, rows)
}

// WeeklyCSVColumns are the columns of WeeklyCSV: the section, then the
// events' columns.
var WeeklyCSVColumns = append([]string{"分组"}, EventColumns...)

// WeeklyCSV is the weekly report's events as CSV for people, a row per
// event under its section (已逾期, 即将到期, 上周公开).
func WeeklyCSV(r *tracker.WeeklyReport) ([]byte, error) {
	var rows [][]string
	for _, sec := range []struct {
		name  string
		items []tracker.ReportItem
	}{{"已逾期", r.Overdue}, {"即将到期", r.DueSoon}, {"上周公开", r.Disclosed}} {
		for _, it := range sec.items {
			v := it.View(r.Day)
			rec := csvRecord{sec.name}
			for _, f := range eventFields {
				f.cell(&v, &rec)
			}
			rows = append(rows, rec)
		}
	}
	var b bytes.Buffer
	err := WriteCSV(&b, WeeklyCSVColumns, rows)
	return b.Bytes(), err
}
