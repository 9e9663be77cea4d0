package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// report weekly --out: an existing file is refused (exit 2) and left as it
// was unless --force; a file is written whole or not at all, and no
// temporary file is left behind.
func TestReportOut(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GONGKAI_DB": filepath.Join(dir, "g.db"), "GONGKAI_NOW": "2026-11-30T09:00:00+08:00"}
	for _, args := range [][]string{{"init"}, {"log", "71", "--formed", "--summary", "抚恤金标准调整", "--date", "2026-10-20"}} {
		if code, _, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], code, stderr)
		}
	}
	cfg := filepath.Join(dir, "gongkai.toml")
	const old = "database = \"g.db\"\n"
	if err := os.WriteFile(cfg, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	weekly := func(args ...string) (int, string, string) {
		return runIn(t, vars, append([]string{"report", "weekly", "--format", "csv"}, args...)...)
	}
	leftovers := func() {
		t.Helper()
		tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
		if len(tmps) > 0 {
			t.Errorf("temporary files left: %q", tmps)
		}
	}

	t.Run("existing file refused", func(t *testing.T) {
		code, stdout, stderr := weekly("--out", cfg)
		want := `gongkai: --out 文件 "` + cfg + `" 已存在：换一个文件名，或加 --force 覆盖` + "\n"
		if code != exitInput || stdout != "" || stderr != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, exitInput, want)
		}
		if b, _ := os.ReadFile(cfg); string(b) != old {
			t.Errorf("the file now holds %q", b)
		}
		leftovers()
	})
	t.Run("missing folder refused", func(t *testing.T) {
		out := filepath.Join(dir, "nope", "w.csv")
		code, _, stderr := weekly("--out", out)
		if code != exitInput || !strings.Contains(stderr, "所在的文件夹") {
			t.Errorf("exit %d, stderr %q; want %d naming the folder", code, stderr, exitInput)
		}
	})
	t.Run("new file", func(t *testing.T) {
		out := filepath.Join(dir, "w.csv")
		if code, stdout, stderr := weekly("--out", out); code != 0 || stdout != "已写入 "+out+"。\n" {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil || !strings.HasPrefix(string(b), "\ufeff分组,事项,") || !strings.Contains(string(b), "抚恤金标准调整") {
			t.Errorf("the report reads %q, %v", b, err)
		}
		if fi, err := os.Stat(out); runtime.GOOS != "windows" && (err != nil || fi.Mode().Perm() != 0o640) {
			t.Errorf("mode %v, %v; want 0640", fi.Mode(), err)
		}
		leftovers()
	})
	t.Run("--force replaces", func(t *testing.T) {
		if code, _, stderr := weekly("--out", cfg, "--force"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if b, _ := os.ReadFile(cfg); !strings.HasPrefix(string(b), "\ufeff分组,事项,") {
			t.Errorf("the file now holds %q", b)
		}
		// The replaced file keeps its mode, as it did when written in place.
		if fi, err := os.Stat(cfg); runtime.GOOS != "windows" && (err != nil || fi.Mode().Perm() != 0o600) {
			t.Errorf("mode %v, %v; want 0600 kept", fi.Mode(), err)
		}
		leftovers()
	})
	t.Run("a folder is not a file", func(t *testing.T) {
		sub := filepath.Join(dir, "sub")
		if err := os.MkdirAll(filepath.Join(sub, "keep"), 0o700); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := weekly("--out", sub, "--force"); code != exitInput || !strings.Contains(stderr, sub+"\" 是一个文件夹") {
			t.Errorf("exit %d, stderr %q; want %d naming %s", code, stderr, exitInput, sub)
		}
		if fi, err := os.Stat(filepath.Join(sub, "keep")); err != nil || !fi.IsDir() {
			t.Errorf("the folder was touched: %v", err)
		}
		leftovers()
	})
}
