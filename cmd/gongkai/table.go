package main

import (
	"io"
	"slices"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"gongkai/calendar"
	"gongkai/tracker"
)

// newTable returns a table for people that aligns Chinese text: every CJK
// character is two columns, and characters of ambiguous width count as one
// whatever the locale says, as terminals draw them.
func newTable(w io.Writer, header ...string) *tablewriter.Table {
	style := tw.StyleLight
	if sw, ok := w.(*safeWriter); ok && sw.ascii {
		style = tw.StyleASCII
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Symbols: tw.NewSymbols(style),
		})),
	)
	if len(header) > 0 {
		t.Header(header)
	}
	return t
}

// printTable prints rows under cols, fitted to width columns (0: whole;
// see fit).
func printTable(w io.Writer, width int, cols []col, rows [][]string) error {
	header, rows := fit(width, cols, rows)
	t := newTable(w, header...)
	for _, r := range rows {
		t.Append(r)
	}
	return t.Render()
}

// renderClocked prints a table whose column at is the machine's clock
// beside a simulated time (timeCells), leaving that column out when no
// row has one.
func renderClocked(w io.Writer, width int, cols []col, rows [][]string, at int) error {
	if slices.ContainsFunc(rows, func(r []string) bool { return r[at] != "" }) {
		return printTable(w, width, cols, rows)
	}
	cut := make([][]string, len(rows))
	for i, r := range rows {
		cut[i] = slices.Delete(slices.Clone(r), at, at+1)
	}
	return printTable(w, width, slices.Delete(slices.Clone(cols), at, at+1), cut)
}

// simulatedMark follows a record's time that was simulated (GONGKAI_NOW).
const simulatedMark = "（模拟时间）"

// timeCells returns a record's time at in Shanghai, for a table, and the
// machine's clock beside it: when at was simulated (tracker.Simulated),
// at is marked and the clock shown; otherwise the second is "".
func timeCells(at, clock time.Time, layout string) (string, string) {
	s := at.In(calendar.Shanghai).Format(layout)
	if !tracker.Simulated(at, clock) {
		return s, ""
	}
	return s + simulatedMark, clock.In(calendar.Shanghai).Format(layout)
}
