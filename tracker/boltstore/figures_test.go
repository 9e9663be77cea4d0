package boltstore

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// The counts follow every change of an event, equal those of the events
// themselves, and are built for a file that had none.
func TestEventFigures(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, calendar.Shanghai)
	clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: "张三"}
	day := func(s string) calendar.Date { d, _ := calendar.ParseDate(s); return d }
	err = s.Update(func(tx tracker.Tx) error {
		ops := &tracker.Ops{Tx: tx, Cal: calendar.Default(), Clock: clk, RealNow: func() time.Time { return now }}
		if _, err := ops.Init(tracker.EmbeddedCatalog()); err != nil {
			return err
		}
		var ids []uint64
		for i, m := range []string{"3", "3", "3", "40", "40", "12"} {
			e, err := ops.Log(m, tracker.LogRequest{Kind: tracker.Changed, Date: day("2026-10-09").AddDays(i % 2), Summary: "x"})
			if err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		if _, err := ops.Disclose(ids[0], nil, true, day("2026-10-20"), "", ""); err != nil {
			return err
		}
		if _, err := ops.Disclose(ids[3], nil, true, day("2026-11-19"), "", ""); err != nil {
			return err
		}
		if _, err := ops.Waive(ids[1], "涉密"); err != nil {
			return err
		}
		if _, err := ops.Cancel(ids[5], "登记错了"); err != nil {
			return err
		}
		if _, err := ops.Reopen(ids[3], "公开的网页打不开"); err != nil {
			return err
		}
		d := day("2026-10-12")
		_, err := ops.Amend(ids[2], "40", tracker.Amendment{Date: &d, Reason: "日期写错"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The counts as the events say, and as event_figures says.
	count := func() (want, got map[string]int) {
		want, got = map[string]int{}, map[string]int{}
		s.View(func(tx tracker.Tx) error {
			tx.Events(func(e *tracker.Event) error {
				want[string(e.State)+" "+e.Deadline.String()+" "+e.Level1()]++
				return nil
			})
			for _, st := range []tracker.Status{tracker.Open, tracker.Done, tracker.DoneLate, tracker.Waived, tracker.Cancelled} {
				tx.(tracker.EventFigures).EventCounts(st, calendar.FirstDate, calendar.LastDate, func(d calendar.Date, l1 string, n int) error {
					got[string(st)+" "+d.String()+" "+l1] += n
					return nil
				})
			}
			return nil
		})
		return want, got
	}
	same := func(what string) {
		t.Helper()
		want, got := count()
		if len(want) != len(got) {
			t.Errorf("%s: counts %v, want %v", what, got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %s counted %d, want %d", what, k, got[k], n)
			}
		}
	}
	same("kept as events changed")
	// Open events by deadline: the three open, earliest first.
	var open []calendar.Date
	s.View(func(tx tracker.Tx) error {
		return tx.(tracker.EventFigures).OpenEventsDue(calendar.FirstDate, calendar.LastDate, func(e *tracker.Event) error {
			if e.State != tracker.Open || e.Summary != "x" {
				t.Errorf("OpenEventsDue gave %+v", e)
			}
			open = append(open, e.Deadline)
			return nil
		})
	})
	if len(open) != 3 || open[0].After(open[1]) || open[1].After(open[2]) {
		t.Errorf("open events by deadline: %v", open)
	}
	// Built anew (the migration), the same; and the check finds them sound.
	if err := s.db.Update(buildFigures); err != nil {
		t.Fatal(err)
	}
	same("built from event_dates")
	r, err := s.Check()
	if err != nil || len(r.Problems) != 0 {
		t.Errorf("check: %v %+v", err, r)
	}
	// A count changed behind gongkai's back: the check says which.
	s.db.Update(func(tx *bolt.Tx) error {
		return addFigure(tx.Bucket(bucketFigures), tracker.Open, day("2026-11-05"), "社会保险参保登记", 1)
	})
	r, _ = s.Check()
	if len(r.Problems) != 1 || r.Problems[0].Bucket != "event_figures" {
		t.Errorf("a count off by one: %+v", r.Problems)
	}
}
