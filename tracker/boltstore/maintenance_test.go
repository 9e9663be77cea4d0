package boltstore

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// A database written by the operations is sound, whether opened for
// reading (as the CLI does) or for writing (as a server would).
func TestCheckSound(t *testing.T) {
	path := filledDB(t, 7)
	for _, readOnly := range []bool{true, false} {
		s, err := Open(path, Options{ReadOnly: readOnly})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Check()
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() {
			t.Errorf("read-only %v: problems %v", readOnly, r.Problems)
		}
		for bucket, want := range map[string]int{"events": 7, "open_events": 5, "event_dates": 7, "events_by_deadline": 7,
			"events_by_closed": 2, "audit": 10, "catalog": 1, "outbox": 2, "outbox_keys": 2, "outbox_content": 2, "outbox_blobs": 1, "reminders": 1, "meta": 2} {
			if got := r.Records(bucket); got != want {
				t.Errorf("read-only %v: %d records in %s, want %d", readOnly, got, bucket, want)
			}
		}
		for _, b := range append(allBuckets, bucketMeta) {
			if i := slices.IndexFunc(r.Buckets, func(c BucketCount) bool { return c.Name == string(b) }); i < 0 || !r.Buckets[i].Known {
				t.Errorf("bucket %s not counted as known: %+v", b, r.Buckets)
			}
		}
	}
}

