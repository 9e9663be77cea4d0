package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/boltstore"
)

// tamper opens the database file directly, as someone with access to it
// (and to gongkai's source) might, and changes the audit bucket.
func tamper(t *testing.T, path string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	tamperBucket(t, path, "audit", fn)
}

// tamperBucket is tamper for any bucket.
func tamperBucket(t *testing.T, path, bucket string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte(bucket))) }); err != nil {
		t.Fatal(err)
	}
}

// edit changes entry n as fn says and stores it back in the same form.
func edit(b *bolt.Bucket, n uint64, fn func(a *tracker.AuditEntry)) error {
	var a tracker.AuditEntry
	if err := boltstore.DecodeValue(b.Get(key(n)), &a); err != nil {
		return err
	}
	fn(&a)
	v, err := boltstore.EncodeValue(&a)
	if err != nil {
		return err
	}
	return b.Put(key(n), v)
}

func key(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// A log with entries 1..5 (init, two logs, a disclosure, a waiver).
func auditedDB(t *testing.T) (string, map[string]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.db")
	vars := map[string]string{"GONGKAI_DB": path, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	for _, args := range [][]string{
		{"init"},
		{"log", "3", "--changed", "--summary", "调整办理材料", "--date", "2026-11-02"},
		{"log", "5", "--formed", "--summary", "新政策", "--date", "2026-11-10"},
		{"disclose", "1", "--all"},
		{"waive", "2", "--reason", "依法不予公开"},
	} {
		if code, _, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	code, out, _ := runIn(t, vars, "audit", "verify")
	if code != 0 || !strings.Contains(out, "审计日志完好：5 条记录") {
		t.Fatalf("untouched log: exit %d %q", code, out)
	}
	return path, vars
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name string
		fn   func(b *bolt.Bucket) error
		want string
	}{
		{"edited", func(b *bolt.Bucket) error {
			return edit(b, 3, func(a *tracker.AuditEntry) {
				a.Content = json.RawMessage(bytes.Replace(a.Content, []byte("新政策"), []byte("旧政策"), 1))
			})
		}, "第 3 条记录（登记，事件 2）的内容与其哈希不符：记录被改动"},
		{"edited and rehashed", func(b *bolt.Bucket) error {
			// A forger who recomputes the entry's own hash breaks the
			// link from the next entry.
			return edit(b, 2, func(a *tracker.AuditEntry) {
				a.Actor = "李四"
				a.Hash = a.ComputeHash()
			})
		}, "第 3 条记录所记的上一条哈希与第 2 条不符"},
		{"removed", func(b *bolt.Bucket) error { return b.Delete(key(3)) }, "缺少第 3 至第 3 条记录：记录被删除"},
		{"reordered", func(b *bolt.Bucket) error {
			v2, v3 := bytes.Clone(b.Get(key(2))), bytes.Clone(b.Get(key(3)))
			if err := b.Put(key(2), v3); err != nil {
				return err
			}
			return b.Put(key(3), v2)
		}, "第 2 个位置上存放的是第 3 条记录：记录被调换了顺序"},
		{"unreadable", func(b *bolt.Bucket) error { return b.Put(key(4), []byte("{")) }, "第 4 个位置的记录无法读取"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, vars := auditedDB(t)
			tamper(t, path, tc.fn)
			code, out, stderr := runIn(t, vars, "audit", "verify")
			if code != exitFailure || !strings.Contains(stderr, tc.want) || strings.Contains(out, "完好") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, stderr, tc.want)
			}
			code, _, stderr = runIn(t, vars, "check")
			// check names the audit log: its chain, or the record it
			// cannot read.
			if code == 0 || !(strings.Contains(stderr, "审计日志") || strings.Contains(stderr, "桶 audit 键")) {
				t.Errorf("check: exit %d, %q", code, stderr)
			}
		})
	}

	// A truncated tail keeps a valid chain. Where it held an event's
	// last change, the event no longer matches the log's last word on it.
	path, vars := auditedDB(t)
	tamper(t, path, func(b *bolt.Bucket) error { return b.Delete(key(5)) })
	code, out, stderr := runIn(t, vars, "audit", "verify")
	if want := "事件 2 的内容与审计日志最后所记不符"; code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("truncated: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, stderr, want)
	}

	// A tail that changed no event: only the head kept elsewhere shows it,
	// and verify prints that head.
	path, vars = auditedDB(t)
	catalog, err := filepath.Abs(filepath.Join("..", "..", "tracker", "catalogs", "zhanggong-social-insurance.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runIn(t, vars, "catalog", "import", catalog); code != 0 {
		t.Fatalf("catalog import: exit %d: %s", code, stderr)
	}
	_, before, _ := runIn(t, vars, "audit", "verify")
	tamper(t, path, func(b *bolt.Bucket) error { return b.Delete(key(6)) })
	code, after, _ := runIn(t, vars, "audit", "verify")
	if code != 0 || !strings.Contains(after, "审计日志完好：5 条记录") || !strings.Contains(before, "6 条记录") {
		t.Errorf("truncated: exit %d, head %q (was %q)", code, after, before)
	}
}

// editEvent changes event id as fn says and stores it back in the same form.
func editEvent(b *bolt.Bucket, id uint64, fn func(e *tracker.Event)) error {
	var e tracker.Event
	if err := boltstore.DecodeValue(b.Get(key(id)), &e); err != nil {
		return err
	}
	fn(&e)
	v, err := boltstore.EncodeValue(&e)
	if err != nil {
		return err
	}
	return b.Put(key(id), v)
}

