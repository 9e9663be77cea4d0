package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDumpExitStatuses(t *testing.T) {
	vars := map[string]string{"GONGKAI_DB": filepath.Join(t.TempDir(), "g.db"), "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	if code, _, _ := runIn(t, vars, "dump"); code != exitNotFound {
		t.Errorf("dump without a database: exit %d, want %d", code, exitNotFound)
	}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runIn(t, vars, "log", "3", "--changed", "--summary", "调整办理材料", "--date", "2026-11-02"); code != 0 {
		t.Fatalf("log: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"all", []string{"dump"}, exitOK, `"summary":"调整办理材料"`, ""},
		{"one bucket", []string{"dump", "--bucket", "events"}, exitOK, `{"bucket":"events","key":1,`, ""},
		{"unknown bucket", []string{"dump", "--bucket", "nope"}, exitInput, "", `数据库中没有名为 "nope" 的桶：已有的桶是 accounts、audit、`},
		{"an argument", []string{"dump", "events"}, exitInput, "", "需要 0 个参数"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, vars, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %.200q, stderr %q; want %d, %q and %q", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