// Check names the bucket and the key of what it finds damaged, and the
// dump shows the same key.
func TestCheckFindsDamage(t *testing.T) {
	garbage := []byte{tagDeflateV1, 0xde, 0xad, 0xbe, 0xef}
	put := func(bucket []byte, k, v []byte) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(k, v) }
	}
	tests := []struct {
		name        string
		tamper      func(tx *bolt.Tx) error
		bucket, key string
		want        string
	}{
		// Garbage written over an event.
		{"event value", put(bucketEvents, id8(2), garbage), "events", "2", "记录无法解码"},
		// Garbage in an event's binary form, and in an audit entry's: said
		// in Chinese.
		{"binary event", put(bucketEvents, id8(2), []byte{tagEvent, 0x40, 0xff, 0xff}), "events", "2", "记录无法解码（事件记录已损坏：压缩的内容无法解压"},
		{"binary entry", put(bucketAudit, id8(2), []byte{tagAudit, 0xff, 0xff, 0xff, 0xff, 0x7f}), "audit", "2", "记录无法解码（审计记录已损坏：所记的长度不对"},
		// An event whose value is valid JSON of another event.
		{"event id", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketEvents).Put(id8(2), tx.Bucket(bucketEvents).Get(id8(1)))
		}, "events", "2", "记录中的事件编号 1 与键不符"},
		// An audit entry that cannot be read.
		{"audit value", put(bucketAudit, id8(3), []byte("{not json")), "audit", "3", "记录无法解码"},
		// A key of the wrong length.
		{"short key", put(bucketEvents, []byte{1, 2}, garbage), "events", `{"hex":"0102"}`, "键的格式不对：应为 8 字节，实有 2 字节"},
		// The deadline index points to an event that does not exist.
		{"deadline index", put(bucketByDue, dateKey(calendar.DateOf(2026, 11, 30), 99), nil),
			"events_by_deadline", `{"date":"2026-11-30","id":99}`, "指向的事件 99 不存在"},
		// A stale deadline index entry for an event that exists.
		{"stale deadline", put(bucketByDue, dateKey(calendar.DateOf(2026, 12, 1), 1), nil),
			"events_by_deadline", `{"date":"2026-12-01","id":1}`, "事件 1 的期限是 2026-11-30，索引却记在 2026-12-01"},
		// An event's deadline missing from its index: said of the event's
		// dates, once the index has been read.
		{"deadline key missing", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketByDue).Delete(dateKey(calendar.DateOf(2026, 11, 30), 1))
		}, "event_dates", "1", "events_by_deadline 中没有事件 1 的期限 2026-11-30"},
		{"deadline index missing", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketByDue) },
			"events_by_deadline", "", "缺少这个桶"},
		// The closing-day index points to an event that does not exist.
		{"closed index", put(bucketByClosed, dateKey(calendar.DateOf(2026, 11, 10), 99), nil),
			"events_by_closed", `{"date":"2026-11-10","id":99}`, "指向的事件 99 不存在"},
		// The open index points to an event that does not exist.
		{"open index", put(bucketOpen, id8(99), nil), "open_events", "99", "指向的事件 99 不存在"},
		// An open event missing from the open index.
		{"open event not indexed", func(tx *bolt.Tx) error { return tx.Bucket(bucketOpen).Delete(id8(1)) },
			"events", "1", "事件待公开，却不在 open_events 中"},
		// A closed event still in the open index.
		{"closed event indexed", put(bucketOpen, id8(3), nil), "events", "3", "事件的状态是“按时公开”，却仍在 open_events 中"},
		// An event missing from event_dates.
		{"dates missing", func(tx *bolt.Tx) error { return tx.Bucket(bucketDates).Delete(id8(2)) },
			"events", "2", "事件不在 event_dates 中"},
		// event_dates saying another state than the event's: the on-time
		// rate would count it wrong.
		{"dates state", put(bucketDates, id8(1), []byte(`{"Deadline":"2026-11-30","ClosedOn":"","State":"done"}`)),
			"events", "1", "按时公开率据此计算"},
		// event_dates for an event that does not exist.
		{"dates of nothing", put(bucketDates, id8(99), []byte(`{"Deadline":"2026-11-30","ClosedOn":""}`)),
			"event_dates", "99", "指向的事件 99 不存在"},
		// A reminder state for an event that does not exist.
		{"reminder", put(bucketRemind, id8(99), []byte(`{}`)), "reminders", "99", "提醒记录所属的事件 99 不存在"},
		// The outbox indexes point to messages that do not exist.
		{"pending", put(bucketPending, id8(99), nil), "outbox_pending", "99", "指向的邮件 99 不存在"},
		{"unreported", put(bucketFailed, id8(99), nil), "outbox_unreported", "99", "指向的邮件 99 不存在"},
		{"outbox key", put(bucketOutKeys, []byte("x"), id8(99)), "outbox_keys", `"x"`, "指向的邮件 99 不存在"},
		{"content", put(bucketContent, id8(99), garbage), "outbox_content", "99", "记录无法解码"},
		// A queued message that no sender will find.
		{"queued not pending", func(tx *bolt.Tx) error { return tx.Bucket(bucketPending).Delete(id8(1)) },
			"outbox", "1", "邮件待发或发送中（状态“待发”），却不在 outbox_pending 中"},
		// A message whose content is gone.
		{"content gone", func(tx *bolt.Tx) error { return tx.Bucket(bucketContent).Delete(id8(1)) },
			"outbox", "1", "邮件的内容（outbox_content 中的 1）不存在"},
		// An event deleted with its index entries, as someone careful
		// would: ids have a gap.
		{"event deleted", deleteEvent(2), "events", "2", "缺少编号 2 至 2 的事件：gongkai 从不删除事件"},
		// The last event deleted: the sequence says it was there.
		{"last event deleted", deleteEvent(4), "events", "4", "缺少编号 4 至 4 的事件（最后的记录被删除）"},
		// A sequence set back: the next event would overwrite one.
		{"sequence behind", func(tx *bolt.Tx) error { return tx.Bucket(bucketEvents).SetSequence(2) },
			"events", "", "最大编号 4 大于桶的序号 2"},
		// A whole index missing: said once.
		{"index bucket missing", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketDates) },
			"event_dates", "", "缺少这个桶"},
		// A missing index holds nothing: a message it should not list is
		// not reported as listed.
		{"unreported bucket missing", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketFailed) },
			"outbox_unreported", "", "缺少这个桶"},
		// An account given a role past the rules, or a section that is
		// gone; a token of no account.
		{"admin and auditor", func(tx *bolt.Tx) error {
			return putJSON(tx, bucketAccounts, "zhangsan", access.Account{Name: "zhangsan", Roles: []access.Role{access.Admin, access.Auditor}, Sections: []string{"社保股"}})
		}, "accounts", `"zhangsan"`, "账号的角色无效"},
		{"section gone", func(tx *bolt.Tx) error { return tx.Bucket(bucketSections).Delete([]byte("社保股")) },
			"accounts", `"zhangsan"`, "账号所属的股室 \"社保股\" 不存在"},
		{"token of nobody", func(tx *bolt.Tx) error { return tx.Bucket(bucketAccounts).Delete([]byte("zhangsan")) },
			"tokens", "", "登录凭据所属的账号 \"zhangsan\" 不存在"},
		// A nested bucket where gongkai makes none.
		{"nested", func(tx *bolt.Tx) error { _, err := tx.Bucket(bucketEvents).CreateBucket([]byte("x")); return err },
			"events", `"x"`, "嵌套的桶"},
	}
	// An event missing from event_dates leaves its deadline's index entry
	// unverifiable too; an event stored under another's id differs from
	// what event_dates says of that id's summary.
	followers := map[string]int{"dates missing": 1, "event id": 1}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filledDB(t, 4)
			tamperDB(t, path, tc.tamper)
			s := openRead(t, path)
			r, err := s.Check()
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(r.Problems, func(p Problem) bool {
				return p.Bucket == tc.bucket && (p.Key == tc.key || tc.name == "token of nobody") && strings.Contains(p.Message, tc.want)
			})
			if i < 0 {
				t.Fatalf("problems %v; want %s %s: %s", r.Problems, tc.bucket, tc.key, tc.want)
			}
			if want := 1 + followers[tc.name]; len(r.Problems) != want {
				t.Errorf("%d problems, want %d: %v", len(r.Problems), want, r.Problems)
			}
			if p := r.Problems[i].String(); tc.key != "" && !strings.Contains(p, "桶 "+tc.bucket+" 键 "+tc.key+"：") {
				t.Errorf("String() = %q", p)
			}
			// The dump shows the record under the same key.
			if tc.key != "" && tc.name != "nested" && !strings.Contains(tc.name, "deleted") && find(dumpLines(t, s, tc.bucket), tc.bucket, tc.key) == nil {
				t.Errorf("the dump has no %s %s", tc.bucket, tc.key)
			}
		})
	}
}

