package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
	"gongkai/tracker/boltstore"
)

// tamper opens the database file directly, as someone with access to it
// (and to gongkai's source) might, and changes the audit bucket.
func tamper(t *testing.T, path string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("audit"))) }); err != nil {
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
		}, "第 3 条记录（logged event 2）的内容与其哈希不符：记录被改动"},
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

	// A truncated tail keeps a valid chain: only the head kept elsewhere
	// shows it, and verify prints that head.
	path, vars := auditedDB(t)
	_, before, _ := runIn(t, vars, "audit", "verify")
	tamper(t, path, func(b *bolt.Bucket) error { return b.Delete(key(5)) })
	code, after, _ := runIn(t, vars, "audit", "verify")
	if code != 0 || !strings.Contains(after, "4 条记录") || before == after {
		t.Errorf("truncated: exit %d, head %q (was %q)", code, after, before)
	}
}
