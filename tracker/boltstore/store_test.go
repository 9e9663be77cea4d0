package boltstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// tempStore opens a new database in a temporary folder; its cleanup closes
// it and checks the file's consistency, as bbolt's own tests do.
func tempStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gongkai.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		checkConsistent(t, path)
	})
	return s, path
}

func checkConsistent(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Errorf("reopen %s: %v", path, err)
		return
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Errorf("consistency check of %s: %v", path, err)
	}
}

func TestCreateModeAndSchema(t *testing.T) {
	s, path := tempStore(t)
	s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("new database has mode %v, want 0600", fi.Mode().Perm())
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != strconv.Itoa(SchemaVersion) {
			t.Errorf("schema_version = %q, want %d", v, SchemaVersion)
		}
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				t.Errorf("no %s bucket", b)
			}
		}
		return nil
	})
}

func TestScheduleRoundTripAndReplace(t *testing.T) {
	s, path := tempStore(t)
	d := func(v string) calendar.Date { x, _ := calendar.ParseDate(v); return x }
	first := calendar.Schedule{
		Year: 2028, Origin: calendar.OriginImported, File: "2028.json", Digest: "ab",
		ImportedAt: time.Date(2027, 11, 5, 2, 0, 0, 0, time.UTC),
		Notices:    []calendar.Notice{{Title: "通知", URL: "https://example.gov.cn/1"}},
		Days:       []calendar.ScheduleDay{{Date: d("2027-12-30"), Name: "元旦", Off: false}, {Date: d("2028-01-01"), Name: "元旦", Off: true}},
	}
	if err := putSchedule(s, first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.File = "2028.ics"
	second.Days = second.Days[1:]
	if err := putSchedule(s, second); err != nil {
		t.Fatal(err)
	}
	other := calendar.Schedule{Year: 2029, Origin: calendar.OriginImported, Days: []calendar.ScheduleDay{{Date: d("2029-01-01"), Name: "元旦", Off: true}}}
	if err := putSchedule(s, other); err != nil {
		t.Fatal(err)
	}
	s.Close()

	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Schedules()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Year != 2028 || got[1].Year != 2029 {
		t.Fatalf("schedules = %+v", got)
	}
	g := got[0]
	if g.File != "2028.ics" || len(g.Days) != 1 || g.Days[0].Date != d("2028-01-01") || !g.Days[0].Off ||
		!g.ImportedAt.Equal(first.ImportedAt) || g.Notices[0].URL != "https://example.gov.cn/1" {
		t.Errorf("2028 after replacement = %+v", g)
	}
}

func TestReadOnlyMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	_, err := Open(path, Options{ReadOnly: true})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Path != path {
		t.Fatalf("err = %v, want NotFoundError for %s", err, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("a read-only open created the file")
	}
}

// A second writer waits for the lock, then gives up with ErrBusy; once the
// first closes, it gets in.
func TestBusy(t *testing.T) {
	s, path := tempStore(t)
	_, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrBusy) || tracker.ErrorCode(err) != tracker.EBusy || !strings.Contains(err.Error(), "200 毫秒内未能取得") {
		t.Fatalf("second open: %v, want ErrBusy", err)
	}
	_, err = Open(path, Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("reader beside a writer: %v, want ErrBusy", err)
	}
	s.Close()
	s2, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s2.Close()
}

func TestNewerSchemaRefused(t *testing.T) {
	s, path := tempStore(t)
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("opened a database of a newer schema for writing")
	}
	if _, err := Open(path, Options{ReadOnly: true}); err == nil {
		t.Fatal("opened a database of a newer schema for reading")
	}
	// A backup copies it as it is: a newer gongkai's file is worth keeping.
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := (&File{Path: path}).Backup(dst); err != nil {
		t.Fatalf("backup of a newer schema: %v", err)
	}
	db, err := bolt.Open(dst, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != "99" {
			t.Errorf("the backup's schema is %q, want the file's 99", v)
		}
		return nil
	})
}

