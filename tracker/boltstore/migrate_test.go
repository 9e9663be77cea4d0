package boltstore

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
)

// A new file runs every migration once and records it; opening it again
// writes nothing at all.
func TestMigrationsRecordedOnce(t *testing.T) {
	s, path := tempStore(t)
	err := s.db.View(func(tx *bolt.Tx) error {
		done := tx.Bucket(bucketMigrated)
		if done == nil {
			t.Fatal("no migrations bucket")
		}
		for _, m := range migrations {
			var rec struct{ Name string }
			if err := json.Unmarshal(done.Get(migrationKey(m.n)), &rec); err != nil || rec.Name != m.name {
				t.Errorf("migration %d recorded as %+v (%v)", m.n, rec, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(path)
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("opening an up-to-date file changed it")
	}
}

// oldLayout makes path look as a schema-4 file of before the indexes:
// events and messages stored, the derived buckets and the migrations
// record gone, a message's content inside it, reminder marks of the old
// form.
func oldLayout(t *testing.T, path string) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx tracker.Tx) error {
		for _, st := range []tracker.Status{tracker.Open, tracker.Done, tracker.Open} {
			e := &tracker.Event{Deadline: day("2026-11-30"), State: st, History: []tracker.Change{{Action: tracker.ActLogged}}}
			if st == tracker.Done {
				e.ClosedOn = day("2026-11-20")
			}
			if err := tx.PutEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMigrated, bucketOpen, bucketDates, bucketByDue, bucketByClosed, bucketPending, bucketFailed, bucketContent} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte("4")); err != nil {
			return err
		}
		msg, _ := EncodeValue(&tracker.Message{ID: 1, Key: "digest/x", Text: "旧正文", Stages: []string{"1/2026-11-30/due"}, State: tracker.Queued})
		if err := tx.Bucket(bucketOutbox).Put(idKey(1), msg); err != nil {
			return err
		}
		return tx.Bucket(bucketRemind).Put(idKey(1), []byte(`{"deadline":"2026-11-30","officers":"2026-11-23"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// A file of an older layout read through File: the first read upgrades it
// once, and every index then answers as for data written today.
func TestUpgradeOnFirstRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	oldLayout(t, path)

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !ro.Outdated() {
		t.Error("a schema-4 file opened to read is not reported outdated")
	}
	ro.Close()

	f := &File{Path: path}
	var open, pending []uint64
	var text string
	var stages, stateStages []string
	var marks tracker.ReminderState
	err = f.View(func(tx tracker.Tx) error {
		tx.OpenEvents(func(e *tracker.Event) error { open = append(open, e.ID); return nil })
		tx.PendingMessages(func(m *tracker.Message) error { pending = append(pending, m.ID); return nil })
		m, err := tx.Message(1)
		if err != nil {
			return err
		}
		text, stages = m.Text, m.Stages
		st, err := tx.MessageState(1)
		if err != nil {
			return err
		}
		stateStages = st.Stages
		marks, err = tx.ReminderState(1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 || open[0] != 1 || open[1] != 3 {
		t.Errorf("open events %v, want [1 3]", open)
	}
	if got := ids(t, openRead(t, path), true, "2026-11-20", "2026-11-20"); got != "[2]" {
		t.Errorf("closed on 2026-11-20: %s, want [2]", got)
	}
	if len(pending) != 1 || text != "旧正文" {
		t.Errorf("pending %v, content %q", pending, text)
	}
	if len(stages) != 1 || stages[0] != "1/2026-11-30/due" || stateStages != nil {
		t.Errorf("stages %v in the content, %v in the state; want them with the content only", stages, stateStages)
	}
	if m := marks.Sent[day("2026-11-30")]; m.Officers != day("2026-11-23") {
		t.Errorf("reminder marks %+v", marks)
	}
	checkConsistent(t, path)
}

// A file that has run a migration this program does not know was written
// by a newer gongkai: refused, to read and to write.
func TestUnknownMigrationRefused(t *testing.T) {
	s, path := tempStore(t)
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMigrated).Put(migrationKey(migrations[len(migrations)-1].n+1), []byte(`{"name":"future"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ro := range []bool{false, true} {
		_, err := Open(path, Options{ReadOnly: ro})
		if tracker.ErrorCode(err) != tracker.EInvalid || !strings.Contains(err.Error(), "更新版本的 gongkai") {
			t.Errorf("read-only %v: %v", ro, err)
		}
	}
}

// A file whose every migration is recorded but whose version is not the
// current one (an upgrade stopped before the version was written, before
// each step wrote it) is set right at the next open, not left for an
// older gongkai to write to.
func TestVersionSetRight(t *testing.T) {
	s, path := tempStore(t)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("4")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !ro.Outdated() {
		t.Error("a file recorded at version 4 is not outdated")
	}
	ro.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, err := s2.SchemaVersion(); err != nil || v != SchemaVersion {
		t.Errorf("version %d (%v) after the open, want %d", v, err, SchemaVersion)
	}
}

// A record that cannot be read is damage, said in Chinese, naming it.
func TestDamagedRecord(t *testing.T) {
	s, _ := tempStore(t)
	err := s.Update(func(tx tracker.Tx) error {
		return tx.PutEvent(&tracker.Event{Summary: "x", History: []tracker.Change{{Action: tracker.ActLogged}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketEvents).Put(idKey(1), []byte{0x7f, 1, 2}) }); err != nil {
		t.Fatal(err)
	}
	err = s.View(func(tx tracker.Tx) error { _, err := tx.Event(1); return err })
	if tracker.ErrorCode(err) != tracker.EDamaged || tracker.ErrorField(err) != tracker.FieldEvent || !strings.Contains(err.Error(), "已损坏：事件 1 无法读取") {
		t.Errorf("reading a damaged event: %v", err)
	}
}

// Opening a file of an older layout says that it upgrades it, once; a new
// file and an upgraded one say nothing.
func TestUpgradingNotice(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.db")
	oldLayout(t, old)
	for _, tc := range []struct {
		path string
		want int
	}{{filepath.Join(dir, "new.db"), 0}, {old, 1}, {old, 0}} {
		heard := 0
		s, err := Open(tc.path, Options{Upgrading: func() { heard++ }})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if heard != tc.want {
			t.Errorf("%s: told of an upgrade %d times, want %d", filepath.Base(tc.path), heard, tc.want)
		}
	}
}
