package notify

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// sheet is one worksheet: a title row, a header row, then n rows that row
// writes one at a time.
type sheet struct {
	name  string
	title string // the title row: the report's name, the office, the day it is as of
	cols  []column
	n     int
	row   func(i int, r *rowWriter)
}

// column is a sheet's column: its heading, its width in characters (a
// Chinese character takes two), and whether long text wraps in it.
type column struct {
	head  string
	width float64
	wrap  bool
}

// headerRow and firstRow are the rows of a sheet's header and of its first
// row of data: the title is row 1.
const (
	headerRow = 2
	firstRow  = 3
)

// docInfo is what a workbook's document properties say: its title, who
// made it (the office) and when (the time the report is as of).
type docInfo struct {
	title  string
	office string
	at     time.Time
}

// workbook writes sheets in two steps. excelize builds the workbook's
// frame: its sheets, styles, column widths and header rows. The rows are
// then streamed into each sheet's XML as the frame is copied into the
// file. Rows are all the cost of a large workbook: excelize's stream
// writer took 1.2 s for a digest of 100,000 events, this takes about
// 0.2 s (BenchmarkDigestWorkbook), which is what lets a reminder run of that
// size finish in about two seconds. Everything else about the file stays
// excelize's.
func workbook(doc docInfo, sheets []sheet) ([]byte, error) {
	sheets = split(sheets)
	frame, styles, parts, err := workbookFrame(doc, sheets)
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

// maxSheetRows is how many rows a sheet holds after its title and header
// (Excel's 1,048,576 in all); tests set it lower.
var maxSheetRows = excelize.TotalRows - firstRow + 1

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

// workbookFrame is the workbook without its rows, the styles of its
// cells, and each sheet by the name of its part in the file.
func workbookFrame(doc docInfo, sheets []sheet) ([]byte, *cellStyles, map[string]*sheet, error) {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newCellStyles(f)
	if err != nil {
		return nil, nil, nil, err
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return nil, nil, nil, err
		}
		// In column order: the file is the same every time it is made.
		for c, col := range s.cols {
			name, err := excelize.ColumnNumberToName(c + 1)
			if err != nil {
				return nil, nil, nil, err
			}
			if err := f.SetColWidth(s.name, name, name, col.fit()); err != nil {
				return nil, nil, nil, err
			}
		}
		if err := printable(f, s, styles); err != nil {
			return nil, nil, nil, err
		}
	}
	if got := f.GetSheetList(); len(got) != len(sheets) {
		return nil, nil, nil, fmt.Errorf("workbook: %d sheets asked for, %d made (names that differ only in case are one sheet)", len(sheets), len(got))
	}
	if err := docProps(f, doc); err != nil {
		return nil, nil, nil, err
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
		return nil, nil, nil, err
	}
	return buf.Bytes(), styles, parts, nil
}

// fit is the column's width: its own, or what its heading needs on two
// lines at most, whichever is wider.
func (c column) fit() float64 {
	return max(c.width, float64(textWidth.StringWidth(c.head)/2+3))
}

// textWidth measures text as a spreadsheet lays it out, whatever this
// machine's locale says.
var textWidth = &runewidth.Condition{EastAsianWidth: false}

// docProps names the office as the workbook's author and company, the
// report as its title, and the time it is as of as its creation, so
// that a file says where it came from (and is the same each time it is
// made).
func docProps(f *excelize.File, doc docInfo) error {
	author := doc.office
	if author == "" {
		author = "gongkai"
	}
	at := doc.at.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Title: doc.title, Subject: doc.title, Creator: author, LastModifiedBy: author,
		Created: at, Modified: at, Language: "zh-CN", Description: "由 gongkai 生成"}); err != nil {
		return err
	}
	return f.SetAppProps(&excelize.AppProperties{Application: "gongkai", Company: doc.office})
}

