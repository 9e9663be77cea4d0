package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/notify"
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
func TestPlanCheck(t *testing.T) {
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
	req := tracker.RemindRequest{Rules: tracker.ReminderRules{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5},
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
	// One check, as a run makes it: each call reads what came since the
	// last, in a read transaction as a run does first, or in a write one.
	check := tracker.NewPlanCheck(head.Count, plan, cal, day, req)
	holds := func(inWrite bool) bool {
		t.Helper()
		run := store.View
		if inWrite {
			run = store.Update
		}
		var ok bool
		if err := run(func(tx tracker.Tx) error {
			var err error
			ok, err = check.Holds(tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !holds(true) {
		t.Error("nothing written, and the plan does not hold")
	}
	// A new event due in 20 working days: the plan holds.
	today := logEvent(day)
	if !holds(false) {
		t.Error("an event logged today, due in four weeks, broke the plan")
	}
	// The same event, read already, corrected since to a date that makes
	// it overdue: the next call reads that change.
	if !holds(true) {
		t.Error("nothing written since the last call, and the plan does not hold")
	}
	write(func(o *tracker.Ops) error {
		date := calendar.DateOf(2026, 10, 1)
		_, err := o.Amend(today, "", tracker.Amendment{Date: &date, Reason: "日期记错"})
		return err
	})
	if holds(true) {
		t.Errorf("event %d, read when due in four weeks, corrected since to overdue: the plan still holds", today)
	}
	// Once broken, broken for good.
	if holds(false) {
		t.Error("the plan holds again after it did not")
	}

	// A new event logged late, overdue already: a fresh check of the
	// same plan does not hold either.
	check = tracker.NewPlanCheck(head.Count, plan, cal, day, req)
	late := logEvent(calendar.DateOf(2026, 10, 1))
	if holds(false) {
		t.Errorf("event %d, overdue, logged since the read: the plan still holds", late)
	}
}

// The plan's own event changed since the read: it does not hold.
func TestPlanCheckNotAfterItsEventChanged(t *testing.T) {
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
	req := tracker.RemindRequest{Rules: tracker.ReminderRules{OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5}, Officers: []string{"officer@example.gov.cn"}}
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
		ok, err := tracker.NewPlanCheck(head.Count, plan, cal, day, req).Holds(tx)
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

// busyStore is a server's store whose staff log an overdue event after
// each of its next reads (left): whatever a reminder run plans has gone
// stale by its write.
type busyStore struct {
	*boltstore.Store
	t      *testing.T
	ops    func(tx tracker.Tx) *tracker.Ops
	left   int
	logged int
}

func (s *busyStore) View(fn func(tracker.Tx) error) error {
	err := s.Store.View(fn)
	if s.left > 0 {
		s.left--
		s.logged++
		if werr := s.Store.Batch(func(tx tracker.Tx) error {
			_, err := s.ops(tx).Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: day("2026-09-01"), Summary: fmt.Sprint("插队第", s.logged, "件")})
			return err
		}); werr != nil {
			s.t.Fatal(werr)
		}
	}
	return err
}

// Writers that keep breaking a run's plan between its read and its write:
// the run reads and plans afresh, and at its last try plans inside its
// write transaction, even when the last writer came before its last check
// rather than after: it reminds of every overdue event, those logged
// meanwhile too, and the same day's next run finds nothing more to send.
func TestRemindRunOutpacedByWriters(t *testing.T) {
	store, _, _, ops := planStore(t)
	busy := &busyStore{Store: store, t: t, ops: ops}
	dir := t.TempDir()
	clk := &clock{}
	clk.set("2026-11-23T09:00:00+08:00")
	svc := app.NewLocal(app.Config{
		Store: busy, Maintenance: store, Now: clk.now,
		Settings: app.Settings{
			Reminders:  tracker.ReminderRules{OverdueEvery: 1},
			Recipients: app.Recipients{Officers: []string{"officer@example.gov.cn"}},
		},
		Renderer: notify.Renderer{},
		Delivery: func(st tracker.Store) (app.Deliverer, error) {
			return emlSender{&notify.Sender{Update: st.Update, View: st.View, Transport: notify.EMLDir{Dir: dir},
				From: "gongkai@example.gov.cn", Now: clk.now, Who: "test"}}, nil
		},
	})
	ctx := app.WithActor(context.Background(), "张三")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day("2026-09-01"), Summary: "逾期"}); err != nil {
		t.Fatal(err)
	}
	// A run reads who hears, then twice a try (to plan, then what came
	// since): an event logged after each read but the last try's check.
	busy.left = 6
	r, err := svc.RemindRun(ctx, app.RemindInput{})
	if err != nil {
		t.Fatal(err)
	}
	if busy.left != 0 {
		t.Fatalf("%d events still to log: the run read less than the test expects", busy.left)
	}
	var stages int
	for _, m := range r.Queued {
		stages += len(m.Stages)
	}
	var marks strings.Builder
	if err := svc.Dump(ctx, "reminders", &marks); err != nil {
		t.Fatal(err)
	}
	marked := strings.Count(marks.String(), `"officers":"2026-11-23"`)
	if len(r.Queued) != 1 || stages != 7 || marked != 7 {
		t.Errorf("%d messages, %d stages, %d events marked; want 1 message reminding of the 7 overdue events, each marked:\n%s", len(r.Queued), stages, marked, marks.String())
	}
	again, err := svc.RemindRun(ctx, app.RemindInput{})
	if err != nil || len(again.Queued) != 0 {
		t.Errorf("the same day's next run: %d messages, %v", len(again.Queued), err)
	}
}

// A dry run over digests large enough to be stored in chunks writes
// nothing: not a chunk, not a commit.
func TestRemindDryRunWritesNothing(t *testing.T) {
	store, _, _, ops := planStore(t)
	if err := store.Update(func(tx tracker.Tx) error {
		o := ops(tx)
		if _, err := o.Init(tracker.EmbeddedCatalog()); err != nil {
			return err
		}
		for i := range 6000 {
			if _, err := o.Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: day("2026-09-01"), Summary: fmt.Sprint("逾期第", i, "件：调整参保登记办理材料")}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	clk.set("2026-11-23T09:00:00+08:00")
	svc := app.NewLocal(app.Config{Store: store, Maintenance: store, Now: clk.now, Renderer: notify.Renderer{},
		Settings: app.Settings{Reminders: tracker.ReminderRules{OverdueEvery: 1},
			Recipients: app.Recipients{Officers: []string{"officer@example.gov.cn"}}}})
	blobs := func() int {
		t.Helper()
		r, err := store.Check()
		if err != nil {
			t.Fatal(err)
		}
		return r.Records("outbox_blobs")
	}
	ctx := app.WithActor(context.Background(), "张三")
	r, err := svc.RemindRun(ctx, app.RemindInput{DryRun: true})
	if err != nil || len(r.Queued) != 1 || len(r.Queued[0].Attachments) == 0 || len(r.Queued[0].Attachments[0].Data) < 256<<10 {
		t.Fatalf("the dry run did not plan a digest with a workbook to be stored in chunks: %v", err)
	}
	if n := blobs(); n != 0 {
		t.Errorf("a dry run wrote %d chunks", n)
	}
	// The same run for real stores the workbook in chunks.
	if _, err := svc.RemindRun(ctx, app.RemindInput{}); err != nil {
		t.Fatal(err)
	}
	if blobs() == 0 {
		t.Error("the run stored no chunks: the dry run's test proves nothing")
	}
}
