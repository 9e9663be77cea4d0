package main

import (
	"bytes"
	"strings"

	"github.com/spf13/cobra"
)

// helpWidth is the width every --help fits: a console's 80 columns.
const helpWidth = 80

// wrapHelp wraps every command's help to helpWidth columns, by East-Asian
// width: a long line breaks after Chinese punctuation or a space where it
// can, else between characters, and goes on under its own text (a flag's
// description under the description, a paragraph under its indent).
func wrapHelp(root *cobra.Command) {
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		var b bytes.Buffer
		out := c.OutOrStdout()
		c.SetOut(&b)
		help(c, args)
		c.SetOut(out)
		out.Write([]byte(wrapText(b.String(), helpWidth)))
	})
}

// wrapText wraps each line of s to width columns.
func wrapText(s string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(wrapLine(line, width))
	}
	return b.String()
}

// wrapLine wraps one line.
func wrapLine(line string, width int) string {
	if cellWidth.StringWidth(line) <= width {
		return line
	}
	indent := hangingIndent(line)
	if indent >= width/2 {
		indent = 4
	}
	var b strings.Builder
	rest := line
	first := true
	for {
		room := width
		if !first {
			room -= indent
		}
		if cellWidth.StringWidth(rest) <= room {
			if !first {
				b.WriteString(strings.Repeat(" ", indent))
			}
			b.WriteString(rest)
			return b.String()
		}
		cut := breakAt(rest, room)
		if !first {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(strings.TrimRight(rest[:cut], " "))
		b.WriteByte('\n')
		rest = strings.TrimLeft(rest[cut:], " ")
		first = false
	}
}

// hangingIndent is where a wrapped line's next lines start: under a
// flag's description (after the gap of two spaces or more that follows
// the flag), else under the line's own text.
func hangingIndent(line string) int {
	lead := len(line) - len(strings.TrimLeft(line, " "))
	if strings.HasPrefix(strings.TrimLeft(line, " "), "-") {
		if i := strings.Index(line[lead:], "  "); i >= 0 {
			j := lead + i
			for j < len(line) && line[j] == ' ' {
				j++
			}
			return cellWidth.StringWidth(line[:j])
		}
	}
	return lead
}

// breakAt is the byte offset where s breaks to fit width columns: after
// the last Chinese punctuation or space that fits, else after the last
// character that fits.
func breakAt(s string, width int) int {
	w, last, fits := 0, -1, 0
	for i, r := range s {
		rw := cellWidth.RuneWidth(r)
		if w+rw > width {
			break
		}
		w += rw
		fits = i + len(string(r))
		if strings.ContainsRune(" ，、；：。）》", r) {
			last = fits
		}
	}
	if last > 0 && last > fits/2 {
		return last
	}
	if fits == 0 {
		_, size := firstRune(s)
		return size
	}
	return fits
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}
