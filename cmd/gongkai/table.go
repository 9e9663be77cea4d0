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

// renderClocked renders a table whose column col is the machine's clock
// beside a simulated time (timeCells), leaving that column out when no
// row has one.
func renderClocked(w io.Writer, header []string, rows [][]string, col int) error {
	keep := slices.ContainsFunc(rows, func(r []string) bool { return r[col] != "" })
	cut := func(r []string) []string {
		if keep {
			return r
		}
		return slices.Delete(slices.Clone(r), col, col+1)
	}
	t := newTable(w, cut(header)...)
	for _, r := range rows {
		t.Append(cut(r))
	}
	return t.Render()
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
