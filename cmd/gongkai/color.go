package main

import (
	"bytes"
	"io"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
)

// Colours of a status, on a terminal only: never piped or redirected,
// never with NO_COLOR set (no-color.org). GONGKAI_COLOR=always forces
// them (tests; a pager that shows them).

const (
	sgrRed    = "\x1b[31m"
	sgrYellow = "\x1b[33m"
	sgrGreen  = "\x1b[32m"
	sgrReset  = "\x1b[0m"
)

// colored reports whether standard output takes colours.
func (e *env) colored() bool {
	if e.getenv("NO_COLOR") != "" {
		return false
	}
	return e.getenv("GONGKAI_COLOR") == "always" || e.termWidth > 0
}

// statusColor is an event's status colour: overdue red; due today or
// within a working day yellow; closed in time green; else none.
func statusColor(v *tracker.EventView, asOf calendar.Date) string {
	switch {
	case v.Status == tracker.Overdue:
		return sgrRed
	case v.WorkdaysLeft != nil && *v.WorkdaysLeft <= 1:
		return sgrYellow
	case v.Status == tracker.Done:
		return sgrGreen
	}
	return ""
}

// raw writes trusted bytes (colour codes around text already escaped)
// past the escaping.
func (s *safeWriter) raw(p []byte) error {
	if err := s.Flush(); err != nil {
		return err
	}
	_, err := s.w.Write(p)
	return err
}

// printColoredTable prints a table like printTable, the cell of column
// at of row i in colour colorOf(i) ("" for none), when w takes colours.
// The table is rendered and escaped first, then coloured: no colour code
// can come from the records.
func printColoredTable(w io.Writer, width int, cols []col, rows [][]string, at int, colorOf func(i int) string, color bool) error {
	sw, ok := w.(*safeWriter)
	if !color || !ok {
		return printTable(w, width, cols, rows)
	}
	header, fitted := fit(width, cols, rows)
	// The column's place once some were left out.
	pos := -1
	for i, h := range header {
		if h == cols[at].header {
			pos = i
		}
	}
	var rendered bytes.Buffer
	esc := &safeWriter{w: &rendered, ascii: sw.ascii}
	t := newTable(esc, header...)
	for _, r := range fitted {
		t.Append(r)
	}
	if err := t.Render(); err != nil {
		return err
	}
	esc.Flush()
	sep := "│"
	if sw.ascii {
		sep = "|"
	}
	lines := strings.Split(rendered.String(), "\n")
	// Lines: the top border, the header, a rule, then a line per row.
	for i := range fitted {
		n := i + 3
		if pos < 0 || n >= len(lines) {
			break
		}
		c := colorOf(i)
		if c == "" {
			continue
		}
		cells := strings.Split(lines[n], sep)
		if pos+1 >= len(cells) {
			continue
		}
		cell := cells[pos+1]
		text := strings.TrimSpace(cell)
		lead := strings.Index(cell, text)
		cells[pos+1] = cell[:lead] + c + text + sgrReset + cell[lead+len(text):]
		lines[n] = strings.Join(cells, sep)
	}
	return sw.raw([]byte(strings.Join(lines, "\n")))
}
