package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// scanner reads XML as a sheet's parts are written: a stream of start
// tags, end tags and text, from a buffer it refills, without building a
// tree. Names lose their prefix (x:row is row); a DOCTYPE is refused (no
// entity but XML's five is defined in a workbook).
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	// The last tag: its local name, its attributes as written, and
	// whether it closed itself. They point into buf: valid until the next
	// call.
	name, attrs []byte
	empty       bool
	// text: the current token is the text at pos, not yet read.
	text bool
}

const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText
)

// maxToken is the longest tag or comment read whole: Excel's cells hold
// 32,767 characters at most.
const maxToken = 16 << 20

var errTokenTooLong = errors.New("标记过长")

// maxText is the longest text read, a cell's or a shared string's: a
// cell holds 32,767 characters at most, up to 96 KiB in UTF-8.
const maxText = 128 << 10

var errTextTooLong = errors.New("单元格的文字超过 32,767 个字符")

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, 256<<10)}
}

// fill reads more after buf[pos:end], moving it to the front, growing the
// buffer when it is full. It returns io.EOF when nothing more comes.
func (s *scanner) fill() error {
	for {
		if s.eof {
			return io.EOF
		}
		if s.pos > 0 {
			copy(s.buf, s.buf[s.pos:s.end])
			s.end -= s.pos
			s.pos = 0
		}
		if s.end == len(s.buf) {
			if len(s.buf) >= maxToken {
				return errTokenTooLong
			}
			nb := make([]byte, 2*len(s.buf))
			copy(nb, s.buf[:s.end])
			s.buf = nb
		}
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			if n == 0 {
				return io.EOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// ensure makes at least n bytes available at pos, or all that is left.
func (s *scanner) ensure(n int) error {
	for s.end-s.pos < n {
		if err := s.fill(); err != nil {
			return err
		}
	}
	return nil
}

// index finds sep at or after pos+from, refilling as needed; it returns
// the offset from pos.
func (s *scanner) index(from int, sep string) (int, error) {
	for {
		if i := bytes.Index(s.buf[s.pos+from:s.end], []byte(sep)); i >= 0 {
			return from + i, nil
		}
		from = max(from, s.end-s.pos-len(sep)+1)
		if err := s.fill(); err != nil {
			if err == io.EOF {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}

// next reads the next token.
func (s *scanner) next() (int, error) {
	if s.text {
		if _, err := s.readText(nil, true); err != nil {
			return 0, err
		}
	}
	for {
		if s.pos == s.end {
			if err := s.fill(); err == io.EOF {
				return tokEOF, nil
			} else if err != nil {
				return 0, err
			}
			continue
		}
		if s.buf[s.pos] != '<' {
			s.text = true
			return tokText, nil
		}
		if s.pos+1 < s.end && s.buf[s.pos+1] != '!' && s.buf[s.pos+1] != '?' {
			return s.tag() // most are tags: no declaration to look for
		}
		if err := s.ensure(9); err != nil && err != io.EOF {
			return 0, err
		}
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			s.text = true
			return tokText, nil
		case bytes.HasPrefix(rest, []byte("<!--")), bytes.HasPrefix(rest, []byte("<?")):
			if err := s.skipMarkup(); err != nil {
				return 0, err
			}
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			return 0, errors.New("含有 DOCTYPE 或其他不支持的声明")
		}
		return s.tag()
	}
}

// skipMarkup skips the comment or processing instruction at pos.
func (s *scanner) skipMarkup() error {
	end, from := "?>", 2
	if s.buf[s.pos+1] == '!' {
		end, from = "-->", 4 // after <!--: <!--> is not a whole comment
	}
	i, err := s.index(from, end)
	if err != nil {
		return err
	}
	s.pos += i + len(end)
	return nil
}

// tag reads the start or end tag at pos.
func (s *scanner) tag() (int, error) {
	// Its end: the first > outside quotes.
	i, quote := 1, byte(0)
scan:
	for {
		for ; s.pos+i < s.end; i++ {
			c := s.buf[s.pos+i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				break scan
			}
		}
		if err := s.fill(); err != nil {
			if err == io.EOF {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
	t := s.buf[s.pos+1 : s.pos+i]
	s.pos += i + 1
	kind := tokStart
	if len(t) > 0 && t[0] == '/' {
		kind, t = tokEnd, t[1:]
	}
	s.empty = false
	if kind == tokStart && len(t) > 0 && t[len(t)-1] == '/' {
		s.empty, t = true, t[:len(t)-1]
	}
	n := 0
	for n < len(t) && !isSpace(t[n]) {
		n++
	}
	s.name, s.attrs = t[:n], t[n:]
	if c := bytes.LastIndexByte(s.name, ':'); c >= 0 {
		s.name = s.name[c+1:]
	}
	if len(s.name) == 0 {
		return 0, errors.New("标记没有名称")
	}
	return kind, nil
}

// attr returns the value of the last start tag's attribute key (without a
// prefix), as written: the attributes read here hold no entities.
func (s *scanner) attr(key string) ([]byte, bool) {
	a := s.attrs
	for {
		a = trimSpace(a)
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil, false
		}
		name := a[:eq]
		for len(name) > 0 && isSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		a = trimSpace(a[eq+1:])
		if len(a) == 0 || a[0] != '"' && a[0] != '\'' {
			return nil, false
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return nil, false
		}
		if string(name) == key {
			return a[1 : 1+end], true
		}
		a = a[end+2:]
	}
}

// appendText reads the text at pos onto dst, entities and character
// references decoded, CDATA taken as it is, comments left out; it stops
// before the next tag.
func (s *scanner) appendText(dst []byte) ([]byte, error) {
	return s.readText(dst, false)
}

func (s *scanner) readText(dst []byte, discard bool) ([]byte, error) {
	s.text = false
	for {
		if len(dst) > maxText {
			return dst, errTextTooLong
		}
		if s.pos == s.end {
			if err := s.fill(); err == io.EOF {
				return dst, nil
			} else if err != nil {
				return dst, err
			}
			continue
		}
		switch s.buf[s.pos] {
		case '<':
			if s.pos+1 < s.end && s.buf[s.pos+1] != '!' && s.buf[s.pos+1] != '?' {
				return dst, nil // a tag ends the text
			}
			if err := s.ensure(9); err != nil && err != io.EOF {
				return dst, err
			}
			rest := s.buf[s.pos:s.end]
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				i, err := s.index(9, "]]>")
				if err != nil {
					return dst, err
				}
				if !discard {
					cdata := s.buf[s.pos+9 : s.pos+i]
					if bytes.IndexByte(cdata, '\r') >= 0 { // line breaks read as \n here too
						cdata = bytes.ReplaceAll(bytes.ReplaceAll(cdata, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
					}
					dst = append(dst, cdata...)
				}
				s.pos += i + 3
			case bytes.HasPrefix(rest, []byte("<!--")), bytes.HasPrefix(rest, []byte("<?")):
				if err := s.skipMarkup(); err != nil {
					return dst, err
				}
			default:
				return dst, nil
			}
		case '&':
			i, err := s.index(1, ";")
			if err == io.ErrUnexpectedEOF {
				return dst, err
			}
			if err != nil || i > 12 {
				return dst, fmt.Errorf("实体 %.12q 无效", s.buf[s.pos:min(s.end, s.pos+12)])
			}
			r, ok := entity(s.buf[s.pos+1 : s.pos+i])
			if !ok {
				return dst, fmt.Errorf("实体 %q 无效", s.buf[s.pos:s.pos+i+1])
			}
			if !discard {
				dst = utf8.AppendRune(dst, r)
			}
			s.pos += i + 1
		case '\r': // XML reads a line break as \n
			if err := s.ensure(2); err != nil && err != io.EOF {
				return dst, err
			}
			s.pos++
			if s.pos < s.end && s.buf[s.pos] == '\n' {
				s.pos++
			}
			if !discard {
				dst = append(dst, '\n')
			}
		default:
			chunk := s.buf[s.pos:s.end]
			for i, c := range chunk {
				if c == '<' || c == '&' || c == '\r' {
					chunk = chunk[:i]
					break
				}
			}
			if !discard {
				dst = append(dst, chunk...)
			}
			s.pos += len(chunk)
		}
	}
}

// entity decodes what is between & and ;.
func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// skip reads past the end of the element whose start tag was just read.
func (s *scanner) skip() error {
	for depth := 1; depth > 0; {
		k, err := s.next()
		if err != nil {
			return err
		}
		switch {
		case k == tokEOF:
			return io.ErrUnexpectedEOF
		case k == tokStart && !s.empty:
			depth++
		case k == tokEnd:
			depth--
		}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// trimSpace drops the white space XML allows before a name or a value.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}