// printable lays a sheet out to read and print as people expect: the
// title row, the header bold and filled, both frozen, an autofilter over
// the rows; landscape, one A4 page wide, title and header repeated on
// every printed page.
func printable(f *excelize.File, s sheet, st *cellStyles) error {
	last, err := excelize.ColumnNumberToName(max(len(s.cols), 1))
	if err != nil {
		return err
	}
	if err := f.SetCellStr(s.name, "A1", s.title); err != nil {
		return err
	}
	if err := f.SetCellStyle(s.name, "A1", "A1", st.title); err != nil {
		return err
	}
	if err := f.SetRowHeight(s.name, 1, 24); err != nil {
		return err
	}
	head := make([]any, len(s.cols))
	for i, c := range s.cols {
		head[i] = c.head
	}
	hc := fmt.Sprintf("A%d", headerRow)
	if err := f.SetSheetRow(s.name, hc, &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(s.name, hc, fmt.Sprintf("%s%d", last, headerRow), st.head); err != nil {
		return err
	}
	lines := 1
	for _, c := range s.cols {
		lines = max(lines, wrapLines(c.head, c.fit()))
	}
	if lines > 1 {
		if err := f.SetRowHeight(s.name, headerRow, float64(lines*lineHeight+2)); err != nil {
			return err
		}
	}
	if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: fmt.Sprintf("A%d", firstRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.AutoFilter(s.name, fmt.Sprintf("A%d:%s%d", headerRow, last, s.n+headerRow), nil); err != nil {
		return err
	}
	if err := f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Left: ptr(0.4), Right: ptr(0.4), Top: ptr(0.5), Bottom: ptr(0.6)}); err != nil {
		return err
	}
	// The page's footer: its number of the pages.
	if err := f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}); err != nil {
		return err
	}
	if err := f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$%d", s.name, headerRow), Scope: s.name})
}

// cellStyles are the frame's styles: of the title and the header, and of
// each kind of cell, plain and highlighted (an overdue event's row).
type cellStyles struct {
	title, head int
	cell        [2][cellKinds]int // [highlighted][kind]
}

// The kinds of cell a row writes.
const (
	kindPlain = iota
	kindWrap
	kindNumber
	kindDate
	kindPercent
	cellKinds
)

// highlight is the fill of an overdue event's row.
const highlight = "FDE8E7"

func newCellStyles(f *excelize.File) (*cellStyles, error) {
	st := &cellStyles{}
	var err error
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Vertical: "center"}}); err != nil {
		return nil, err
	}
	if st.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}); err != nil {
		return nil, err
	}
	for hl := range 2 {
		for kind := range cellKinds {
			style := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}
			switch kind {
			case kindWrap:
				style.Alignment.WrapText = true
			case kindNumber:
				style.Alignment.Horizontal = "center"
			case kindDate:
				style.CustomNumFmt = ptr("yyyy-mm-dd")
			case kindPercent:
				style.CustomNumFmt = ptr("0.0%")
			}
			if hl == 1 {
				style.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{highlight}}
			}
			if st.cell[hl][kind], err = f.NewStyle(style); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

const dimension = `<dimension ref="`

