package boltstore

import (
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ids lists the events an index gives for [from, to].
func ids(t *testing.T, s *Store, byClosed bool, from, to string) string {
	t.Helper()
	var out []uint64
	err := s.View(func(tx tracker.Tx) error {
		each := tx.EventsByDeadline
		if byClosed {
			each = tx.EventsByClosed
		}
		return each(day(from), day(to), func(e *tracker.Event) error {
			out = append(out, e.ID)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}

// The date indexes follow an event whose deadline moves and which closes,
// reopens and closes again: each event is listed once, under its current
// dates only, in date order.
func TestDateIndexesFollowChanges(t *testing.T) {
	s, _ := tempStore(t)
	put := func(e *tracker.Event) {
		t.Helper()
		if err := s.Update(func(tx tracker.Tx) error { return tx.PutEvent(e) }); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(deadline string) *tracker.Event {
		return &tracker.Event{Deadline: day(deadline), State: tracker.Open, History: []tracker.Change{{Action: tracker.ActLogged}}}
	}
	a, b := mk("2026-11-30"), mk("2026-11-20")
	put(a)
	put(b)
	if got := ids(t, s, false, "2026-11-01", "2026-12-31"); got != "[2 1]" {
		t.Fatalf("by deadline: %s, want [2 1] (earlier deadline first)", got)
	}
	// The deadline moves (an amendment, a calendar import): listed under
	// the new one only.
	a.Deadline = day("2026-12-10")
	put(a)
	if got := ids(t, s, false, "2026-11-30", "2026-11-30"); got != "[]" {
		t.Errorf("the old deadline still lists %s", got)
	}
	if got := ids(t, s, false, "2026-12-10", "2026-12-10"); got != "[1]" {
		t.Errorf("the new deadline lists %s", got)
	}
	// Closed, reopened, closed again on another day.
	b.State, b.ClosedOn = tracker.Done, day("2026-11-18")
	put(b)
	if got := ids(t, s, true, "2026-11-01", "2026-11-30"); got != "[2]" {
		t.Errorf("closed: %s", got)
	}
	b.State, b.ClosedOn = tracker.Open, calendar.Date{}
	put(b)
	if got := ids(t, s, true, "2026-11-01", "2026-11-30"); got != "[]" {
		t.Errorf("reopened, still listed as closed: %s", got)
	}
	b.State, b.ClosedOn = tracker.DoneLate, day("2026-11-25")
	put(b)
	if got := ids(t, s, true, "2026-11-18", "2026-11-18"); got != "[]" {
		t.Errorf("the first closing day still lists %s", got)
	}
	if got := ids(t, s, true, "2026-11-25", "2026-11-25"); got != "[2]" {
		t.Errorf("the second closing day lists %s", got)
	}
	// Inclusive bounds.
	if got := ids(t, s, false, "2026-11-20", "2026-12-10"); got != "[2 1]" {
		t.Errorf("inclusive range: %s", got)
	}
}

// The dates kept to maintain the indexes are read in the form every file
// holds them ({"Deadline","ClosedOn"}): an event closed in a file written
// long ago, reopened now, leaves the index of closing days.
func TestDateIndexesOfOldRecords(t *testing.T) {
	s, _ := tempStore(t)
	e := &tracker.Event{Deadline: day("2026-11-30"), State: tracker.Done, ClosedOn: day("2026-11-20"), History: []tracker.Change{{Action: tracker.ActLogged}}}
	if err := s.Update(func(tx tracker.Tx) error { return tx.PutEvent(e) }); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDates).Put(idKey(e.ID), []byte(`{"Deadline":"2026-11-30","ClosedOn":"2026-11-20"}`))
	}); err != nil {
		t.Fatal(err)
	}
	e.State, e.ClosedOn = tracker.Open, calendar.Date{}
	if err := s.Update(func(tx tracker.Tx) error { return tx.PutEvent(e) }); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, s, true, "2026-11-20", "2026-11-20"); got != "[]" {
		t.Errorf("reopened, still listed as closed on 2026-11-20: %s", got)
	}
}
