package ledger

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// An .xlsx workbook is read here, not through excelize: a million-row
// sheet took excelize 80–130 s to read (encoding/xml, one element at a
// time), too slow for the import's goal of a million rows in a minute.
// The parts that matter are few and plain: the workbook's list of sheets,
// the shared strings and the sheets' cells (SpreadsheetML, ECMA-376 part
// 1, §18.3 and §18.4). The small parts are read with encoding/xml; the
// sheets and the shared strings, which are large, by scanner below, which
// knows just enough XML: elements, attributes, text, the five entities
// and character references, comments, CDATA and processing instructions.
// TestWorkbookAsExcelizeReadsIt holds it to excelize on every kind of
// cell.

// workbook is an .xlsx file opened to read its sheets.
type workbook struct {
	parts    map[string]*zip.File
	sheets   []sheetPart // in the workbook's order
	shared   []string    // the shared strings, by index
	date1904 bool
	budget   int64 // bytes left to unpack (MaxUnzipped in all)
}

type sheetPart struct{ name, path string }

// errNotXLSX is a file that is not a workbook, or a damaged one.
type errNotXLSX struct{ why string }

func (e *errNotXLSX) Error() string { return e.why }

func notXLSX(format string, args ...any) error {
	return &errNotXLSX{fmt.Sprintf(format, args...)}
}

// maxUnzipped is MaxUnzipped, lowered by tests.
var maxUnzipped int64 = MaxUnzipped

// errTooBig: the workbook unpacks to more than MaxUnzipped.
var errTooBig = errors.New("unpacks to too much")