// The audit chain verifies after a round trip through the file, whatever
// the content: HTML-sensitive characters, Chinese, spacing.
func TestAuditRoundTrip(t *testing.T) {
	s, _ := tempStore(t)
	contents := []string{`{"url":"https://x.gov.cn/a?b=1&c=<2>"}`, `{ "detail" : "公开 于 2026-11-20" }`, ``}
	err := s.Update(func(tx tracker.Tx) error {
		for i, c := range contents {
			// An actor typed in GBK is not UTF-8: stored, and hashed, with
			// U+FFFD for each byte.
			a := &tracker.AuditEntry{At: time.Date(2026, 11, 20, 2, 0, i, 0, time.UTC), Actor: "张三 \xd5\xc5", Action: "x", Subject: "event 1", Content: json.RawMessage(c)}
			if err := tx.Audit(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if head, err := verifyChain(s); err != nil || head.Count != 3 {
		t.Fatalf("verify: %v, head %+v", err, head)
	}
	err = s.View(func(tx tracker.Tx) error {
		return tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
			if a.Actor != "张三 \ufffd\ufffd" {
				t.Errorf("entry %d: actor %q", key, a.Actor)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCodec(t *testing.T) {
	ev := tracker.Event{ID: 7, Summary: "调整参保登记办理材料", MatterName: "社会保险参保登记 › 社会保险个人参保登记", State: tracker.Open}
	b, err := EncodeValue(ev)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(ev)
	if b[0] != tagDeflateV1 || len(b) >= len(plain)/2 {
		t.Errorf("encoded %d bytes from %d: not deflated", len(b), len(plain))
	}
	var back tracker.Event
	if err := DecodeValue(b, &back); err != nil || back.Summary != ev.Summary || back.ID != 7 {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	// Plain JSON, as schemas before 3 wrote it, still reads.
	back = tracker.Event{}
	if err := DecodeValue(plain, &back); err != nil || back.Summary != ev.Summary {
		t.Fatalf("plain: %+v, %v", back, err)
	}
	for _, bad := range [][]byte{nil, {0x07, 1, 2}, {tagDeflateV1, 0xff, 0xff}} {
		if err := DecodeValue(bad, &back); err == nil {
			t.Errorf("DecodeValue(%x) succeeded", bad)
		}
	}
}

// verifyChain checks the audit log's chain, and returns its head.
func verifyChain(s *Store) (tracker.AuditHead, error) {
	var chk tracker.AuditChecker
	err := s.View(func(tx tracker.Tx) error {
		return tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
			if p := chk.Next(key, a); p != nil {
				return p
			}
			return nil
		})
	})
	return chk.Head(), err
}

// Values written with a dictionary can only be read with it: neither may
// change; a better one gets new tags.
func TestDictionariesAreFrozen(t *testing.T) {
	for _, d := range []struct {
		name string
		dict []byte
		want string
	}{
		{"dictV1 (codec.go)", dictV1, "600cf5b02b3cb343118e06377e6b724be2986f7fca80c64da431929e0415b486"},
		{"dict_v2.bin (records.go)", dictV2Bytes, "7cdf6f1a3dc301661c4c366096c0ff3dc2c4cd430a372edce0392e06e12482c3"},
	} {
		sum := sha256.Sum256(d.dict)
		if got := hex.EncodeToString(sum[:]); got != d.want {
			t.Errorf("%s changed (sha256 %s): stored values need the old one; add new tags for a new dictionary", d.name, got)
		}
	}
}

// The index of open events follows each event's state and lists open ones
// without their history; such a copy cannot be stored back.
func TestOpenEventsIndex(t *testing.T) {
	s, _ := tempStore(t)
	mk := func(summary string, state tracker.Status) *tracker.Event {
		return &tracker.Event{Summary: summary, State: state, History: []tracker.Change{{Action: tracker.ActLogged}}}
	}
	a, b, c := mk("a", tracker.Open), mk("b", tracker.Open), mk("c", tracker.Done)
	err := s.Update(func(tx tracker.Tx) error {
		for _, e := range []*tracker.Event{a, b, c} {
			if err := tx.PutEvent(e); err != nil {
				return err
			}
		}
		b.State = tracker.Waived
		return tx.PutEvent(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	var open, all []string
	err = s.Update(func(tx tracker.Tx) error {
		if err := tx.OpenEvents(func(e *tracker.Event) error {
			open = append(open, e.Summary)
			if len(e.History) != 0 {
				t.Errorf("open event %d listed with its history", e.ID)
			}
			if err := tx.PutEvent(e); err == nil {
				t.Error("a copy without history was stored back")
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Events(func(e *tracker.Event) error {
			all = append(all, e.Summary)
			if len(e.History) != 1 {
				t.Errorf("event %d without its history", e.ID)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(open) != "[a]" || fmt.Sprint(all) != "[a b c]" {
		t.Errorf("open %v, all %v", open, all)
	}
}

func putSchedule(s *Store, sc calendar.Schedule) error {
	return s.Update(func(tx tracker.Tx) error { return tx.PutSchedule(sc) })
}

// A write transaction's generation is that of a read made before it when
// nothing was committed in between, and differs when something was.
func TestGeneration(t *testing.T) {
	s, _ := tempStore(t)
	gen := func() (g uint64) {
		s.View(func(tx tracker.Tx) error { g = tx.Generation(); return nil })
		return g
	}
	read := gen()
	if err := s.Update(func(tx tracker.Tx) error {
		if tx.Generation() != read {
			t.Errorf("write after read: generation %d, read %d", tx.Generation(), read)
		}
		return tx.PutSchedule(calendar.Schedule{Year: 2028})
	}); err != nil {
		t.Fatal(err)
	}
	if again := gen(); again == read {
		t.Error("a commit left the generation as it was")
	}
	before := gen()
	s.Update(func(tx tracker.Tx) error { return errors.New("rolled back") })
	if gen() != before {
		t.Error("a rolled-back write changed the generation")
	}
}
