package main

import (
	"fmt"
	"io"
	"unicode/utf8"

	"gongkai/tracker"
)

// safeWriter writes what a command prints with every tracker.Unsafe
// character but tab, newline and the carriage return of a CRLF line end
// (CSV's) shown as an escape (\u001b, \u202e):
// text stored before gongkai refused such characters, or quoted from bad
// input in a message, can neither drive the terminal (retitle it, move
// the cursor, overwrite a column with a carriage return) nor reorder what
// it shows. The escape is also JSON's, so JSON output means the same.
//
// A character split across two writes is held until the next one; Flush
// writes what is held at the end.
type safeWriter struct {
	w io.Writer
	// ascii: tables drawn with ASCII (--ascii), for consoles that show
	// box drawing characters wrongly.
	ascii bool
	held  []byte // the start of a character the last write ended in
	buf   []byte
}

func newSafeWriter(w io.Writer) *safeWriter { return &safeWriter{w: w} }

func (s *safeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.held) > 0 {
		p = append(s.held, p...)
		s.held = nil
	}
	if clean(p) {
		// The common case: nothing to escape, and no character cut.
		_, err := s.w.Write(p)
		return n, err
	}
	out := s.buf[:0]
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 && !utf8.FullRune(p[i:]) {
			s.held = append([]byte(nil), p[i:]...)
			break
		}
		if r == '\r' && i+1 == len(p) {
			s.held = []byte{'\r'} // a line end, or not: the next write says
			break
		}
		if tracker.Unsafe(r) && r != '\t' && r != '\n' && !(r == '\r' && p[i+1] == '\n') {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, p[i:i+size]...)
		}
		i += size
	}
	s.buf = out
	_, err := s.w.Write(out)
	return n, err
}

// Flush writes a character left cut at the end, as it is.
func (s *safeWriter) Flush() error {
	if len(s.held) == 0 {
		return nil
	}
	_, err := s.w.Write(s.held)
	s.held = nil
	return err
}

// clean reports whether p has nothing to escape and ends on a whole
// character: no control byte but tab, newline and CRLF, no C1 control (C2 80–9F)
// and no bidirectional control (E2 80 AA–AE, E2 81 A6–A9).
func clean(p []byte) bool {
	for i, b := range p {
		switch {
		case b == '\r':
			if i+1 == len(p) || p[i+1] != '\n' {
				return false
			}
		case b < 0x20 && b != '\t' && b != '\n', b == 0x7f:
			return false
		case b == 0xc2 && i+1 < len(p) && p[i+1] <= 0x9f,
			b == 0xe2 && i+2 < len(p) && (p[i+1] == 0x80 && p[i+2] >= 0xaa && p[i+2] <= 0xae ||
				p[i+1] == 0x81 && p[i+2] >= 0xa6 && p[i+2] <= 0xa9):
			return false
		}
	}
	return len(p) == 0 || utf8.FullRune(lastRune(p))
}

// lastRune returns the bytes of p from the start of its last character.
func lastRune(p []byte) []byte {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			return p[i:]
		}
	}
	return p
}
