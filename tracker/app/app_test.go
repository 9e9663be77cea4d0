package app_test

import (
	"context"
	"os"
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

// clock is an injected "now" that a test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func (c *clock) set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.t = t
}

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// emlSender delivers into a folder, as the CLI does without [smtp].
type emlSender struct{ s *notify.Sender }

func (d emlSender) Flush(ctx context.Context, all bool) (app.Delivery, error) {
	r, err := d.s.Flush(ctx, all)
	return app.Delivery{Transport: d.s.Transport.Name(), Sent: r.Sent, Retrying: r.Retrying, Failed: r.Failed}, err
}

// newService is the application layer over a new database file in a
// temporary folder, with reminders and the weekly report written as .eml
// files into outbox.
func newService(t *testing.T) (svc *app.Local, clk *clock, dbPath, outbox string) {
	t.Helper()
	dir := t.TempDir()
	dbPath, outbox = filepath.Join(dir, "g.db"), filepath.Join(dir, "outbox")
	clk = &clock{}
	clk.set("2026-11-20T10:00:00+08:00")
	file := &boltstore.File{Path: dbPath}
	svc = app.NewLocal(app.Config{
		Store: file, Maintenance: file, Now: clk.now,
		Settings: app.Settings{
			Reminders: tracker.ReminderRules{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5},
			Recipients: app.Recipients{Officers: []string{"专员 <officer@example.gov.cn>"},
				Supervisors: []string{"leader@example.gov.cn"}},
		},
		Renderer: notify.Renderer{},
		Hasher:   cheapHasher(t),
		Delivery: func(store tracker.Store) (app.Deliverer, error) {
			return emlSender{&notify.Sender{Update: store.Update, View: store.View, Transport: notify.EMLDir{Dir: outbox},
				From: "gongkai@example.gov.cn", Now: clk.now, Who: "test"}}, nil
		},
	})
	return svc, clk, dbPath, outbox
}

// wantErr checks a domain error's code and field, and that its message
// names no flag or command of the CLI.
func wantErr(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	e := tracker.AsError(err)
	switch {
	case e == nil:
		t.Errorf("%s: err = %v, want a %s error on %q", what, err, code, field)
	case e.Code != code || e.Field != field:
		t.Errorf("%s: code %q field %q (%s), want %q %q", what, e.Code, e.Field, e.Message, code, field)
	case strings.Contains(e.Message, "--") || strings.Contains(e.Message, "gongkai "):
		t.Errorf("%s: the message names a flag or a command: %s", what, e.Message)
	}
}

