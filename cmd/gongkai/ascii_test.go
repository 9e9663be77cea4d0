package main

import (
	"strings"
	"testing"
)

// --ascii (or GONGKAI_ASCII) draws every table with + - |, for consoles
// that show box drawing wrongly (cmd.exe with a legacy code page); the
// default is box drawing.
func TestASCIITables(t *testing.T) {
	for _, tc := range []struct {
		args []string
		vars map[string]string
		want bool
	}{
		{[]string{"calendar", "explain", "2026-11-02"}, nil, false},
		{[]string{"calendar", "explain", "2026-11-02", "--ascii"}, nil, true},
		{[]string{"--ascii", "calendar", "show", "2026", "10"}, nil, true},
		{[]string{"calendar", "explain", "2026-11-02"}, map[string]string{"GONGKAI_ASCII": "1"}, true},
		{[]string{"calendar", "explain", "2026-11-02", "--ascii=false"}, map[string]string{"GONGKAI_ASCII": "1"}, false},
	} {
		code, out, stderr := runIn(t, tc.vars, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr)
		}
		ascii := strings.Contains(out, "+--") && strings.Contains(out, "| ")
		box := strings.ContainsAny(out, "┌─│")
		if ascii != tc.want || box == tc.want {
			t.Errorf("%v %v: ascii %v, box drawing %v:\n%.400s", tc.args, tc.vars, ascii, box, out)
		}
	}
}
