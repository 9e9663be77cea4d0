package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// planStore is a new database held open, the calendar, the run's day
// (2026-11-23) and the operations on a transaction as of it.
func planStore(t *testing.T) (*boltstore.Store, *calendar.Calendar, calendar.Date, func(tracker.Tx) *tracker.Ops) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "g.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cal := calendar.Default()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, calendar.Shanghai)
	day := calendar.Today(now)
	return store, cal, day, func(tx tracker.Tx) *tracker.Ops {
		return &tracker.Ops{Tx: tx, Cal: cal, Clock: tracker.Clock{Now: now, Today: day, By: "张三"}}
	}
}

// A reminder run planned from a read still holds after writes that
// concern none of its events and put no new one due — staff logging new
// events on a busy server — and not after any other.
func TestPlanHolds(t *testing.T) {
	store, cal, day, ops := planStore(t)
	write := func(fn func(o *tracker.Ops) error) {
		t.Helper()
		if err := store.Update(func(tx tracker.Tx) error { return fn(ops(tx)) }); err != nil {
			t.Fatal(err)
		}
	}
	logEvent := func(date calendar.Date) (id uint64) {
		write(func(o *tracker.Ops) error {
			e, err := o.Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: date, Summary: "调整参保登记办理材料"})
			if e != nil {
				id = e.ID
			}
			return err
		})
		return id
	}
	write(func(o *tracker.Ops) error { _, err := o.Init(tracker.EmbeddedCatalog()); return err })
	overdue := logEvent(calendar.DateOf(2026, 9, 1))
	req := tracker.RemindRequest{Rules: tracker.ReminderRules{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3},
		Officers: []string{"officer@example.gov.cn"}}

	var head tracker.AuditHead
	var plan *tracker.ReminderPlan
	if err := store.View(func(tx tracker.Tx) error {
		var err error
		if head, err = tx.AuditHead(); err != nil {
			return err
		}
		in, err := tracker.GatherReminders(tx, day, req)
		if err != nil {
			return err
		}
		plan, err = tracker.PlanReminders(in, cal, day, req)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(plan.Marks) != 1 || plan.Marks[0].ID != overdue {
		t.Fatalf("plan: %+v", plan.Marks)
	}
	holds := func() bool {
		t.Helper()
		var ok bool
		if err := store.Update(func(tx tracker.Tx) error {
			var err error
			ok, err = tracker.PlanHolds(tx, head.Count, plan, cal, day, req)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !holds() {
		t.Error("nothing written, and the plan does not hold")
	}
	// A new event due in 20 working days: the plan holds.
	logEvent(day)
	if !holds() {
		t.Error("an event logged today, due in four weeks, broke the plan")
	}
	// A new event logged late, overdue already: it does not.
	late := logEvent(calendar.DateOf(2026, 10, 1))
	if holds() {
		t.Errorf("event %d, overdue, logged since the read: the plan still holds", late)
	}
}

// The plan's own event changed since the read: it does not hold.
func TestPlanHoldsNotAfterItsEventChanged(t *testing.T) {
	store, cal, day, o := planStore(t)
	var id uint64
	if err := store.Update(func(tx tracker.Tx) error {
		if _, err := o(tx).Init(tracker.EmbeddedCatalog()); err != nil {
			return err
		}
		e, err := o(tx).Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: calendar.DateOf(2026, 9, 1), Summary: "x"})
		id = e.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	req := tracker.RemindRequest{Rules: tracker.ReminderRules{OverdueEvery: 1, EscalateAfter: 3}, Officers: []string{"officer@example.gov.cn"}}
	var head tracker.AuditHead
	var plan *tracker.ReminderPlan
	store.View(func(tx tracker.Tx) error {
		head, _ = tx.AuditHead()
		in, _ := tracker.GatherReminders(tx, day, req)
		plan, _ = tracker.PlanReminders(in, cal, day, req)
		return nil
	})
	if err := store.Update(func(tx tracker.Tx) error {
		_, err := o(tx).Disclose(id, nil, true, day, "https://www.zgq.gov.cn/1", "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	store.Update(func(tx tracker.Tx) error {
		ok, err := tracker.PlanHolds(tx, head.Count, plan, cal, day, req)
		if ok || err != nil {
			t.Errorf("the plan's event disclosed since: holds %v, %v", ok, err)
		}
		return nil
	})
}

// A run whose marks go in several transactions records every one: the
// same day's second run finds nothing more to send.
func TestMarksInChunks(t *testing.T) {
	defer func(n int) { tracker.MarkChunk = n }(tracker.MarkChunk)
	tracker.MarkChunk = 2
	svc, clk, _, outbox := newService(t)
	ctx := app.WithActor(context.Background(), "张三")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day("2026-09-01"), Summary: fmt.Sprint("逾期第", i, "件")}); err != nil {
			t.Fatal(err)
		}
	}
	clk.set("2026-11-23T09:00:00+08:00")
	r, err := svc.RemindRun(ctx, app.RemindInput{})
	if err != nil || len(r.Queued) == 0 {
		t.Fatalf("first run: %+v %v", r, err)
	}
	sent, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(sent) == 0 {
		t.Error("nothing sent")
	}
	var marks strings.Builder
	if err := svc.Dump(ctx, "reminders", &marks); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(marks.String(), `"officers":"2026-11-23"`); n != 5 {
		t.Errorf("%d events marked as reminded on 2026-11-23, want 5:\n%s", n, marks.String())
	}
}
