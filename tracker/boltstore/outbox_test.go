package boltstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// pendingAndFailed lists the two outbox indexes.
func pendingAndFailed(t *testing.T, s *Store) (pending, failed string) {
	t.Helper()
	var p, f []uint64
	err := s.View(func(tx tracker.Tx) error {
		if err := tx.PendingMessages(func(m *tracker.Message) error { p = append(p, m.ID); return nil }); err != nil {
			return err
		}
		return tx.UnreportedFailures(func(m *tracker.Message) error { f = append(f, m.ID); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(p), fmt.Sprint(f)
}

// A message moves through the indexes as senders and digests handle it:
// queued and sending are pending; failed is unreported until a digest
// reports it; sent is in neither. Its content is stored once and survives
// every change of state; a taken key is refused.
func TestOutboxIndexes(t *testing.T) {
	s, _ := tempStore(t)
	m := &tracker.Message{Key: "digest/1", To: []string{"a@example.gov.cn"}, Text: "正文", State: tracker.Queued}
	other := &tracker.Message{Key: "digest/2", Text: "另一封", State: tracker.Queued}
	step := func(state string, reported bool, wantPending, wantFailed string) {
		t.Helper()
		err := s.Update(func(tx tracker.Tx) error {
			if m.ID != 0 {
				st, err := tx.MessageState(m.ID)
				if err != nil {
					return err
				}
				m = st
			}
			m.State, m.Reported = state, reported
			return tx.PutMessage(m)
		})
		if err != nil {
			t.Fatal(err)
		}
		p, f := pendingAndFailed(t, s)
		if p != wantPending || f != wantFailed {
			t.Errorf("%s (reported %v): pending %s failed %s; want %s %s", state, reported, p, f, wantPending, wantFailed)
		}
		var text string
		s.View(func(tx tracker.Tx) error {
			full, err := tx.Message(m.ID)
			if err == nil {
				text = full.Text
			}
			return err
		})
		if text != "正文" {
			t.Errorf("%s: content %q", state, text)
		}
	}
	if err := s.Update(func(tx tracker.Tx) error { return tx.PutMessage(other) }); err != nil {
		t.Fatal(err)
	}
	step(tracker.Queued, false, "[1 2]", "[]")
	step(tracker.Sending, false, "[1 2]", "[]")
	step(tracker.Failed, false, "[1]", "[2]")
	step(tracker.Failed, true, "[1]", "[]")
	step(tracker.Queued, false, "[1 2]", "[]") // requeued
	step(tracker.Sent, false, "[1]", "[]")

	err := s.Update(func(tx tracker.Tx) error {
		return tx.PutMessage(&tracker.Message{Key: "digest/1", State: tracker.Queued})
	})
	if err == nil {
		t.Error("a second message with a taken key was stored")
	}
}

// Reminder marks are kept compactly (16 bytes a deadline) and read back
// as they were; marks of 12 bytes a deadline, and kept as JSON, by
// earlier versions still read.
func TestMarksEncoding(t *testing.T) {
	for _, st := range []tracker.ReminderState{
		{},
		{Sent: map[calendar.Date]tracker.Marks{day("2026-11-30"): {Officers: day("2026-11-23")}}},
		{Sent: map[calendar.Date]tracker.Marks{
			day("2026-12-10"): {Officers: day("2026-12-03"), Supervisors: day("2026-12-08"), SupervisorsTold: day("2026-12-09")},
			day("2026-11-30"): {Supervisors: day("2026-11-25")},
		}},
	} {
		v := encodeMarks(st)
		if len(v) != 1+16*len(st.Sent) {
			t.Errorf("%d bytes for %d deadlines", len(v), len(st.Sent))
		}
		back, err := decodeMarks(v)
		if err != nil || fmt.Sprint(back.Sent) != fmt.Sprint(st.Sent) {
			t.Errorf("read back %+v (%v), want %+v", back, err, st)
		}
		old, _ := json.Marshal(st)
		if back, err := decodeMarks(old); err != nil || fmt.Sprint(back.Sent) != fmt.Sprint(st.Sent) {
			t.Errorf("JSON marks %s read as %+v (%v)", old, back, err)
		}
	}
	if _, err := decodeMarks([]byte{tagMarks, 1, 2}); err == nil {
		t.Error("marks of a wrong length were read")
	}
	// The earlier compact form: the deadline, the officers' and the
	// supervisors' stages.
	v3 := []byte{tagMarksV3}
	for _, d := range []string{"2026-11-30", "2026-11-23", "2026-11-25"} {
		v3 = binary.BigEndian.AppendUint32(v3, uint32(int32(day(d).Sub(calendar.Date{}))))
	}
	if back, err := decodeMarks(v3); err != nil || back.Sent[day("2026-11-30")] != (tracker.Marks{Officers: day("2026-11-23"), Supervisors: day("2026-11-25")}) {
		t.Errorf("12-byte marks read as %+v (%v)", back, err)
	}
	if _, err := decodeMarks(v3[:9]); err == nil {
		t.Error("12-byte marks of a wrong length were read")
	}
}

// Marks read in a read transaction (through a cursor) are those stored,
// in id order or not, with events that have none between; in a write
// transaction, beside puts, too.
func TestReminderStateLookups(t *testing.T) {
	s, _ := tempStore(t)
	mark := func(id int) tracker.ReminderState {
		return tracker.ReminderState{Sent: map[calendar.Date]tracker.Marks{day("2026-11-30"): {Officers: day("2026-11-01").AddDays(id)}}}
	}
	stored := map[int]bool{2: true, 3: true, 9: true, 40: true}
	check := func(tx tracker.Tx, ids []int) {
		for _, id := range ids {
			st, err := tx.ReminderState(uint64(id))
			if err != nil {
				t.Fatal(err)
			}
			want := tracker.ReminderState{}
			if stored[id] {
				want = mark(id)
			}
			if fmt.Sprint(st.Sent) != fmt.Sprint(want.Sent) {
				t.Errorf("event %d: marks %v, want %v", id, st.Sent, want.Sent)
			}
		}
	}
	order := []int{1, 2, 3, 4, 9, 10, 40, 41, 3, 2, 40, 1, 9}
	err := s.Update(func(tx tracker.Tx) error {
		for id := range stored {
			if err := tx.PutReminderState(uint64(id), mark(id)); err != nil {
				return err
			}
		}
		check(tx, order)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx tracker.Tx) error { check(tx, order); return nil })
}

// A large attachment is kept in chunks, as it is, each written in a
// transaction of its own ahead of the message's: it reads back whole, two
// messages with the same workbook share its chunks, a chunk gone is damage
// (not a blank message), and check names it. A content still large
// without its attachments is chunked whole.
func TestLargeContentInChunks(t *testing.T) {
	s, _ := tempStore(t)
	data := noise(3 << 20)
	message := func(key, text string, data []byte) *tracker.Message {
		m := &tracker.Message{Key: key, Text: text, State: tracker.Queued,
			Attachments: []tracker.Attachment{{Name: "周报.xlsx", ContentType: "application/octet-stream", Data: data}}}
		if err := s.PackMessage(m); err != nil {
			t.Fatal(err)
		}
		if err := s.Update(func(tx tracker.Tx) error { return tx.PutMessage(m) }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	read := func(m *tracker.Message) (*tracker.Message, error) {
		var full *tracker.Message
		err := s.View(func(tx tracker.Tx) (err error) {
			full, err = tx.Message(m.ID)
			return err
		})
		return full, err
	}
	chunks := func() (n int) {
		s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketBlobs).Stats().KeyN; return nil })
		return n
	}
	txid := func() (id int) {
		s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
		return id
	}
	officer := message("digest/officer", "给专员", data)
	if len(officer.Packed) > 1024 || isBlobRef(officer.Packed) {
		t.Fatalf("a content with a 3 MB attachment packed as %d bytes", len(officer.Packed))
	}
	// Packing the same workbook again commits nothing: its chunks are there.
	before := txid()
	again := &tracker.Message{Key: "digest/again", Attachments: []tracker.Attachment{{Name: "周报.xlsx", Data: data}}}
	if err := s.PackMessage(again); err != nil || txid() != before {
		t.Errorf("packing a stored workbook again: %v, %d commits", err, txid()-before)
	}
	leader := message("digest/leader", "给领导", data)
	small := message("digest/small", "小附件", []byte("PK\x03\x04"))
	if n := chunks(); n != 3 {
		t.Errorf("%d chunks for two identical 3 MB attachments and a small one, want 3", n)
	}
	for _, m := range []*tracker.Message{officer, leader, small} {
		full, err := read(m)
		if err != nil || len(full.Attachments) != 1 || !bytes.Equal(full.Attachments[0].Data, m.Attachments[0].Data) ||
			full.Attachments[0].Name != "周报.xlsx" || full.Attachments[0].ContentType != "application/octet-stream" || full.Text != m.Text {
			t.Fatalf("%s read back as %+v (%v)", m.Key, full, err)
		}
	}

	// Text that does not shrink: the content is chunked whole, with its
	// attachment's reference inside.
	long := message("report/long", hex.EncodeToString(noise(400<<10)), nil)
	longer := message("digest/longer", hex.EncodeToString(noise(401<<10)), data)
	for _, m := range []*tracker.Message{long, longer} {
		if !isBlobRef(m.Packed) {
			t.Fatalf("an 800 KB text packed as %d bytes, not a reference", len(m.Packed))
		}
		if full, err := read(m); err != nil || full.Text != m.Text || len(full.Attachments) != len(m.Attachments) {
			t.Fatalf("long text read back: %v", err)
		}
	}

	sum := sha256.Sum256(data)
	sumLong, _ := parseBlobRef(long.Packed)
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		return errors.Join(b.Delete(blobKey(sum, 1)), b.Delete(blobKey(sumLong, 0)))
	}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*tracker.Message{officer, long, longer} {
		if _, err := read(m); tracker.ErrorCode(err) != tracker.EDamaged {
			t.Errorf("%s with a chunk gone: %v, want damage", m.Key, err)
		}
	}
	r, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for _, p := range r.Problems {
		problems = append(problems, p.Message)
	}
	all := strings.Join(problems, "\n")
	if strings.Count(all, "邮件的第 1 个附件的第 2 块（共 3 块）不存在") != 3 || !strings.Contains(all, "邮件内容的第 1 块") {
		t.Errorf("check: %s\nwant the missing chunks named", all)
	}
}

// Contents that earlier versions wrote whole, megabytes in a leaf, are
// moved into chunks on upgrade, and read back the same.
func TestChunkContentsMigration(t *testing.T) {
	s, path := tempStore(t)
	data := noise(600 << 10)
	m := &tracker.Message{Key: "report/weekly/2026-11-23/leader@example.gov.cn", Kind: "report", To: []string{"leader@example.gov.cn"},
		Subject: "周报", Text: "周报正文", State: tracker.Queued,
		Attachments: []tracker.Attachment{{Name: "周报.xlsx", ContentType: "application/octet-stream", Data: data}}}
	if err := s.Update(func(tx tracker.Tx) error { return tx.PutMessage(m) }); err != nil { // not packed: written whole
		t.Fatal(err)
	}
	s.Close()
	tamperDB(t, path, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketContent).Get(idKey(m.ID)); len(v) < blobFrom {
			t.Fatalf("the fixture's content is %d bytes, not whole", len(v))
		}
		return tx.Bucket(bucketMigrated).Delete(migrationKey(12))
	})
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var size int
	s.db.View(func(tx *bolt.Tx) error { size = len(tx.Bucket(bucketContent).Get(idKey(m.ID))); return nil })
	if size > 1024 {
		t.Errorf("content still %d bytes after the upgrade", size)
	}
	var got *tracker.Message
	if err := s.View(func(tx tracker.Tx) (err error) { got, err = tx.Message(m.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got.Text != m.Text || len(got.Attachments) != 1 || !bytes.Equal(got.Attachments[0].Data, data) || got.Attachments[0].Name != "周报.xlsx" {
		t.Errorf("read back %q with %d attachments", got.Text, len(got.Attachments))
	}
}
