// Package ledger reads an office's ledger (台账) of disclosures, kept in
// Excel or WPS, into rows for the application layer to import, and writes
// an empty ledger to fill in: its template. Columns are found by their
// header, wherever they are and in whatever order; cells are text as the
// office typed them, dates as Excel stores them made YYYY-MM-DD.
package ledger

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// MaxFile is the largest ledger read, and MaxUnzipped the most a workbook
// may unpack to: a million rows take about 60 MB as .xlsx and 150 MB as
// CSV; a file many times that is a mistake, or a zip bomb.
const (
	MaxFile     = 1 << 30
	MaxUnzipped = 1 << 30
	// MaxRows is the most rows one import takes: each is an event in one
	// transaction, held in memory until it commits.
	MaxRows = 2_000_000
)

// headerRows is how many rows from the top the header may be found in,
// below a title and notes.
const headerRows = 10

// Headers are the template's headers, in its order: the fields and, for
// each channel, its disclosure's date and URL.
var Headers = func() []string {
	h := []string{"事项", "类型", "日期", "摘要", "文号", "登记人"}
	for _, c := range tracker.Channels {
		h = append(h, c.Name()+"公开日期", c.Name()+"网址")
	}
	return h
}()

// fieldOf says which field a header names, or "".
func fieldOf(header string) string {
	h := tracker.Narrow(header)
	if i := strings.IndexAny(h, "（(*＊"); i >= 0 {
		h = h[:i]
	}
	h = strings.Join(strings.Fields(h), "")
	for _, c := range tracker.Channels {
		if rest, ok := strings.CutPrefix(h, c.Name()); ok {
			switch rest {
			case "公开日期", "日期":
				return app.LedgerDisclosureDate(c)
			case "网址", "链接", "公开网址", "URL", "url":
				return app.LedgerDisclosureURL(c)
			}
			return ""
		}
	}
	switch h {
	case "事项", "事项序号", "事项名称", "公开事项":
		return app.LedgerMatter
	case "类型", "事件类型", "形成或变更", "形成/变更":
		return app.LedgerKind
	case "日期", "形成或变更日期", "信息形成或变更日期":
		return app.LedgerDate
	case "摘要", "信息摘要", "内容摘要":
		return app.LedgerSummary
	case "文号":
		return app.LedgerRef
	case "登记人", "经办人":
		return app.LedgerBy
	}
	return ""
}

// required are the fields a ledger must have a column for.
var required = []struct{ field, header string }{
	{app.LedgerMatter, "事项"}, {app.LedgerKind, "类型"}, {app.LedgerDate, "日期"}, {app.LedgerSummary, "摘要"},
}

// Sheet is a ledger as read: the rows to import, where each field was
// found, and the columns not understood (left out).
type Sheet struct {
	Columns map[string]string
	Rows    []app.ImportRow
	Ignored []string
	// HeaderLine is the row the headers are on.
	HeaderLine int
}

// Error is a ledger that cannot be read as one: the file, and why.
type Error struct {
	File, Reason string
}

func (e *Error) Error() string { return "台账文件 " + e.File + " " + e.Reason }

// Read reads the ledger in data; name's extension says its format: .xlsx
// (the first sheet that has the headers) or .csv (UTF-8, or GBK as Excel
// saves it on a Chinese Windows).
func Read(name string, data []byte) (*Sheet, error) {
	if len(data) > MaxFile {
		return nil, &Error{name, fmt.Sprintf("太大（%d MB）：一次最多导入 %d MB", len(data)>>20, MaxFile>>20)}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return readXLSX(name, data)
	case ".csv":
		return readCSV(name, data)
	case ".xls", ".et":
		return nil, &Error{name, "是旧的 Excel 97–2003（.xls）或 WPS（.et）格式：请在 Excel 或 WPS 中另存为 .xlsx 后导入"}
	}
	return nil, &Error{name, "的格式无法识别：应为 .xlsx 或 .csv"}
}

// reader is a sheet's rows one at a time: the cells and the row's number.
type reader func() (cells []string, line int, err error)

// letters names columns: XLSX by letter, CSV by number.
type letters func(i int) string