// The files written by every storage layout that shipped read without
// damage, read-only as they are: what they lack is only the buckets added
// since. Opened for writing, they are migrated, and then every index is
// complete.
// putJSON stores v under key as gongkai would.
func putJSON(tx *bolt.Tx, bucket []byte, key string, v any) error {
	raw, err := EncodeValue(v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put([]byte(key), raw)
}

func TestCheckOldFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "upgrade", "*.db"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no old files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "old.db")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			s := openRead(t, path)
			r, err := s.Check()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range r.Problems {
				if p.Key != "" || p.Message != "缺少这个桶：依赖它的查询会漏掉记录" {
					t.Errorf("problem: %s", p)
				}
			}
			for _, l := range dumpLines(t, s, "") {
				if strings.Contains(string(l.Value), "raw_hex") {
					t.Errorf("undecodable: %s", l.text)
				}
			}
			s.Close()

			w, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if r, err := w.Check(); err != nil || !r.OK() {
				t.Errorf("after migration: %v %v", err, r.Problems)
			}
		})
	}
}

// A page of the file overwritten with zeros: bbolt's check names it, the
// bucket on it is reported as unreadable, and the others are still read.
func TestCheckDamagedPage(t *testing.T) {
	path := filledDB(t, 60)
	var root uint64
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket(bucketEvents).RootPage())
		return nil
	})
	pageSize := db.Info().PageSize
	db.Close()
	if root == 0 {
		t.Fatal("the events are inline in their bucket: log more")
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, pageSize), int64(root)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r, err := openRead(t, path).Check()
	if err != nil {
		t.Fatal(err)
	}
	// Two problems: the indexes that point into the lost page do not
	// report each of its events again.
	if len(r.Problems) != 2 || r.Problems[0].Bucket != "" || !strings.HasPrefix(r.Problems[0].Message, "文件结构损坏：") ||
		r.Problems[1].Bucket != "events" || !strings.Contains(r.Problems[1].Message, "无法读取：第 ") || !strings.Contains(r.Problems[1].Message, "文件已损坏") {
		t.Errorf("problems %v; want the structure and the events bucket named", r.Problems)
	}
	if r.Records("audit") != 81 || r.Records("outbox") != 2 {
		t.Errorf("the buckets after events were not read: %+v", r.Buckets)
	}
}

