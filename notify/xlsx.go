package notify

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// sheet is one worksheet: a header row, then n rows that row writes one
// at a time.
type sheet struct {
	name   string
	header []string
	n      int
	row    func(i int, r *rowWriter)
	widths map[int]float64 // 1-based column → width
}

// workbook writes sheets in two steps. excelize builds the workbook's
// frame: its sheets, styles, column widths and header rows. The rows are
// then streamed into each sheet's XML as the frame is copied into the
// file. Rows are all the cost of a large workbook: excelize's stream
// writer took 1.2 s for a digest of 100,000 events, this takes 0.16 s
// (BenchmarkDigestWorkbook), which is what lets a reminder run of that
// size finish in about two seconds. Everything else about the file stays
// excelize's.
func workbook(sheets []sheet) ([]byte, error) {
	sheets = split(sheets)
	frame, styles, parts, err := workbookFrame(sheets)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(frame), int64(len(frame)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := fastZip(&out)
	for _, part := range zr.File {
		s, ok := parts[part.Name]
		if !ok {
			if err := zw.Copy(part); err != nil {
				return nil, err
			}
			continue
		}
		delete(parts, part.Name)
		if err := writeSheet(zw, part, s, styles); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	if len(parts) > 0 {
		return nil, fmt.Errorf("workbook: %d sheets missing from excelize's frame", len(parts))
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// maxSheetRows is how many rows a sheet holds after its header (Excel's
// 1,048,576 in all); tests set it lower.
var maxSheetRows = excelize.TotalRows - 1

// split continues a sheet of more rows than one holds on sheets of its
// own, named "提醒（2）", "提醒（3）" and so on.
func split(sheets []sheet) []sheet {
	var out []sheet
	for _, s := range sheets {
		if s.n <= maxSheetRows {
			out = append(out, s)
			continue
		}
		for part, from := 1, 0; from < s.n; part, from = part+1, from+maxSheetRows {
			p := s
			if part > 1 {
				p.name = fmt.Sprintf("%s（%d）", s.name, part)
			}
			p.n = min(maxSheetRows, s.n-from)
			first, row := from, s.row
			p.row = func(i int, r *rowWriter) { row(first+i, r) }
			out = append(out, p)
		}
	}
	return out
}

// workbookFrame is the workbook without its rows, the style of dates, and
// each sheet by the name of its part in the file.
func workbookFrame(sheets []sheet) ([]byte, cellStyles, map[string]*sheet, error) {
	f := excelize.NewFile()
	defer f.Close()
	var styles cellStyles
	var err error
	if styles.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")}); err != nil {
		return nil, styles, nil, err
	}
	if styles.percent, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0%")}); err != nil {
		return nil, styles, nil, err
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Border: []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}}})
	if err != nil {
		return nil, styles, nil, err
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return nil, styles, nil, err
		}
		// In column order: the file is the same every time it is made.
		for _, col := range slices.Sorted(maps.Keys(s.widths)) {
			w := s.widths[col]
			name, err := excelize.ColumnNumberToName(col)
			if err != nil {
				return nil, styles, nil, err
			}
			if err := f.SetColWidth(s.name, name, name, w); err != nil {
				return nil, styles, nil, err
			}
		}
		if err := f.SetSheetRow(s.name, "A1", &s.header); err != nil {
			return nil, styles, nil, err
		}
		if err := printable(f, s, headStyle); err != nil {
			return nil, styles, nil, err
		}
	}
	if got := f.GetSheetList(); len(got) != len(sheets) {
		return nil, styles, nil, fmt.Errorf("workbook: %d sheets asked for, %d made (names that differ only in case are one sheet)", len(sheets), len(got))
	}
	// excelize keeps sheet N in xl/worksheets/sheetN.xml, N its sheet id.
	parts := map[string]*sheet{}
	for id, name := range f.GetSheetMap() {
		for i := range sheets {
			if sheets[i].name == name {
				parts[fmt.Sprintf("xl/worksheets/sheet%d.xml", id)] = &sheets[i]
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, styles, nil, err
	}
	return buf.Bytes(), styles, parts, nil
}

// printable makes a sheet read and print as people expect: its header
// bold and filled, frozen, with an autofilter over the rows; landscape,
// one A4 page wide, the header repeated on every printed page.
func printable(f *excelize.File, s sheet, headStyle int) error {
	last, err := excelize.ColumnNumberToName(max(len(s.header), 1))
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(s.name, "A1", last+"1", headStyle); err != nil {
		return err
	}
	if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.AutoFilter(s.name, fmt.Sprintf("A1:%s%d", last, s.n+1), nil); err != nil {
		return err
	}
	if err := f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + s.name + "'!$1:$1", Scope: s.name})
}