func readXLSX(name string, data []byte) (*Sheet, error) {
	w, err := openWorkbook(data)
	if err != nil {
		return nil, xlsxError(name, data, err)
	}
	col := func(i int) string {
		n, _ := excelize.ColumnNumberToName(i + 1)
		return n + " 列"
	}
	var tried []string
	for _, sheet := range w.sheets {
		rows, err := w.rows(sheet)
		if err != nil {
			return nil, xlsxError(name, data, err)
		}
		next, stop := ahead(rows.next)
		s, err := read(name, next, col, func(field, v string) string { return xlsxCell(field, v, w.date1904) })
		stop()
		rows.Close()
		var noHeader *headerError
		if errors.As(err, &noHeader) {
			tried = append(tried, "“"+sheet.name+"”")
			continue
		}
		if err != nil {
			var le *Error
			if errors.As(err, &le) {
				return nil, err
			}
			if errors.Is(err, errTooBig) {
				return nil, xlsxError(name, data, err)
			}
			return nil, &Error{name, "的工作表“" + sheet.name + "”无法读取（" + xlsxReason(err) + "）"}
		}
		return s, nil
	}
	if len(tried) > 10 {
		tried = append(tried[:10], fmt.Sprintf("等 %d 个", len(tried)))
	}
	return nil, &Error{name, fmt.Sprintf("的工作表 %s 前 %d 行中都没有找到表头（须有 事项、类型、日期、摘要 各列；可用 gongkai import template 生成模板）",
		strings.Join(tried, "、"), headerRows)}
}

// xlsxError says why a workbook cannot be opened.
func xlsxError(name string, data []byte, err error) error {
	switch {
	case errors.Is(err, errTooBig):
		return &Error{name, fmt.Sprintf("解压后超过 %d MB：不像是台账，或已损坏", MaxUnzipped>>20)}
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return &Error{name, "设有打开密码（或是旧的 .xls 格式改了扩展名）：请在 Excel 或 WPS 中取消密码、另存为 .xlsx 后导入"}
	}
	return &Error{name, "不是有效的 .xlsx 文件，或已损坏（" + xlsxReason(err) + "）"}
}

func xlsxReason(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "文件不完整"
	}
	return err.Error()
}

