package boltstore

import (
	"fmt"
	"strings"
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

// EventsDue gives what the on-time rate counts of the events due in a
// range, as they are now, without reading them.
func TestEventsDue(t *testing.T) {
	s, _ := tempStore(t)
	e := &tracker.Event{Matter: 3, MatterName: "社会保险参保登记 › 机关事业单位参加社会保险登记", Date: day("2026-11-02"), Deadline: day("2026-11-30"),
		State: tracker.Open, Summary: "调整参保登记办理材料", History: []tracker.Change{{Action: tracker.ActLogged}}}
	due := func(from, to string) string {
		t.Helper()
		var out []string
		if err := s.View(func(tx tracker.Tx) error {
			return tx.EventsDue(day(from), day(to), func(e *tracker.Event) error {
				out = append(out, fmt.Sprintf("%d %s %s %s %s %s %q", e.ID, e.State, e.Date, e.Deadline, e.ClosedOn, e.Level1(), e.Summary))
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, "; ")
	}
	for _, step := range []struct {
		change func()
		from   string
		want   string
	}{
		{func() {}, "2026-11-30", `1 open 2026-11-02 2026-11-30 0000-00-00 社会保险参保登记 ""`},
		{func() { e.State, e.ClosedOn = tracker.DoneLate, day("2026-12-02") }, "2026-11-30", `1 done_late 2026-11-02 2026-11-30 2026-12-02 社会保险参保登记 ""`},
		{func() {
			e.Date, e.Deadline, e.MatterName = day("2026-11-03"), day("2026-12-01"), "养老保险服务 › 退休"
		}, "2026-12-01", `1 done_late 2026-11-03 2026-12-01 2026-12-02 养老保险服务 ""`},
	} {
		step.change()
		if err := s.Update(func(tx tracker.Tx) error { return tx.PutEvent(e) }); err != nil {
			t.Fatal(err)
		}
		if got := due(step.from, step.from); got != step.want {
			t.Errorf("due on %s: %s, want %s", step.from, got, step.want)
		}
	}
	if got := due("2026-11-30", "2026-11-30"); got != "" {
		t.Errorf("the old deadline still lists %s", got)
	}
}
