package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/boltstore"
)

// Text that would drive a terminal, reorder what it shows, or swamp a
// table is refused in every one-line field, naming the field, its option
// and the position; nothing is written.
func TestUnsafeTextRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	mustRun(t, vars, "init")
	mustRun(t, vars, "log", "3", "--changed", "--summary", "调整办理材料", "--date", "2026-11-02")
	mustRun(t, vars, "log", "5", "--formed", "--summary", "新政策", "--date", "2026-11-10")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"escape in a summary", []string{"log", "3", "--formed", "--summary", "a\x1b]0;已处理\ab"}, "摘要 --summary 的第 2 个字符是控制字符或文字方向控制符（U+001B）"},
		{"carriage return in --by", []string{"log", "3", "--formed", "--summary", "x", "--by", "张\r三"}, "操作人 --by 的第 2 个字符"},
		{"override in a 文号", []string{"log", "3", "--formed", "--summary", "x", "--ref", "\u202e号〕6202〔"}, "文号 --ref 的第 1 个字符"},
		{"isolate in an amended summary", []string{"amend", "1", "--summary", "材料\u2066清单", "--reason", "笔误"}, "摘要 --summary 的第 3 个字符"},
		{"C1 in a note", []string{"disclose", "1", "--all", "--note", "公示\u0085栏"}, "备注 --note 的第 3 个字符"},
		{"DEL in a reason", []string{"waive", "2", "--reason", "依法\x7f"}, "原因 --reason 的第 3 个字符"},
		{"not UTF-8", []string{"log", "3", "--formed", "--summary", "\xb5\xf7\xd5\xfb"}, "摘要 --summary 不是有效的 UTF-8 文字"},
		{"long summary", []string{"log", "3", "--formed", "--summary", strings.Repeat("长", 501)}, "摘要 --summary 太长：共 501 个字符，最多 500 个"},
		{"long 文号", []string{"log", "3", "--formed", "--summary", "x", "--ref", strings.Repeat("号", 101)}, "文号 --ref 太长"},
		{"long name", []string{"log", "3", "--formed", "--summary", "x", "--by", strings.Repeat("名", 51)}, "操作人 --by 太长：共 51 个字符，最多 50 个"},
		{"long reason", []string{"reopen", "1", "--reason", strings.Repeat("因", 1001)}, "原因 --reason 太长"},
		{"long URL", []string{"disclose", "1", "--all", "--url", "https://www.zgq.gov.cn/" + strings.Repeat("a", 2000)}, "网址 --url 太长"},
		{"javascript URL", []string{"disclose", "1", "--all", "--url", "javascript:alert(1)"}, `网址 --url "javascript:alert(1)" 无效`},
		{"URL without a host", []string{"disclose", "1", "--all", "--url", "https:///xxgk"}, "网址 --url"},
		{"URL without a scheme", []string{"disclose", "1", "--all", "--url", "www.zgq.gov.cn/xxgk/1"}, "应为 http:// 或 https:// 开头"},
		{"empty date", []string{"log", "3", "--formed", "--summary", "x", "--date", ""}, "选项 --date 的值是空的"},
		{"empty as-of", []string{"events", "--as-of", " "}, "选项 --as-of 的值是空的"},
		{"empty by", []string{"waive", "2", "--reason", "依法不予公开", "--by", ""}, "选项 --by 的值是空的"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(db)
			code, _, stderr := runIn(t, vars, tc.args...)
			if code != exitInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitInput, tc.want)
			}
			if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
				t.Error("the refused command changed the database")
			}
		})
	}
}

// Full-width digits and punctuation, as a Chinese input method types
// them, are read as their ASCII forms: dates, 序号 and event numbers.
func TestFullWidthInput(t *testing.T) {
	vars := map[string]string{"GONGKAI_DB": filepath.Join(t.TempDir(), "g.db"), "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	mustRun(t, vars, "init")
	out := mustRun(t, vars, "log", "３", "--changed", "--summary", "调整办理材料", "--date", "２０２６－１１－０２")
	if !strings.Contains(out, "事项      3 社会保险参保登记") || !strings.Contains(out, "信息变更  2026-11-02") || !strings.Contains(out, "公开期限  2026-11-30") {
		t.Errorf("log with full-width input:\n%s", out)
	}
	if out := mustRun(t, vars, "show", "＃１"); !strings.Contains(out, "事件 1：调整办理材料") {
		t.Errorf("show ＃１:\n%s", out)
	}
	if out := mustRun(t, vars, "calendar", "add", "２０２６－１１－０２"); out != "2026-11-02\t2026-11-30\n" {
		t.Errorf("calendar add: %q", out)
	}
	code, _, stderr := runIn(t, vars, "log", "3", "--changed", "--summary", "x", "--date", "２０２６－１１－３１")
	if code != exitInput || !strings.Contains(stderr, `日期 "２０２６－１１－３１" 无效：2026年11月只有30天`) {
		t.Errorf("a full-width date that does not exist: exit %d, %q", code, stderr)
	}
}

// Text stored before such characters were refused (or given by a name
// the operations take as it comes) is shown escaped: it cannot retitle
// the terminal or overwrite a column, and JSON stays valid and says the
// same.
func TestStoredControlsEscaped(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	mustRun(t, vars, "init")
	s, err := boltstore.Open(db, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, calendar.Shanghai)
	hostile := "张\x1b]0;已处理\a\r王\u202e五"
	err = s.Update(func(tx tracker.Tx) error {
		ops := &tracker.Ops{Tx: tx, Cal: calendar.Default(), Clock: tracker.Clock{Now: now, Today: calendar.Today(now), By: hostile}}
		_, err := ops.Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: calendar.DateOf(2026, 11, 2), Summary: "调整办理材料"})
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"events"}, {"show", "1"}, {"audit"}, {"events", "--format", "csv"}, {"events", "--format", "json"}, {"dump"}} {
		out := mustRun(t, vars, args...)
		if strings.ContainsAny(out, "\x1b\a\u202e") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\r") {
			t.Errorf("gongkai %s prints a control character raw", strings.Join(args, " "))
		}
		// JSON writes the carriage return \r; the rest of the text, \u000d.
		shown := len(args) > 1 || args[0] != "events" // the table has no column of who logged
		if shown && (!strings.Contains(out, `张\u001b]0;已处理\u0007`) || !strings.Contains(out, `王\u202e五`)) {
			t.Errorf("gongkai %s does not show the name escaped", strings.Join(args, " "))
		}
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, vars, "events", "--format", "json")), &list); err != nil || len(list) != 1 || list[0]["by"] != hostile {
		t.Errorf("the JSON, escaped, does not read back as stored: %v %v", list, err)
	}
}

// The writer holds a character split between two writes, and keeps CSV's
// CRLF line ends.
func TestSafeWriter(t *testing.T) {
	var b bytes.Buffer
	w := newSafeWriter(&b)
	bidi := []byte("\u202e")
	for _, p := range [][]byte{[]byte("a,b\r"), []byte("\nc"), bidi[:1], bidi[1:], []byte("d\r"), []byte("x\x1b"), []byte("中文"), []byte("\r")} {
		w.Write(p)
	}
	w.Flush()
	if got, want := b.String(), "a,b\r\nc\\u202ed\\u000dx\\u001b中文\r"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}