// writeSheet writes a sheet's part: the frame's XML with the rows after
// its header.
func writeSheet(zw *zip.Writer, part *zip.File, s *sheet, styles *cellStyles) (err error) {
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
			last, _ := excelize.ColumnNumberToName(max(len(s.cols), 1))
			head = slices.Concat(head[:from], fmt.Appendf(nil, "A1:%s%d", last, s.n+headerRow), head[from+n:])
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
	r := newRowWriter(s.cols, styles)
	r.buf = append(<-free, head...)
	var pacer tracker.Pacer
	for i := 0; i < s.n; i++ {
		pacer.Step()
		r.start(i + firstRow)
		s.row(i, r)
		r.end()
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
	buf   []byte
	col   int
	num   []byte    // the row's number, as text
	cols  []string  // column letters
	wrap  []bool    // the columns whose text wraps
	width []float64 // the columns' widths
	// at is where the row's room for its height is in buf; lines is the
	// most lines its wrapped text takes.
	at      int
	lines   int
	scratch []byte
	// attrs are each kind of cell's style attribute, plain and
	// highlighted; hl is the row's.
	attrs [2][cellKinds]string
	hl    int
}

func newRowWriter(cols []column, styles *cellStyles) *rowWriter {
	r := &rowWriter{}
	for c := 1; c <= max(len(cols), 1); c++ {
		name, _ := excelize.ColumnNumberToName(c)
		r.cols = append(r.cols, name)
	}
	for _, c := range cols {
		r.wrap = append(r.wrap, c.wrap)
		r.width = append(r.width, c.fit())
	}
	for hl := range 2 {
		for kind := range cellKinds {
			r.attrs[hl][kind] = ` s="` + strconv.Itoa(styles.cell[hl][kind]) + `"`
		}
	}
	return r
}

// start opens row n after what the buffer holds.
func (r *rowWriter) start(n int) {
	r.num = strconv.AppendInt(r.num[:0], int64(n), 10)
	r.buf = append(append(append(r.buf, `<row r="`...), r.num...), '"')
	// Room for the row's height, known once its cells are written:
	// spaces between attributes are nothing to XML.
	r.at = len(r.buf)
	r.buf = append(r.buf, heightRoom...)
	r.buf = append(r.buf, '>')
	r.col = 0
	r.hl = 0
	r.lines = 1
}

// lineHeight is the height of a line of Chinese text in points; a wrapped
// row has two more, below its last line.
const lineHeight = 16

// maxRowHeight is the tallest a row may be, in points (Excel's limit):
// a row of more text shows what fits and scrolls.
const maxRowHeight = 409

// heightRoom is the room a row keeps for its height attribute:
// ` ht="409" customHeight="1"`.
var heightRoom = strings.Repeat(" ", 26)

// end closes the row, as tall as its wrapped text.
func (r *rowWriter) end() {
	r.buf = append(r.buf, "</row>"...)
	if r.lines > 1 {
		attr := append(strconv.AppendInt(append(r.scratch[:0], ` ht="`...), int64(min(r.lines*lineHeight+2, maxRowHeight)), 10), `" customHeight="1"`...)
		copy(r.buf[r.at:], attr)
		r.scratch = attr
	}
}

// byteWidth is what each byte of UTF-8 adds to the width of text: one
// for a Latin character or the first byte of a two-byte one, two for the
// first byte of a three- or four-byte one (Chinese), none for the bytes
// that continue a character.
var byteWidth = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c < 0x80, c >= 0xC0 && c < 0xE0:
			t[c] = 1
		case c >= 0xE0:
			t[c] = 2
		}
	}
	return t
}()

// wrapLines counts the lines s takes in a column width wide: a Chinese
// character (three bytes of UTF-8) takes two of its width, a Latin one
// one; a line feed starts a line. Text is taken to break anywhere, as
// Chinese does; it errs towards a line more.
func wrapLines(s string, width float64) int {
	per := max(int(width)-1, 1)
	if len(s) <= per {
		return 1 + strings.Count(s, "\n") // no wider than its bytes
	}
	lines := 0
	for line := range strings.SplitSeq(s, "\n") {
		w := 0
		for i := 0; i < len(line); i++ {
			w += int(byteWidth[line[i]])
		}
		lines += max((w+per-1)/per, 1)
	}
	return lines
}

// Highlight marks the row as an overdue event's: every cell of it, even
// an empty one, is filled. It is called before the row's first cell.
func (r *rowWriter) Highlight() {
	r.hl = 1
}

// cell opens the next cell, of a kind, with its attributes (attrs starts
// with a space), and moves on.
func (r *rowWriter) cell(kind int, attrs string) {
	var col string
	if r.col < len(r.cols) {
		col = r.cols[r.col]
	} else {
		col, _ = excelize.ColumnNumberToName(r.col + 1)
	}
	if kind == kindPlain && r.col < len(r.wrap) && r.wrap[r.col] {
		kind = kindWrap
	}
	r.buf = append(append(append(append(append(append(r.buf, `<c r="`...), col...), r.num...), '"'), r.attrs[r.hl][kind]...), attrs...)
	r.col++
}

