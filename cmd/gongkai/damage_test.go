package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// damageDB builds a small database the way staff do, and returns its path
// and the variables the commands run with.
func damageDB(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	vars := map[string]string{"GONGKAI_DB": path, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	for _, args := range [][]string{
		{"init"},
		{"log", "3", "--changed", "--summary", "调整办理材料", "--date", "2026-11-02"},
		{"log", "5", "--formed", "--summary", "新政策", "--date", "2026-11-10", "--ref", "章人社字〔2026〕8号"},
		{"log", "71", "--formed", "--summary", "抚恤金标准", "--date", "2026-10-20"},
		{"disclose", "1", "--all", "--url", "https://www.zgq.gov.cn/xxgk/1"},
		{"waive", "2", "--reason", "依法不予公开"},
	} {
		if code, _, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	// Enough events for the buckets to need branch pages.
	for i := range 120 {
		args := []string{"log", fmt.Sprint(1 + i%81), "--formed", "--summary", fmt.Sprintf("第 %d 份材料：%s", i, strings.Repeat("办理指南", 10)), "--date", "2026-11-1" + fmt.Sprint(i%10)}
		if code, _, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	return path, vars
}

var hanRE = regexp.MustCompile(`\p{Han}`)

// A damaged file never crashes a command: every page of a database
// overwritten with zeros or with garbage, the file cut short, emptied or
// replaced. Each command either works (the page was free) or exits 1 with
// a Chinese message naming the file; and whenever the data read back
// differs from what was written, check says the file is damaged.
func TestDamagedFileNeverCrashes(t *testing.T) {
	pristine, vars := damageDB(t)
	want := mustRun(t, vars, "dump")
	data, err := os.ReadFile(pristine)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	type damage struct {
		name string
		file []byte
	}
	var damages []damage
	rng := rand.New(rand.NewPCG(7, 8))
	for p := 0; p < len(data)/pageSize; p++ {
		for _, kind := range []string{"zeros", "garbage"} {
			b := append([]byte(nil), data...)
			page := b[p*pageSize : (p+1)*pageSize]
			if kind == "zeros" {
				clear(page)
			} else {
				for i := range page {
					page[i] = byte(rng.Uint32())
				}
			}
			damages = append(damages, damage{fmt.Sprintf("page %d %s", p, kind), b})
		}
	}
	for _, size := range []int{0, 100, pageSize, 2 * pageSize, len(data) / 2, len(data) - pageSize} {
		damages = append(damages, damage{fmt.Sprintf("cut to %d bytes", size), data[:size]})
	}
	damages = append(damages, damage{"a text file", []byte("会议记录，不是数据库。\n")})

	commands := [][]string{
		{"check"}, {"events"}, {"show", "1"}, {"audit"}, {"audit", "verify"}, {"dump"},
		{"matters"}, {"remind", "--dry-run"}, {"report", "weekly"}, {"calendar", "status"},
		{"backup", "BACKUP"},
		{"log", "3", "--changed", "--summary", "又一次调整", "--date", "2026-11-18"},
	}
	// Each command on a copy of its own, as each is a process of its own:
	// bbolt keeps the lock of a file it panicked opening until the process
	// ends.
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gongkai.toml")
	if err := os.WriteFile(cfg, []byte("outbox_dir = \"outbox\"\n[recipients]\nofficers = [\"officer@example.gov.cn\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	copyOf := func(d damage) (string, map[string]string) {
		n++
		path := filepath.Join(dir, fmt.Sprintf("damaged-%d.db", n))
		if err := os.WriteFile(path, d.file, 0o600); err != nil {
			t.Fatal(err)
		}
		return path, map[string]string{"GONGKAI_DB": path, "GONGKAI_NOW": vars["GONGKAI_NOW"], "GONGKAI_CONFIG": cfg}
	}
	for _, d := range damages {
		_, cv := copyOf(d)
		checkCode, _, checkErr := runIn(t, cv, "check")
		_, dv := copyOf(d)
		dumpCode, dump, _ := runIn(t, dv, "dump")
		if checkCode == 0 && (dumpCode != 0 || dump != want) {
			t.Errorf("%s: check passes, but the data reads back differently (dump exit %d)", d.name, dumpCode)
		}
		if checkCode != 0 && checkCode != exitFailure {
			t.Errorf("%s: check exit %d, want 0 or 1: %s", d.name, checkCode, checkErr)
		}
		for _, args := range commands {
			path, cv := copyOf(d)
			args = append([]string(nil), args...)
			for j, a := range args {
				if a == "BACKUP" {
					args[j] = path + ".backup"
				}
			}
			code, _, stderr := runIn(t, cv, args...)
			switch {
			case code == 0:
			case code != exitFailure:
				t.Errorf("%s: gongkai %s: exit %d, want 0 or 1: %s", d.name, strings.Join(args, " "), code, stderr)
			case !strings.Contains(stderr, path) || !hanRE.MatchString(stderr) || strings.Contains(stderr, "goroutine"):
				t.Errorf("%s: gongkai %s: exit 1 without a Chinese message naming the file: %q", d.name, strings.Join(args, " "), stderr)
			}
		}
	}
}

// mustRun runs a command line in-process and returns its output, failing
// the test unless it succeeds.
func mustRun(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	code, out, stderr := runIn(t, vars, args...)
	if code != 0 {
		t.Fatalf("gongkai %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return out
}
