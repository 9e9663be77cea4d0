package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// init on a database that has its catalogue says it changed nothing, and
// changes nothing: the file stays byte for byte as it was.
func TestInitAgainChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	mustRun(t, vars, "init")
	mustRun(t, vars, "log", "3", "--changed", "--summary", "调整办理材料", "--date", "2026-11-02")
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, vars, "init"); !strings.Contains(out, "未作改动") {
		t.Errorf("init again: %q", out)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("init on an initialised database changed the file")
	}
}