// Past MaxProblems, problems are counted, not listed.
func TestCheckCapsProblems(t *testing.T) {
	path := filledDB(t, 1)
	tamperDB(t, path, func(tx *bolt.Tx) error {
		for i := range MaxProblems + 5 {
			if err := tx.Bucket(bucketPending).Put(id8(uint64(100+i)), nil); err != nil {
				return err
			}
		}
		return nil
	})
	r, err := openRead(t, path).Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != MaxProblems || r.Omitted != 5 || r.Records("outbox_pending") != MaxProblems+7 { // and the fill's two messages
		t.Errorf("%d problems, %d omitted, %d records", len(r.Problems), r.Omitted, r.Records("outbox_pending"))
	}
}

func TestBackup(t *testing.T) {
	path := filledDB(t, 5)
	s, err := Open(path, Options{}) // open for writing, as a server holds it
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	dst := filepath.Join(dir, "backup.db")
	if err := s.Backup(dst); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v, mode %v", err, fi.Mode())
	}
	if _, err := os.Stat(dst + ".part"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s.part left behind: %v", dst, err)
	}

	b := openRead(t, dst)
	if r, err := b.Check(); err != nil || !r.OK() {
		t.Errorf("check of the backup: %v %v", err, r.Problems)
	}
	if got, want := summaries(t, b), summaries(t, s); !slices.Equal(got, want) || len(got) != 5 {
		t.Errorf("backup has %q, database %q", got, want)
	}

	// Refused: an existing file (left as it was), a folder that does not
	// exist.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("笔记"), 0o600)
	os.WriteFile(filepath.Join(dir, "next.db.part"), []byte("半个备份"), 0o600)
	for _, tc := range []struct{ dst, want string }{
		{dst, "已存在"},
		{filepath.Join(dir, "notes.txt"), "已存在"},
		{filepath.Join(dir, "nowhere", "b.db"), "所在的文件夹 " + filepath.Join(dir, "nowhere") + " 不存在"},
	} {
		err := s.Backup(tc.dst)
		if tracker.ErrorCode(err) != tracker.EInvalid || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Base(tc.dst)) {
			t.Errorf("Backup(%s) = %v, want an EInvalid naming the file: %s", tc.dst, err, tc.want)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(data) != "笔记" {
		t.Error("an existing file was changed")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "next.db.part")); string(data) != "半个备份" {
		t.Error("a .part file was changed")
	}
	// A .part an older version left behind is no obstacle, and untouched.
	if err := s.Backup(filepath.Join(dir, "next.db")); err != nil {
		t.Errorf("beside an old .part: %v", err)
	}
}