// The whole staff flow, a reminder run and the weekly report, through the
// application layer alone: what any front end sees.
func TestStaffFlowThroughService(t *testing.T) {
	svc, clk, dbPath, outbox := newService(t)
	ctx := app.WithActor(context.Background(), "张三")

	// Reading before there is a database: not found, nothing created.
	_, err := svc.Events(ctx, app.EventQuery{})
	wantErr(t, "events before init", err, tracker.ENotFound, tracker.FieldDatabase)
	if _, err := os.Stat(dbPath); err == nil {
		t.Fatal("a read created the database")
	}
	// Only Init creates a database: a log before it is refused, and
	// leaves none behind.
	_, err = svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "调整办理材料"})
	wantErr(t, "log before init", err, tracker.ENotFound, tracker.FieldDatabase)
	if _, err := os.Stat(dbPath); err == nil {
		t.Fatal("a log before init made a database")
	}

	r, err := svc.Init(ctx)
	if err != nil || !r.Created || r.Catalog.Matters != 81 {
		t.Fatalf("init: %+v %v", r, err)
	}
	if r, err := svc.Init(ctx); err != nil || r.Created {
		t.Fatalf("second init: %+v %v", r, err)
	}

	// The rule's example: changed on 2026-11-02, due 2026-11-30; logged
	// 14 working days later, so flagged 补登.
	a, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day("2026-11-02"), Summary: "调整参保登记办理材料", Ref: "章人社字〔2026〕8号"})
	if err != nil {
		t.Fatal(err)
	}
	if a.View.Deadline != day("2026-11-30") || !a.View.LoggedLate || a.View.By != "张三" || *a.View.WorkdaysLeft != 6 {
		t.Errorf("logged: %+v", a.View)
	}
	b, err := svc.Log(ctx, app.LogInput{Matter: "供养亲属抚恤金申领", Kind: tracker.Formed, Date: day("2026-10-20"), Summary: "抚恤金标准"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.Log(ctx, app.LogInput{Matter: "5", Kind: tracker.Formed, Summary: "新政策"}) // today
	if err != nil || c.View.Date != day("2026-11-20") {
		t.Fatalf("log today: %+v %v", c, err)
	}

	// Refusals: each names its field, and writes nothing.
	before, _ := svc.Audit(ctx, app.AuditQuery{})
	_, err = svc.Log(ctx, app.LogInput{Matter: "999", Kind: tracker.Changed, Summary: "x"})
	wantErr(t, "unknown matter", err, tracker.ENotFound, tracker.FieldMatter)
	_, err = svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "x", Date: day("2026-11-21")})
	wantErr(t, "future date", err, tracker.EInvalid, tracker.FieldDate)
	_, err = svc.Disclose(ctx, app.DiscloseInput{Event: a.View.ID, Channels: []tracker.Channel{"wechat"}})
	wantErr(t, "unknown channel", err, tracker.EInvalid, tracker.FieldChannel)
	_, err = svc.Waive(ctx, app.WaiveInput{Event: 99, Reason: "x"})
	wantErr(t, "unknown event", err, tracker.ENotFound, tracker.FieldEvent)
	_, err = svc.Waive(ctx, app.WaiveInput{Event: c.View.ID})
	wantErr(t, "no reason", err, tracker.EInvalid, tracker.FieldReason)
	_, err = svc.Amend(ctx, app.AmendInput{Event: a.View.ID, Reason: "x"})
	wantErr(t, "nothing to amend", err, tracker.EInvalid, tracker.FieldAmendment)
	_, err = svc.Events(ctx, app.EventQuery{From: day("2026-12-01"), To: day("2026-11-01")})
	wantErr(t, "from after to", err, tracker.EInvalid, tracker.FieldDateRange)
	after, _ := svc.Audit(ctx, app.AuditQuery{})
	if len(after.Entries) != len(before.Entries) {
		t.Errorf("refusals wrote %d audit entries", len(after.Entries)-len(before.Entries))
	}

	// Disclosures close an event; a closed one refuses more.
	d, err := svc.Disclose(ctx, app.DiscloseInput{Event: a.View.ID, All: true, URL: "https://www.zgq.gov.cn/xxgk/1?a=1&b=2"})
	if err != nil || d.View.Status != tracker.Done || d.View.ClosedOn != day("2026-11-20") {
		t.Fatalf("disclose all: %+v %v", d, err)
	}
	_, err = svc.Disclose(ctx, app.DiscloseInput{Event: a.View.ID, All: true})
	wantErr(t, "disclose a closed event", err, tracker.EConflict, tracker.FieldEvent)
	if _, err := svc.Waive(ctx, app.WaiveInput{Event: c.View.ID, Reason: "依法不予公开"}); err != nil {
		t.Fatal(err)
	}
	if d, err := svc.Reopen(ctx, app.ReopenInput{Event: c.View.ID, Reason: "误操作"}); err != nil || d.View.Status != tracker.Open {
		t.Fatalf("reopen: %+v %v", d, err)
	}
	if d, err := svc.Amend(ctx, app.AmendInput{Event: c.View.ID, Date: ptr(day("2026-11-19")), Reason: "日期登记错误"}); err != nil || d.View.Deadline != day("2026-12-17") {
		t.Fatalf("amend: %+v %v", d, err)
	}
	if d, err := svc.Retract(ctx, app.RetractInput{Event: a.View.ID, Channel: tracker.Web, Reason: "网址有误"}); err != nil || d.View.Status != tracker.Open {
		t.Fatalf("retract: %+v %v", d, err)
	}

	// The events query: open and overdue as of a day.
	list, err := svc.Events(ctx, app.EventQuery{Overdue: true})
	if err != nil || len(list.Events) != 1 || list.Events[0].ID != b.View.ID || *list.Events[0].WorkdaysLeft != -3 {
		t.Fatalf("overdue: %+v %v", list, err)
	}
	if got := list.Events[0].Standing(list.AsOf); got != "已逾期 3 个工作日" {
		t.Errorf("standing %q", got)
	}
	shown, err := svc.Event(ctx, app.EventRef{ID: a.View.ID})
	if err != nil || len(shown.Event.History) != 3 || len(shown.Event.Disclosures) != 3 {
		t.Fatalf("show: %+v %v", shown, err)
	}

	// A reminder run the next working day: digests queued and written.
	clk.set("2026-11-23T09:00:00+08:00")
	rr, err := svc.RemindRun(ctx, app.RemindInput{})
	if err != nil || !rr.Workday || len(rr.Queued) != 2 || rr.Delivery.Sent != 2 {
		t.Fatalf("reminder run: %+v %v", rr, err)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 2 {
		t.Errorf("outbox files %v", files)
	}
	// The same day again: nothing new.
	if rr, err := svc.RemindRun(ctx, app.RemindInput{}); err != nil || len(rr.Queued) != 0 {
		t.Errorf("second run: %+v %v", rr, err)
	}
	// A Saturday: nothing at all.
	if rr, err := svc.RemindRun(ctx, app.RemindInput{Day: day("2026-11-21")}); err != nil || rr.Workday {
		t.Errorf("saturday: %+v %v", rr, err)
	}
	_, err = svc.RemindRun(ctx, app.RemindInput{Day: day("2026-11-24")})
	wantErr(t, "a future run", err, tracker.EInvalid, tracker.FieldAsOf)

	// The weekly report of Monday 2026-11-30, sent once.
	clk.set("2026-11-30T09:00:00+08:00")
	sent, err := svc.SendWeeklyReport(ctx, app.ReportInput{})
	if err != nil || sent.Queued != 2 || sent.Delivery.Sent < 2 {
		t.Fatalf("weekly report: %+v %v", sent, err)
	}
	rep := sent.Report
	if len(rep.Overdue) != 1 || rep.Overdue[0].Event.ID != b.View.ID || rep.Overdue[0].Days != 9 {
		t.Errorf("overdue section: %+v", rep.Overdue)
	}
	if len(rep.DueSoon) != 1 || rep.DueSoon[0].Event.ID != a.View.ID || rep.DueSoon[0].Days != 0 {
		t.Errorf("due-soon section: %+v", rep.DueSoon) // due today
	}
	if again, err := svc.SendWeeklyReport(ctx, app.ReportInput{}); err != nil || again.Queued != 0 {
		t.Errorf("second send: %+v %v", again, err)
	}
	ob, err := svc.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ob.Messages {
		if m.State != tracker.Sent {
			t.Errorf("message %d %s: %s", m.ID, m.Key, m.State)
		}
	}

	// Disclosed late on 11-25: open as of the 24th (read from the index of
	// events closed since), closed as of the 26th.
	if d, err := svc.Disclose(ctx, app.DiscloseInput{Event: b.View.ID, All: true, Date: day("2026-11-25")}); err != nil || d.View.Status != tracker.DoneLate {
		t.Fatalf("late disclosure: %+v %v", d, err)
	}
	for _, tc := range []struct {
		asOf string
		want bool
	}{{"2026-11-24", true}, {"2026-11-25", false}, {"2026-11-26", false}} {
		list, err := svc.Events(ctx, app.EventQuery{Overdue: true, AsOf: day(tc.asOf)})
		if err != nil {
			t.Fatal(err)
		}
		got := len(list.Events) > 0 && list.Events[0].ID == b.View.ID
		if got != tc.want {
			t.Errorf("overdue as of %s: %+v, want event %d listed: %v", tc.asOf, list.Events, b.View.ID, tc.want)
		}
	}
	if rep, err := svc.WeeklyReport(ctx, app.ReportInput{Day: day("2026-11-24")}); err != nil || len(rep.Overdue) != 1 || rep.Overdue[0].Event.ID != b.View.ID {
		t.Errorf("report as of 11-24: %+v %v", rep, err)
	}

	// The record holds together.
	v, err := svc.VerifyAudit(ctx)
	if err != nil || v.Head.Count < 10 {
		t.Errorf("verify: %+v %v", v, err)
	}
	chk, err := svc.Check(ctx)
	if err != nil || chk.Events != 3 || chk.Open != 2 || chk.SchemaVersion != boltstore.SchemaVersion {
		t.Errorf("check: %+v %v", chk, err)
	}
	// The file, record by record: the three events, and nothing else
	// when asked for them alone.
	var dump strings.Builder
	if err := svc.Dump(ctx, "events", &dump); err != nil || strings.Count(dump.String(), "\n") != 3 || !strings.Contains(dump.String(), `{"bucket":"events","key":3,`) {
		t.Errorf("dump of events: %v\n%s", err, dump.String())
	}
	entries, _ := svc.Audit(ctx, app.AuditQuery{From: day("2026-11-20"), To: day("2026-11-20")})
	for _, e := range entries.Entries {
		if e.Actor != "张三" {
			t.Errorf("audit entry %d by %q", e.Seq, e.Actor)
		}
	}
}

func ptr[T any](v T) *T { return &v }