// Events changed in the file, outside gongkai, no longer match the hashes
// the audit log keeps of them: check and audit verify name each (exit 1).
func TestVerifyFindsEventsTamperedWith(t *testing.T) {
	tests := []struct {
		name string
		fn   func(b *bolt.Bucket) error
		want string
	}{
		{"summary edited", func(b *bolt.Bucket) error {
			return editEvent(b, 1, func(e *tracker.Event) { e.Summary = "调整办理材料（已改）" })
		}, "事件 1 的内容与审计日志最后所记不符"},
		{"deadline edited", func(b *bolt.Bucket) error {
			// Moved a month on, the late disclosure would be on time.
			return editEvent(b, 2, func(e *tracker.Event) { e.Deadline = e.Deadline.AddDays(30) })
		}, "事件 2 的内容与审计日志最后所记不符"},
		{"history entry removed", func(b *bolt.Bucket) error {
			return editEvent(b, 1, func(e *tracker.Event) { e.History = e.History[:1] })
		}, "事件 1 的内容与审计日志最后所记不符"},
		{"swapped", func(b *bolt.Bucket) error {
			// Each value still hashes to its own event's last entry: only
			// the id inside it tells it is in the wrong place.
			v1, v2 := bytes.Clone(b.Get(key(1))), bytes.Clone(b.Get(key(2)))
			if err := b.Put(key(1), v2); err != nil {
				return err
			}
			return b.Put(key(2), v1)
		}, "事件 1、2 的内容与审计日志最后所记不符"},
		{"added", func(b *bolt.Bucket) error {
			return editEvent(b, 1, func(e *tracker.Event) {
				e.ID = 3
				v, _ := boltstore.EncodeValue(e)
				b.Put(key(3), v)
				e.ID = 1
			})
		}, "事件 3 在审计日志中没有任何记录（被添加）"},
		{"added as a copy", func(b *bolt.Bucket) error {
			return b.Put(key(7), bytes.Clone(b.Get(key(1))))
		}, "事件 7 在审计日志中没有任何记录（被添加）"},
		{"removed", func(b *bolt.Bucket) error { return b.Delete(key(2)) },
			"事件 2 在审计日志中有记录，数据库中却没有（被删除）"},
		{"unreadable", func(b *bolt.Bucket) error { return b.Put(key(1), []byte("{")) },
			"事件 1 的内容与审计日志最后所记不符或无法读取"},
		{"key that is no id", func(b *bolt.Bucket) error { return b.Put([]byte("x"), []byte("{}")) },
			"事件记录中有一个键（78）不是事件编号"},
	}
	// check names a key that is no id as the store sees it.
	checkWant := map[string]string{"key that is no id": `桶 events 键 "x"：键的格式不对`}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, vars := auditedDB(t)
			tamperBucket(t, path, "events", tc.fn)
			code, out, stderr := runIn(t, vars, "audit", "verify")
			if code != exitFailure || !strings.Contains(stderr, tc.want) || strings.Contains(out, "完好") {
				t.Errorf("audit verify: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, stderr, tc.want)
			}
			want := tc.want
			if w, ok := checkWant[tc.name]; ok {
				want = w
			}
			code, out, stderr = runIn(t, vars, "check")
			if code != exitFailure || !strings.Contains(stderr, want) {
				t.Errorf("check: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, stderr, want)
			}
		})
	}

	// Untouched, or decoded and stored again unchanged: sound.
	path, vars := auditedDB(t)
	tamperBucket(t, path, "events", func(b *bolt.Bucket) error {
		return editEvent(b, 1, func(*tracker.Event) {})
	})
	code, out, stderr := runIn(t, vars, "audit", "verify")
	if code != 0 || !strings.Contains(out, "事件内容：2 个事件均与审计日志所记相符。") {
		t.Errorf("audit verify: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	code, out, stderr = runIn(t, vars, "check")
	if code != 0 || !strings.Contains(out, "事件：2 个") || !strings.Contains(out, "事件内容：2 个事件均与审计日志所记相符。") {
		t.Errorf("check: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// Events written before audit entries carried their hashes are reported
// unbound (未绑定), which is no damage, until a baseline binds them.
func TestVerifyReportsUnbound(t *testing.T) {
	path, vars := auditedDB(t)
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx tracker.Tx) error {
		// Event 3 as an older version logged it: no hash in its entry.
		e := &tracker.Event{Summary: "旧事件", Date: calendar.DateOf(2026, 11, 10), Deadline: calendar.DateOf(2026, 12, 8),
			State: tracker.Open, History: []tracker.Change{{Action: tracker.ActLogged, Detail: "登记"}}}
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		return tx.Audit(&tracker.AuditEntry{Actor: "张三", Action: tracker.ActLogged, Subject: "event 3",
			Content: json.RawMessage(`{"event":3,"detail":"登记"}`)})
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := "事件内容：2 个事件与审计日志所记相符；1 个未绑定（写于审计日志记录事件哈希之前，尚未建立基线），内容无从核对：事件 3。"
	for _, args := range [][]string{{"audit", "verify"}, {"check"}} {
		code, out, stderr := runIn(t, vars, args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out, stderr, want)
		}
	}
}