// skip leaves the next cell empty; in a highlighted row, filled.
func (r *rowWriter) skip() {
	if r.hl == 0 {
		r.col++
		return
	}
	r.cell(kindPlain, `/>`)
}

// Int writes a number.
func (r *rowWriter) Int(v int64) {
	r.cell(kindNumber, `><v>`)
	r.buf = append(strconv.AppendInt(r.buf, v, 10), `</v></c>`...)
}

// Uint writes a number.
func (r *rowWriter) Uint(v uint64) {
	r.cell(kindNumber, `><v>`)
	r.buf = append(strconv.AppendUint(r.buf, v, 10), `</v></c>`...)
}

// Date writes a date as yyyy-mm-dd; the zero date leaves the cell empty.
func (r *rowWriter) Date(d calendar.Date) {
	if d.IsZero() {
		r.skip()
		return
	}
	r.cell(kindDate, `><v>`)
	r.buf = append(strconv.AppendInt(r.buf, int64(d.Sub(excelEpoch)), 10), `</v></c>`...)
}

// Rate writes a rate, n of total, as a number shown in percent (so that
// it sorts and charts); nothing to rate leaves the cell empty.
func (r *rowWriter) Rate(n, total int) {
	if total == 0 {
		r.skip()
		return
	}
	r.cell(kindPercent, `><v>`)
	r.buf = append(strconv.AppendFloat(r.buf, float64(n)/float64(total), 'g', -1, 64), `</v></c>`...)
}

// Text writes text, cut to what a cell holds; the empty string leaves
// the cell empty.
func (r *rowWriter) Text(s string) {
	s = cutCell(s)
	if s == "" {
		r.skip()
		return
	}
	if r.col < len(r.wrap) && r.wrap[r.col] {
		r.lines = max(r.lines, wrapLines(s, r.width[r.col]))
	}
	if spaced(s[0]) || spaced(s[len(s)-1]) {
		r.cell(kindPlain, ` t="inlineStr"><is><t xml:space="preserve">`)
	} else {
		r.cell(kindPlain, ` t="inlineStr"><is><t>`)
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

// digestWorkbook lists every event of a digest, overdue ones
// highlighted.
func digestWorkbook(d *tracker.Digest) ([]byte, error) {
	title := titleOf("政务公开提醒", d.Office, d.Day)
	return workbook(docInfo{title: title, office: d.Office, at: d.Day.Start()}, []sheet{{
		name:  "提醒",
		title: title,
		cols: []column{{"事项", 30, true}, {"摘要", 28, true}, {"文号", 16, true}, {"公开期限", 11, false}, {"期限暂估", 6, false},
			{"剩余工作日", 7, false}, {"已逾期工作日", 7, false}, {"待公开渠道", 16, true}, {"形成或变更", 6, false},
			{"形成或变更日期", 11, false}, {"负责股室", 12, true}, {"事项序号", 5, false}, {"事件编号", 6, false}},
		n: len(d.Items),
		row: func(i int, r *rowWriter) {
			it := d.Items[i]
			e := it.Event
			if it.Overdue {
				r.Highlight()
			}
			r.Text(e.MatterName)
			r.Text(e.Summary)
			r.Text(e.Ref)
			r.Date(e.Deadline)
			r.Text(yes(e.Provisional))
			if it.Overdue {
				r.skip()
				r.Int(int64(it.Left))
			} else {
				r.Int(int64(it.Left))
				r.skip()
			}
			r.Text(e.PendingNames())
			r.Text(e.Kind.Name())
			r.Date(e.Date)
			r.Text(strings.Join(it.Sections, "、"))
			r.Int(int64(e.Matter))
			r.Uint(e.ID)
		},
	}})
}

// excelEpoch is day 0 of a spreadsheet's date serials.
var excelEpoch = calendar.DateOf(1899, 12, 30)

func ptr[T any](v T) *T { return &v }