// deleteEvent removes event id (one of filledDB's open events) and its
// index entries.
func deleteEvent(id uint64) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		for _, d := range []struct{ bucket, key []byte }{
			{bucketEvents, id8(id)}, {bucketOpen, id8(id)}, {bucketDates, id8(id)},
			{bucketByDue, dateKey(calendar.DateOf(2026, 11, 30), id)},
		} {
			if err := tx.Bucket(d.bucket).Delete(d.key); err != nil {
				return err
			}
		}
		return nil
	}
}

func summaries(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	err := s.View(func(tx tracker.Tx) error {
		return tx.Events(func(e *tracker.Event) error {
			out = append(out, e.Summary)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// In batches of a few records, so that each is verified while the next is
// decoded, check finds what it finds in one: the same counts, the audit
// chain whole, every event bound, and an event changed in the file.
func TestCheckInSmallBatches(t *testing.T) {
	path := filledDB(t, 40)
	run := func() (CheckReport, tracker.AuditHead, tracker.EventBinding) {
		var (
			chain tracker.AuditChecker
			bind  tracker.EventBinder
		)
		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, err := s.CheckWith(CheckHooks{
			Audit: func(key uint64, e tracker.ReadEntry) {
				if e.AuditEntry != nil && chain.NextHashed(key, e.AuditEntry, e.Hash) == nil {
					bind.Bind(e.Binds)
				}
			},
			Event: bind.Found,
		})
		if err != nil {
			t.Fatal(err)
		}
		return r, chain.Head(), bind.Result()
	}
	whole, head, bound := run()
	defer func(n int) { checkBatch = n }(checkBatch)
	checkBatch = 3
	small, smallHead, smallBound := run()
	if !whole.OK() || !reflect.DeepEqual(whole, small) || head != smallHead || !reflect.DeepEqual(bound, smallBound) || bound.Bound != 40 {
		t.Errorf("in batches of 3: %+v, %v, %+v; in one: %+v, %v, %+v", small, smallHead, smallBound, whole, head, bound)
	}

	tamperDB(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		e, err := decodeEvent(17, b.Get(id8(17)))
		if err != nil {
			return err
		}
		e.Summary = "改过的摘要"
		v, err := encodeEvent(e)
		if err != nil {
			return err
		}
		return b.Put(id8(17), v)
	})
	if _, _, b := run(); !slices.Equal(b.Mismatched, []uint64{17}) || b.Bound != 39 {
		t.Errorf("after event 17 was changed in the file: %+v", b)
	}
}

// A leaf page of events overwritten with zeros, part way through the
// bucket: the events read before it are verified and handed on, not
// dropped with the batches they were in.
func TestCheckSalvagesBatches(t *testing.T) {
	path := filledDB(t, 200)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var root uint64
	db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket(bucketEvents).RootPage())
		return nil
	})
	pageSize := int64(db.Info().PageSize)
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The root is a branch page: a header of 16 bytes (its flags at 8),
	// then an element of 16 bytes per child, its page id at 8.
	page := make([]byte, pageSize)
	if _, err := f.ReadAt(page, int64(root)*pageSize); err != nil {
		t.Fatal(err)
	}
	if flags := binary.LittleEndian.Uint16(page[8:]); flags&0x01 == 0 || binary.LittleEndian.Uint16(page[10:]) < 3 {
		t.Fatalf("the events' root page %d is not a branch of three pages or more (flags %#x): log more", root, flags)
	}
	third := binary.LittleEndian.Uint64(page[16+2*16+8:])
	if _, err := f.WriteAt(make([]byte, pageSize), int64(third)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	defer func(n int) { checkBatch = n }(checkBatch)
	checkBatch = 4
	var handed int
	r, err := openRead(t, path).CheckWith(CheckHooks{Event: func(uint64, tracker.StoredHash) { handed++ }})
	if err != nil {
		t.Fatal(err)
	}
	read := r.Records("events")
	if read == 0 || read >= 200 || handed != read {
		t.Errorf("%d events read before the damaged page, %d of them handed on; problems %v", read, handed, r.Problems)
	}
}
