package boltstore

import (
	"bytes"
	"encoding/json"
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

// Reminder marks are kept compactly (12 bytes a deadline) and read back
// as they were; marks kept as JSON by earlier versions still read.
func TestMarksEncoding(t *testing.T) {
	for _, st := range []tracker.ReminderState{
		{},
		{Sent: map[calendar.Date]tracker.Marks{day("2026-11-30"): {Officers: day("2026-11-23")}}},
		{Sent: map[calendar.Date]tracker.Marks{
			day("2026-12-10"): {Officers: day("2026-12-03"), Supervisors: day("2026-12-08")},
			day("2026-11-30"): {Supervisors: day("2026-11-25")},
		}},
	} {
		v := encodeMarks(st)
		if len(v) != 1+12*len(st.Sent) {
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
}

// A large content is kept in chunks, each written in a transaction of its
// own ahead of the message's: it reads back whole, a chunk gone is damage
// (not a blank message), and check names it.
func TestLargeContentInChunks(t *testing.T) {
	s, _ := tempStore(t)
	data := noise(3 << 20)
	m := &tracker.Message{Key: "report/weekly/x", Text: "周报", State: tracker.Queued,
		Attachments: []tracker.Attachment{{Name: "周报.xlsx", Data: data}}}
	if err := s.PackMessage(m); err != nil {
		t.Fatal(err)
	}
	if !isBlobRef(m.Packed) {
		t.Fatalf("a 3 MB content packed as %d bytes, not a reference", len(m.Packed))
	}
	if err := s.Update(func(tx tracker.Tx) error { return tx.PutMessage(m) }); err != nil {
		t.Fatal(err)
	}
	var got []byte
	if err := s.View(func(tx tracker.Tx) error {
		full, err := tx.Message(m.ID)
		if err == nil && len(full.Attachments) == 1 {
			got = full.Attachments[0].Data
		}
		return err
	}); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v), want the %d stored", len(got), err, len(data))
	}
	chunks := 0
	s.db.View(func(tx *bolt.Tx) error { chunks = tx.Bucket(bucketBlobs).Stats().KeyN; return nil })
	if chunks < 3 {
		t.Errorf("%d chunks for 3 MB", chunks)
	}

	sum, _ := parseBlobRef(m.Packed)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketBlobs).Delete(blobKey(sum, 1)) }); err != nil {
		t.Fatal(err)
	}
	err := s.View(func(tx tracker.Tx) error { _, err := tx.Message(m.ID); return err })
	if tracker.ErrorCode(err) != tracker.EDamaged {
		t.Errorf("a chunk gone: %v, want damage", err)
	}
	r, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range r.Problems {
		found = found || strings.Contains(p.Message, "邮件内容的第 2 块")
	}
	if !found {
		t.Errorf("check: %v, want the missing chunk named", r.Problems)
	}
}