const dimension = `<dimension ref="`

// writeSheet writes a sheet's part: the frame's XML with the rows after
// its header.
func writeSheet(zw *zip.Writer, part *zip.File, s *sheet, styles cellStyles) (err error) {
	rc, err := part.Open()
	if err != nil {
		return err
	}
	frame, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	end := bytes.LastIndex(frame, []byte("</sheetData>"))
	if end < 0 {
		return fmt.Errorf("no sheetData in excelize's frame")
	}
	head, tail := frame[:end], frame[end:]
	// The sheet's dimension, when the frame gives one, covers the rows,
	// which are as wide as the header.
	if i := bytes.Index(head, []byte(dimension)); i >= 0 {
		from := i + len(dimension)
		if n := bytes.IndexByte(head[from:], '"'); n >= 0 {
			last, _ := excelize.ColumnNumberToName(max(len(s.header), 1))
			head = slices.Concat(head[:from], fmt.Appendf(nil, "A1:%s%d", last, s.n+1), head[from+n:])
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: part.Name, Method: zip.Deflate, Modified: part.Modified})
	if err != nil {
		return err
	}
	// The rows are written on this goroutine and deflated on another, a
	// batch at a time: deflating is half the cost of a large sheet.
	const batch = 256 << 10
	full, free := make(chan []byte, 2), make(chan []byte, 3)
	for range 3 {
		free <- make([]byte, 0, batch+4096)
	}
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range full {
			if werr == nil {
				_, werr = w.Write(b)
			}
			free <- b[:0]
		}
	}()
	defer func() { // also when a row panics: the deflating goroutine ends
		close(full)
		<-done
		if err == nil {
			err = werr
		}
	}()
	r := newRowWriter(len(s.header), styles)
	r.buf = append(<-free, head...)
	var pacer tracker.Pacer
	for i := 0; i < s.n; i++ {
		pacer.Step()
		r.start(i + 2)
		s.row(i, r)
		r.buf = append(r.buf, "</row>"...)
		if len(r.buf) >= batch {
			full <- r.buf
			r.buf = <-free
		}
	}
	full <- append(r.buf, tail...)
	return nil
}

// rowWriter writes one row's cells as SpreadsheetML, left to right: each
// call is the next column.
type rowWriter struct {
	buf       []byte
	col       int
	num       []byte   // the row's number, as text
	cols      []string // column letters
	dateStyle string
	pctStyle  string
}

// cellStyles are the frame's styles of a date and of a rate.
type cellStyles struct{ date, percent int }

func newRowWriter(width int, styles cellStyles) *rowWriter {
	r := &rowWriter{dateStyle: strconv.Itoa(styles.date), pctStyle: strconv.Itoa(styles.percent)}
	for c := 1; c <= max(width, 1); c++ {
		name, _ := excelize.ColumnNumberToName(c)
		r.cols = append(r.cols, name)
	}
	return r
}

// start opens row n after what the buffer holds.
func (r *rowWriter) start(n int) {
	r.num = strconv.AppendInt(r.num[:0], int64(n), 10)
	r.buf = append(append(append(r.buf, `<row r="`...), r.num...), `">`...)
	r.col = 0
}

// cell opens the next cell, with its attributes (attrs starts with a
// space), and moves on.
func (r *rowWriter) cell(attrs string) {
	var col string
	if r.col < len(r.cols) {
		col = r.cols[r.col]
	} else {
		col, _ = excelize.ColumnNumberToName(r.col + 1)
	}
	r.buf = append(append(append(append(append(r.buf, `<c r="`...), col...), r.num...), '"'), attrs...)
	r.col++
}

// Int writes a number.
func (r *rowWriter) Int(v int64) {
	r.cell(`><v>`)
	r.buf = append(strconv.AppendInt(r.buf, v, 10), `</v></c>`...)
}

// Uint writes a number.
func (r *rowWriter) Uint(v uint64) {
	r.cell(`><v>`)
	r.buf = append(strconv.AppendUint(r.buf, v, 10), `</v></c>`...)
}