// xlsxCell makes a raw cell value text: a date column's number is Excel's
// serial day.
func xlsxCell(field, v string, date1904 bool) string {
	if !strings.HasSuffix(field, app.LedgerDate) || v == "" {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 || len(v) == 8 && !strings.Contains(v, ".") {
		return v // text, or 20261102 written as a number
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return v
	}
	return t.Format("2006-01-02")
}

func readCSV(name string, data []byte) (*Sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		gbk, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(gbk, utf8.RuneError) {
			return nil, &Error{name, "既不是 UTF-8 也不是 GBK 编码：请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx"}
		}
		data = gbk
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // a quote inside a cell not quoted, as hand-made files have
	next := func() ([]string, int, error) {
		cells, err := r.Read()
		if err == io.EOF {
			return nil, 0, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &Error{name, fmt.Sprintf("第 %d 行不是有效的 CSV（%s）", pe.Line, pe.Err)}
		}
		if err != nil {
			return nil, 0, err
		}
		line, _ := r.FieldPos(0)
		return cells, line, nil
	}
	col := func(i int) string { return fmt.Sprintf("第 %d 列", i+1) }
	next, stop := ahead(next)
	s, err := read(name, next, col, func(_, v string) string { return v })
	stop()
	var noHeader *headerError
	if errors.As(err, &noHeader) {
		return nil, &Error{name, fmt.Sprintf("前 %d 行中没有找到表头（须有 事项、类型、日期、摘要 各列；可用 gongkai import template 生成模板）", headerRows)}
	}
	return s, err
}

// headerError: no header in the first rows.
type headerError struct{}

func (*headerError) Error() string { return "no header" }

// read finds the header among the first rows, then reads the rows below
// it into fields; value turns a raw cell into text.
func read(name string, next reader, col letters, value func(field, v string) string) (*Sheet, error) {
	s := &Sheet{Columns: map[string]string{}}
	var fields []string // by column index
	for {
		cells, line, err := next()
		if err != nil {
			return nil, err
		}
		if cells == nil && line == 0 {
			break
		}
		if fields == nil {
			if line > headerRows {
				return nil, &headerError{}
			}
			f, ok, err := header(name, cells, line, col)
			if err != nil {
				return nil, err
			}
			if ok {
				fields, s.HeaderLine = f, line
				for i, field := range fields {
					switch {
					case field != "":
						s.Columns[field] = fmt.Sprintf("%s（%s）", col(i), strings.TrimSpace(cells[i]))
					case strings.TrimSpace(cells[i]) != "":
						s.Ignored = append(s.Ignored, fmt.Sprintf("%s（%s）", col(i), strings.TrimSpace(cells[i])))
					}
				}
			}
			continue
		}
		row := app.ImportRow{Line: line}
		empty := true
		disclosed := map[tracker.Channel]*app.ImportDisclosure{}
		for i, raw := range cells {
			if i >= len(fields) || fields[i] == "" {
				continue
			}
			v := strings.TrimSpace(unguard(value(fields[i], raw)))
			if v == "" {
				continue
			}
			empty = false
			switch f := fields[i]; f {
			case app.LedgerMatter:
				row.Matter = v
			case app.LedgerKind:
				row.Kind = v
			case app.LedgerDate:
				row.Date = v
			case app.LedgerSummary:
				row.Summary = v
			case app.LedgerRef:
				row.Ref = v
			case app.LedgerBy:
				row.By = v
			default:
				c := tracker.Channel(f[:strings.IndexByte(f, '.')])
				d := disclosed[c]
				if d == nil {
					d = &app.ImportDisclosure{Channel: c}
					disclosed[c] = d
				}
				if f == app.LedgerDisclosureDate(c) {
					d.Date = v
				} else {
					d.URL = v
				}
			}
		}
		if empty {
			continue // blank rows between blocks, or formatted rows below the data
		}
		if len(s.Rows) == MaxRows {
			return nil, &Error{name, fmt.Sprintf("超过 %d 行：一次最多导入 %d 行，请分成几个文件导入", MaxRows, MaxRows)}
		}
		for _, c := range tracker.Channels {
			if d := disclosed[c]; d != nil {
				row.Disclosed = append(row.Disclosed, *d)
			}
		}
		s.Rows = append(s.Rows, row)
	}
	if fields == nil {
		return nil, &headerError{}
	}
	return s, nil
}

// header reads a row as the header: ok when it has a column for every
// required field. A field named twice is an error.
func header(name string, cells []string, line int, col letters) ([]string, bool, error) {
	fields := make([]string, len(cells))
	at := map[string]int{}
	for i, c := range cells {
		f := fieldOf(c)
		if f == "" {
			continue
		}
		if j, dup := at[f]; dup {
			return nil, false, &Error{name, fmt.Sprintf("第 %d 行的表头中 %s（%s）和 %s（%s）是同一列：请删去或改名其中一列",
				line, col(j), strings.TrimSpace(cells[j]), col(i), strings.TrimSpace(c))}
		}
		at[f] = i
		fields[i] = f
	}
	for _, r := range required {
		if _, ok := at[r.field]; !ok {
			if len(at) >= 2 { // a header, but short of a column
				return nil, false, &Error{name, fmt.Sprintf("第 %d 行的表头中没有“%s”列（须有 事项、类型、日期、摘要 各列）", line, r.header)}
			}
			return nil, false, nil
		}
	}
	return fields, true, nil
}

// unguard undoes the guard gongkai's own CSV puts before a cell that a
// spreadsheet would take for a formula ('=…), so that a file exported and
// imported again reads as it was.
func unguard(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
		return v[1:]
	}
	return v
}

// ahead reads rows with next on a goroutine of its own, a batch ahead of
// whoever calls the reader it returns, so that reading the file and
// making its rows into fields take a core each. stop ends the goroutine;
// call it once done.
func ahead(next reader) (_ reader, stop func()) {
	type row struct {
		cells []string
		line  int
	}
	type batch struct {
		rows []row
		err  error
	}
	out := make(chan batch, 4)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for {
			select {
			case <-done:
				return
			default:
			}
			b := batch{rows: make([]row, 0, aheadBatch)}
			end := false
			for len(b.rows) < aheadBatch {
				cells, line, err := next()
				if err != nil {
					b.err, end = err, true
					break
				}
				if cells == nil && line == 0 {
					end = true
					break
				}
				b.rows = append(b.rows, row{cells, line})
			}
			select {
			case out <- b:
			case <-done:
				return
			}
			if end {
				return
			}
		}
	}()
	var cur batch
	i := 0
	read := func() ([]string, int, error) {
		for i == len(cur.rows) {
			if cur.err != nil {
				return nil, 0, cur.err
			}
			b, ok := <-out
			if !ok {
				return nil, 0, nil
			}
			cur, i = b, 0
		}
		r := cur.rows[i]
		cur.rows[i] = row{}
		i++
		return r.cells, r.line, nil
	}
	var once sync.Once
	return read, func() {
		once.Do(func() {
			close(done)
			for range out { // let the goroutine finish its read
			}
		})
	}
}

// aheadBatch is how many rows go from the reading goroutine at a time.
const aheadBatch = 256
