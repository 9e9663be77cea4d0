package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker/boltstore"
)

// runIn runs one command line in-process with its own output buffers.
func runIn(t testing.TB, envVars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string { return envVars[k] },
	}
	code = run(args, e)
	return code, out.String(), errOut.String()
}

func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	good := filepath.Join(dir, "2028.json")
	os.WriteFile(good, []byte(`{"year": 2028, "papers": [], "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}]}`), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"year": 2028, "days": [{"name": "元旦", "date": "2028-01-32", "isOffDay": true}]}`), 0o600)
	vars := map[string]string{"GONGKAI_DB": db}

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ok", []string{"calendar", "add", "2026-11-02"}, exitOK, ""},
		{"bad date", []string{"calendar", "between", "2026-11-02", "2026-11-31"}, exitInput, `TO：日期 "2026-11-31" 无效`},
		{"out of range", []string{"calendar", "explain", "2100-01-01"}, exitInput, "超出日历范围"},
		{"bad flag", []string{"calendar", "add", "--days", "x"}, exitInput, "选项 --days"},
		{"unknown command", []string{"calendar", "nope"}, exitInput, `未知命令 "nope"`},
		{"bad import", []string{"calendar", "import", bad}, exitInput, "days[0]"},
		{"import before init", []string{"calendar", "import", good}, exitNotFound, "不存在：运行 gongkai init 创建"},
		{"init", []string{"init"}, exitOK, ""},
		{"import", []string{"calendar", "import", good}, exitOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runIn(t, vars, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}

	// A database held by another opener: exit 4 after the wait, with the
	// file untouched.
	s, err := boltstore.Open(db, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Schedules()
	code, _, stderr := runIn(t, vars, "calendar", "import", "--db", db, good)
	if code != exitBusy || !strings.Contains(stderr, "正被其他进程") {
		t.Errorf("import beside a lock holder: exit %d, %q; want %d", code, stderr, exitBusy)
	}
	after, _ := s.Schedules()
	s.Close()
	if len(before) != 1 || len(after) != 1 || !after[0].ImportedAt.Equal(before[0].ImportedAt) {
		t.Errorf("the busy import changed the stored schedules: %+v → %+v", before, after)
	}
}

// A database written by a newer gongkai is refused with a sentence, exit 2,
// and left as it was.
func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	b, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte("99")) })
	b.Close()
	before, _ := os.ReadFile(db)
	for _, args := range [][]string{{"log", "3", "--changed", "--summary", "x"}, {"events"}} {
		code, _, stderr := runIn(t, vars, args...)
		if code != exitInput || !strings.Contains(stderr, "由更新版本的 gongkai 写入（数据格式第 99 版") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("the database changed")
	}
}

// A failure of the system that no message of gongkai's caught still
// reaches people in Chinese, with the system's words in parentheses.
func TestSystemFailuresInChinese(t *testing.T) {
	err := &fs.PathError{Op: "write", Path: "/srv/report.xlsx", Err: syscall.ENOSPC}
	code, msg := exitCode(err, nil)
	if code != exitFailure || msg != "操作失败：磁盘空间不足（write /srv/report.xlsx: no space left on device）" {
		t.Errorf("exit %d, %q", code, msg)
	}
}