func openWorkbook(data []byte) (*workbook, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notXLSX("%v", err)
	}
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	w := &workbook{parts: map[string]*zip.File{}, budget: maxUnzipped}
	for _, f := range zr.File {
		w.parts[strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/")] = f
	}
	// The package's relationships name the workbook; the workbook's, its
	// sheets and shared strings.
	book := "xl/workbook.xml"
	var rels relationships
	if err := w.unmarshal("_rels/.rels", &rels); err == nil {
		for _, r := range rels.List {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				book = partPath("", r.Target)
			}
		}
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"id,attr"` // r:id, in the transitional or the strict namespace
		} `xml:"sheets>sheet"`
	}
	if err := w.unmarshal(book, &wb); err != nil {
		return nil, err
	}
	w.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	dir, base := path.Split(book)
	rels = relationships{}
	if err := w.unmarshal(dir+"_rels/"+base+".rels", &rels); err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels.List {
		if r.TargetMode == "External" {
			continue
		}
		targets[r.ID] = partPath(dir, r.Target)
		if p := partPath(dir, r.Target); strings.HasSuffix(r.Type, "/sharedStrings") && w.parts[p] != nil {
			if err := w.readShared(p); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range wb.Sheets {
		if p, ok := targets[s.ID]; ok && w.parts[p] != nil {
			w.sheets = append(w.sheets, sheetPart{s.Name, p})
		}
	}
	if len(w.sheets) == 0 {
		return nil, notXLSX("没有工作表")
	}
	return w, nil
}

type relationships struct {
	List []struct {
		ID         string `xml:"Id,attr"`
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// partPath resolves a relationship's target from the folder of the part
// that names it.
func partPath(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+dir+target), "/")
}

// open opens a part to read, counting what it unpacks against the budget.
func (w *workbook) open(name string) (io.ReadCloser, error) {
	f := w.parts[name]
	if f == nil {
		return nil, notXLSX("缺少 %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, notXLSX("%s：%v", name, err)
	}
	return &budgeted{rc, &w.budget}, nil
}

type budgeted struct {
	io.ReadCloser
	left *int64
}

func (b *budgeted) Read(p []byte) (int, error) {
	if *b.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > *b.left {
		p = p[:*b.left]
	}
	n, err := b.ReadCloser.Read(p)
	*b.left -= int64(n)
	return n, err
}

func (w *workbook) unmarshal(name string, v any) error {
	rc, err := w.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		if errors.Is(err, errTooBig) {
			return err
		}
		return notXLSX("%s：%v", name, err)
	}
	return nil
}

// readShared reads the shared strings: each <si> is its <t>s run
// together, phonetic runs (<rPh>) left out.
func (w *workbook) readShared(name string) error {
	rc, err := w.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := newScanner(rc)
	var b []byte
	in := false
	add := func(v string) error {
		// Each entry costs its string's header too: a table of millions
		// of empty entries is a zip bomb of its own.
		if w.budget -= 16; w.budget < 0 {
			return errTooBig
		}
		w.shared, in = append(w.shared, v), false
		return nil
	}
	for {
		k, err := sc.next()
		if err != nil {
			return w.scanError(name, err)
		}
		switch k {
		case tokEOF:
			return nil
		case tokStart:
			switch string(sc.name) {
			case "si":
				in, b = true, b[:0]
				if sc.empty {
					if err := add(""); err != nil {
						return err
					}
				}
			case "rPh": // phonetic text, not the string's
				if !sc.empty {
					if err := sc.skip(); err != nil {
						return w.scanError(name, err)
					}
				}
			case "t":
				if in && !sc.empty {
					if b, err = sc.appendText(b); err != nil {
						return w.scanError(name, err)
					}
				}
			}
		case tokEnd:
			if string(sc.name) == "si" && in {
				if err := add(ooxmlText(b)); err != nil {
					return err
				}
			}
		}
	}
}

func (w *workbook) scanError(name string, err error) error {
	switch {
	case errors.Is(err, errTooBig):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return notXLSX("%s 不完整", name)
	}
	return notXLSX("%s：%v", name, err)
}

// sheetRows reads a sheet's rows one at a time.
type sheetRows struct {
	w    *workbook
	name string
	rc   io.ReadCloser
	sc   *scanner
	line int
	done bool
	// row gathers the row being read.
	row rowCells
}

// rowCells gathers a row's values: their text in one buffer, made one
// string when the row ends, so that a million rows of eight cells are a
// million strings for the collector to trace, not eight million.
type rowCells struct {
	text  []byte
	cells []cellAt
}

// cellAt is a value: text[start:end], or a shared string.
type cellAt struct {
	col, start, end int
	shared          string
	isShared        bool
}

// strings returns the row's cells, "" where there is no value.
func (r *rowCells) strings() []string {
	if len(r.cells) == 0 {
		return []string{}
	}
	out := make([]string, r.cells[len(r.cells)-1].col+1)
	text := string(r.text)
	for _, c := range r.cells {
		if c.isShared {
			out[c.col] = c.shared
		} else {
			out[c.col] = text[c.start:c.end]
		}
	}
	r.text, r.cells = r.text[:0], r.cells[:0]
	return out
}

func (w *workbook) rows(s sheetPart) (*sheetRows, error) {
	rc, err := w.open(s.path)
	if err != nil {
		return nil, err
	}
	return &sheetRows{w: w, name: s.path, rc: rc, sc: newScanner(rc)}, nil
}

func (r *sheetRows) Close() error { return r.rc.Close() }

// next returns the next row's cells, as text (raw values: a number as
// stored, a shared string looked up) and its number; nil and 0 at the end.
func (r *sheetRows) next() ([]string, int, error) {
	if r.done {
		return nil, 0, nil
	}
	sc := r.sc
	inRow, inCell := false, false
	// The cell being read: its column, type and value.
	col, typ := -1, cellType(0)
	var val []byte
	var inV, inIs bool
	for {
		k, err := sc.next()
		if err != nil {
			return nil, 0, r.w.scanError(r.name, err)
		}
		switch k {
		case tokEOF:
			r.done = true
			if inRow {
				return nil, 0, r.w.scanError(r.name, io.ErrUnexpectedEOF)
			}
			return nil, 0, nil
		case tokStart:
			switch string(sc.name) {
			case "row":
				n := r.line + 1
				if v, ok := sc.attr("r"); ok {
					if n, err = strconv.Atoi(string(v)); err != nil || n <= r.line {
						return nil, 0, notXLSX("%s：行号 %q 无效", r.name, v)
					}
				}
				r.line = n
				if sc.empty {
					return []string{}, n, nil
				}
				inRow = true
				r.row.text, r.row.cells = r.row.text[:0], r.row.cells[:0]
			case "c":
				if !inRow {
					continue
				}
				col++
				if ref, ok := sc.attr("r"); ok {
					c, ok := columnOf(ref)
					if !ok || c < col {
						return nil, 0, notXLSX("%s：第 %d 行的单元格 %q 无效", r.name, r.line, ref)
					}
					col = c
				}
				t, _ := sc.attr("t")
				typ, val, inCell = typeOf(t), val[:0], !sc.empty
			case "v":
				inV = !sc.empty
			case "is":
				inIs = !sc.empty
			case "t":
				if inIs && !sc.empty {
					if val, err = sc.appendText(val); err != nil {
						return nil, 0, r.w.scanError(r.name, err)
					}
				}
			case "rPh":
				if inIs && !sc.empty {
					if err := sc.skip(); err != nil { // phonetic text, not the cell's
						return nil, 0, r.w.scanError(r.name, err)
					}
				}
			}
		case tokText:
			if inV {
				if val, err = sc.appendText(val); err != nil {
					return nil, 0, r.w.scanError(r.name, err)
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "v":
				inV = false
			case "is":
				inIs = false
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				if err := r.add(col, typ, val); err != nil {
					return nil, 0, err
				}
			case "row":
				if !inRow {
					continue
				}
				return r.row.strings(), r.line, nil
			case "sheetData":
				r.done = true
				return nil, 0, nil
			}
		}
	}
}

// maxColumns is a sheet's width in Excel (XFD).
const maxColumns = 16384

// cellType is a cell's t attribute, as far as it matters here: any other
// (a number, a formula's text, an error, a boolean) is read as written.
type cellType byte

const (
	sharedCell cellType = iota + 1 // t="s"
	inlineCell                     // t="inlineStr"
	dateCell                       // t="d"
)

func typeOf(t []byte) cellType {
	switch string(t) {
	case "s":
		return sharedCell
	case "inlineStr":
		return inlineCell
	case "d":
		return dateCell
	}
	return 0
}

// add adds the value of a cell of type typ, as written, to the row: its
// text (raw: a number as stored), or the shared string it names. An empty
// cell adds nothing (a row is as long as its last value), nor does a cell
// right of readColumns.
func (r *sheetRows) add(col int, typ cellType, val []byte) error {
	if len(val) == 0 || col >= readColumns {
		return nil
	}
	row := &r.row
	switch typ {
	case sharedCell:
		i, err := strconv.Atoi(strings.TrimSpace(string(val)))
		if err != nil || i < 0 || i >= len(r.w.shared) {
			return notXLSX("%s：第 %d 行引用的共享字符串 %q 不存在", r.name, r.line, val)
		}
		if v := r.w.shared[i]; v != "" {
			row.cells = append(row.cells, cellAt{col: col, shared: v, isShared: true})
		}
		return nil
	case inlineCell:
		start := len(row.text)
		row.text = appendOOXML(row.text, val)
		row.cells = append(row.cells, cellAt{col: col, start: start, end: len(row.text)})
		return nil
	case dateCell: // an ISO 8601 date, as Excel's strict files write dates
		if len(val) > 10 && val[10] == 'T' {
			val = val[:10]
		}
	}
	start := len(row.text)
	row.text = append(row.text, val...)
	row.cells = append(row.cells, cellAt{col: col, start: start, end: len(row.text)})
	return nil
}

// readColumns is how many columns of a sheet are read, A to IV: a ledger
// has a dozen, and a cell far right (XFD is column 16,384) would make
// every row that wide.
const readColumns = 256

// columnOf reads a cell reference's column: "C12" is 2.
func columnOf(ref []byte) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z'); i++ {
		n = n*26 + int(ref[i]|0x20-'a'+1)
		if n > maxColumns {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return n - 1, true
}

// ooxmlText undoes SpreadsheetML's escape of characters XML cannot hold:
// _x000D_ is a carriage return, and _x005F_ a literal underscore before
// what would read as an escape.
func ooxmlText(b []byte) string {
	if bytes.Index(b, []byte("_x")) < 0 {
		return string(b)
	}
	return string(appendOOXML(nil, b))
}

// appendOOXML appends b to out, _xHHHH_ escapes undone.
func appendOOXML(out, b []byte) []byte {
	if bytes.Index(b, []byte("_x")) < 0 {
		return append(out, b...)
	}
	for i := 0; i < len(b); {
		if i+7 <= len(b) && b[i] == '_' && b[i+1] == 'x' && b[i+6] == '_' {
			if v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16); err == nil {
				out = utf8.AppendRune(out, rune(v))
				i += 7
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}