// Date writes a date as yyyy-mm-dd; the zero date leaves the cell empty.
func (r *rowWriter) Date(d calendar.Date) {
	if d.IsZero() {
		r.col++
		return
	}
	r.cell(` s="` + r.dateStyle + `"><v>`)
	r.buf = append(strconv.AppendInt(r.buf, int64(d.Sub(excelEpoch)), 10), `</v></c>`...)
}

// Rate writes a rate, n of total, as a number shown in percent (so that
// it sorts and charts); nothing to rate leaves the cell empty.
func (r *rowWriter) Rate(n, total int) {
	if total == 0 {
		r.col++
		return
	}
	r.cell(` s="` + r.pctStyle + `"><v>`)
	r.buf = append(strconv.AppendFloat(r.buf, float64(n)/float64(total), 'g', -1, 64), `</v></c>`...)
}

// Text writes text, cut to what a cell holds; the empty string leaves
// the cell empty.
func (r *rowWriter) Text(s string) {
	s = cutCell(s)
	if s == "" {
		r.col++
		return
	}
	if spaced(s[0]) || spaced(s[len(s)-1]) {
		r.cell(` t="inlineStr"><is><t xml:space="preserve">`)
	} else {
		r.cell(` t="inlineStr"><is><t>`)
	}
	r.buf = append(appendCellText(r.buf, s), `</t></is></c>`...)
}

func spaced(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// maxCellChars is the most a spreadsheet cell holds, in UTF-16 units.
const maxCellChars = 32767

// cutCell cuts s to maxCellChars UTF-16 units, at a character.
func cutCell(s string) string {
	if len(s) <= maxCellChars {
		return s // never more units than bytes
	}
	units := 0
	for i, ru := range s {
		if units += utf16Units(ru); units > maxCellChars {
			return s[:i]
		}
	}
	return s
}

// appendCellText appends s escaped as XML text. What XML cannot carry
// (control characters, invalid UTF-8, U+FFFE and U+FFFF) becomes U+FFFD,
// as excelize writes it.
func appendCellText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c == '\r':
				b = append(b, "&#13;"...)
			case c < 0x20 && c != '\t' && c != '\n':
				b = append(b, "\uFFFD"...)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		// A run of other bytes goes as it is when it is valid UTF-8
		// without U+FFFE or U+FFFF, else a character at a time.
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		run := s[i:j]
		if utf8.ValidString(run) && !strings.Contains(run, "\uFFFE") && !strings.Contains(run, "\uFFFF") {
			b = append(b, run...)
		} else {
			for _, ru := range run { // a byte that is not UTF-8 ranges as utf8.RuneError
				switch ru {
				case utf8.RuneError, 0xFFFE, 0xFFFF:
					b = append(b, "\uFFFD"...)
				default:
					b = utf8.AppendRune(b, ru)
				}
			}
		}
		i = j
	}
	return b
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// fastZip is a zip writer that deflates at the fastest level, with
// klauspost/compress's deflate: the XML of a large sheet compresses
// nearly as well as at the default level, in half the time, and this
// deflate takes two thirds of the standard library's time for it.
func fastZip(w io.Writer) *zip.Writer {
	z := zip.NewWriter(w)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	return z
}

// digestWorkbook lists every event of a digest.
func digestWorkbook(d *tracker.Digest) ([]byte, error) {
	return workbook([]sheet{{
		name:   "提醒",
		header: []string{"事件编号", "序号", "事项", "摘要", "类型", "日期", "公开期限", "暂估", "状态", "工作日", "待公开渠道"},
		widths: map[int]float64{3: 48, 4: 36, 6: 12, 7: 12, 11: 36},
		n:      len(d.Items),
		row: func(i int, r *rowWriter) {
			it := d.Items[i]
			e := it.Event
			state, prov := "剩余", ""
			if it.Overdue {
				state = "逾期"
			}
			if e.Provisional {
				prov = "是"
			}
			r.Uint(e.ID)
			r.Int(int64(e.Matter))
			r.Text(e.MatterName)
			r.Text(e.Summary)
			r.Text(e.Kind.Name())
			r.Date(e.Date)
			r.Date(e.Deadline)
			r.Text(prov)
			r.Text(state)
			r.Int(int64(it.Left))
			r.Text(e.PendingNames())
		},
	}})
}

// excelEpoch is day 0 of a spreadsheet's date serials.
var excelEpoch = calendar.DateOf(1899, 12, 30)

func ptr[T any](v T) *T { return &v }
