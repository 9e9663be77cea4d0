package main

import (
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Tables fit the terminal they are shown in: a column that matters less
// is left out, long text is cut with "…" at a character's boundary by
// East-Asian width; --wide shows everything, and output that is not a
// terminal (piped, redirected) is never cut.

// envColumns forces the width of the terminal (tests; a console whose
// size cannot be read).
const envColumns = "GONGKAI_COLUMNS"

// cellWidth is how many columns a terminal draws s in: CJK characters
// two, characters of ambiguous width one, as terminals draw them (and as
// newTable aligns them).
var cellWidth = runewidth.Condition{EastAsianWidth: false}

// col is a column of a table that fits.
type col struct {
	header string
	// drop: 0, always shown; otherwise left out when the table is too
	// wide, the highest first.
	drop int
	// cut: the column's text may be cut, down to min columns; columns
	// that may be left out are, before it is cut below want.
	cut       bool
	min, want int
}

// width is the terminal's width that tables fit, or 0: not a terminal,
// or --wide (nothing is cut).
func (e *env) width() int {
	if e.wide {
		return 0
	}
	if v := e.getenv(envColumns); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 20 {
			return n
		}
	}
	return e.termWidth
}

// fit returns the header and rows of a table that fits width columns
// (0: as they are), drawn with newTable's borders.
func fit(width int, cols []col, rows [][]string) ([]string, [][]string) {
	keep := make([]bool, len(cols))
	for i := range keep {
		keep[i] = true
	}
	natural := make([]int, len(cols))
	for i, c := range cols {
		natural[i] = cellWidth.StringWidth(c.header)
		for _, r := range rows {
			natural[i] = max(natural[i], cellWidth.StringWidth(r[i]))
		}
	}
	// A table's borders: "│ " before each column, " │" after the last,
	// " " after each.
	total := func(w []int) int {
		n := 1
		for i, x := range w {
			if keep[i] {
				n += x + 3
			}
		}
		return n
	}
	widths := append([]int(nil), natural...)
	// cutTo is the widths with every cuttable column cut to what its
	// wish allows (its min, or its want).
	cutTo := func(wish func(col) int) []int {
		w := append([]int(nil), widths...)
		for i, c := range cols {
			if c.cut {
				w[i] = min(w[i], max(wish(c), cellWidth.StringWidth(c.header)))
			}
		}
		return w
	}
	if width > 0 {
		// Leave out columns, the least needed first, while the table cut
		// only as far as its columns want is too wide.
		for total(cutTo(func(c col) int { return max(c.want, c.min) })) > width {
			worst, at := 0, -1
			for i, c := range cols {
				if keep[i] && c.drop > worst {
					worst, at = c.drop, i
				}
			}
			if at < 0 {
				break
			}
			keep[at] = false
		}
		// Then cut the widest cuttable column by a column at a time.
		for total(widths) > width {
			at := -1
			for i, c := range cols {
				if keep[i] && c.cut && widths[i] > max(c.min, cellWidth.StringWidth(c.header)) && (at < 0 || widths[i] > widths[at]) {
					at = i
				}
			}
			if at < 0 {
				break
			}
			widths[at]--
		}
	}
	var header []string
	for i, c := range cols {
		if keep[i] {
			header = append(header, c.header)
		}
	}
	out := make([][]string, len(rows))
	for j, r := range rows {
		for i, cell := range r {
			if !keep[i] {
				continue
			}
			if widths[i] < natural[i] {
				cell = truncate(cell, widths[i])
			}
			out[j] = append(out[j], cell)
		}
	}
	return header, out
}

// truncate cuts s to w columns, ending it with "…" when cut, at a
// character's boundary.
func truncate(s string, w int) string {
	if cellWidth.StringWidth(s) <= w {
		return s
	}
	return cellWidth.Truncate(strings.ReplaceAll(s, "\n", " "), w, "…")
}
