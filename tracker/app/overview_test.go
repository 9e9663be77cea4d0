package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// The overview's figures on a day, Friday 2026-11-20, for events whose
// deadlines (matter 3: 20 working days) were worked out by hand on the
// official 2026 calendar.
func TestOverview(t *testing.T) {
	svc, clk, dbPath, _ := newService(t)
	svc0 := struct{ store tracker.Store }{&boltstore.File{Path: dbPath}}
	ctx := app.WithActor(context.Background(), "tester")
	log := func(date, summary string) uint64 {
		t.Helper()
		d, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day(date), Summary: summary})
		if err != nil {
			t.Fatal(err)
		}
		return d.View.ID
	}
	clk.set("2026-11-20T10:00:00+08:00")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	a := log("2026-10-09", "A 逾期 11 个工作日") // deadline 11-05
	b := log("2026-10-22", "B 逾期 1 个工作日")  // 11-19
	log("2026-10-23", "C 今天到期")            // 11-20
	log("2026-10-26", "D 还有 1 个工作日")       // 11-23
	log("2026-10-27", "E 还有 2 个工作日")       // 11-24
	log("2026-11-19", "F 还有 19 个工作日")      // 12-17
	g := log("2026-09-01", "G 按时公开")       // 09-29
	h := log("2026-09-15", "H 逾期公开")       // 10-19
	i := log("2026-09-15", "I 免于公开")
	if _, err := svc.Disclose(ctx, app.DiscloseInput{Event: g, All: true, Date: day("2026-09-20")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Disclose(ctx, app.DiscloseInput{Event: h, All: true, Date: day("2026-10-30")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Waive(ctx, app.WaiveInput{Event: i, Reason: "涉及个人隐私"}); err != nil {
		t.Fatal(err)
	}

	o, err := svc.Overview(ctx, app.OverviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	counts := []struct {
		name      string
		got, want int
	}{
		{"open", o.Open, 6},
		{"overdue", o.Overdue, 2},
		{"due today", o.DueToday, 1},
		{"due within 1", o.DueTomorrow, 1},
		{"due within 5", o.DueWithin5, 1},
		{"on track", o.OnTrack, 1},
		{"due this week (to Sunday 11-22)", o.DueThisWeek, 1},
		// Deadlines this year before today: G on time; H late; A and B
		// open past theirs. I, waived, does not count.
		{"this year on time", o.ThisYear.OnTime, 1},
		{"this year total", o.ThisYear.Total, 4},
		{"last year total", o.LastYear.Total, 0},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	if len(o.OverdueEvents) != 2 || o.OverdueEvents[0].ID != a || o.OverdueEvents[0].DaysOverdue != 11 ||
		o.OverdueEvents[1].ID != b || o.OverdueEvents[1].DaysOverdue != 1 {
		t.Errorf("overdue events: %+v, want A (11 working days) then B (1)", o.OverdueEvents)
	}
	if got := [4]int{o.Ageing[0].Count, o.Ageing[1].Count, o.Ageing[2].Count, o.Ageing[3].Count}; got != [4]int{1, 0, 1, 0} {
		t.Errorf("ageing %v, want B in 0–5 and A in 11–20", o.Ageing)
	}
	if len(o.Weeks) != app.TrendWeeks || o.Weeks[len(o.Weeks)-1].From != day("2026-11-16") || o.Weeks[0].From != day("2026-08-31") {
		t.Fatalf("weeks: %+v, want 12 from 2026-08-31 to the week of 2026-11-16", o.Weeks)
	}
	byWeek := map[string][2]int{}
	for _, w := range o.Weeks {
		if w.OnTime+w.Late > 0 {
			byWeek[w.From.String()] = [2]int{w.OnTime, w.Late}
		}
	}
	want := map[string][2]int{"2026-09-28": {1, 0}, "2026-10-19": {0, 1}, "2026-11-02": {0, 1}, "2026-11-16": {0, 1}}
	if len(byWeek) != len(want) {
		t.Errorf("weeks with deadlines: %v, want %v", byWeek, want)
	}
	for k, v := range want {
		if byWeek[k] != v {
			t.Errorf("week of %s: on time/late %v, want %v", k, byWeek[k], v)
		}
	}
	var l1 *app.Level1Figures
	for i := range o.Level1 {
		if o.Level1[i].Level1 == "社会保险参保登记" {
			l1 = &o.Level1[i]
		}
	}
	if l1 == nil || l1.Open != 6 || l1.Overdue != 2 || l1.ThisYear.Total != 4 {
		t.Errorf("社会保险参保登记's figures: %+v", l1)
	}

	// A member of staff of a section that owns another 一级事项 counts
	// none of these; one of the owning section counts them all.
	other := app.WithPrincipal(context.Background(), &app.Principal{Account: "zhang", Roles: []access.Role{access.Staff},
		Sections: []access.Section{{Name: "工伤股", Level1: []string{"工伤保险服务"}}}})
	if o, err := svc.Overview(other, app.OverviewQuery{}); err != nil || o.Open != 0 || o.ThisYear.Total != 0 || len(o.OverdueEvents) != 0 || len(o.Level1) != 1 {
		t.Errorf("staff of 工伤股: %+v, %v; want nothing counted, one 一级事项", o, err)
	}
	owner := app.WithPrincipal(context.Background(), &app.Principal{Account: "li", Roles: []access.Role{access.Staff},
		Sections: []access.Section{{Name: "社保股", Level1: []string{"社会保险参保登记"}}}})
	if o, err := svc.Overview(owner, app.OverviewQuery{}); err != nil || o.Open != 6 || o.Overdue != 2 {
		t.Errorf("staff of 社保股: %+v, %v; want 6 open, 2 overdue", o, err)
	}
	// An auditor sees no events, so no figures either.
	auditor := app.WithPrincipal(context.Background(), &app.Principal{Account: "sun", Roles: []access.Role{access.Auditor}})
	_, err = svc.Overview(auditor, app.OverviewQuery{})
	wantErr(t, "an auditor's overview", err, tracker.EForbidden, tracker.FieldRole)

	// Read from the events instead of the store's counts (a store that
	// keeps none): the same figures.
	svc2 := app.NewLocal(app.Config{Store: plainStore{svc0.store}, Now: clk.now})
	scanned, err := svc2.Overview(ctx, app.OverviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	counted, _ := svc.Overview(ctx, app.OverviewQuery{})
	fromEvents, _ := json.Marshal(scanned)
	fromCounts, _ := json.Marshal(counted)
	if string(fromEvents) != string(fromCounts) {
		t.Errorf("figures from the events:\n%s\nfrom the counts:\n%s", fromEvents, fromCounts)
	}

	// The weekly report's headline: last week (11-09 to 11-15) had no
	// deadline; the week before (11-02 to 11-08) had A's, missed; this
	// year's are the overview's; C is due this week (to Sunday 11-22), D
	// and E the next.
	rep, err := svc.WeeklyReport(ctx, app.ReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Overall != (tracker.Rate{}) || rep.PrevOverall != (tracker.Rate{OnTime: 0, Total: 1}) || rep.ThisYear != (tracker.Rate{OnTime: 1, Total: 4}) ||
		len(rep.YearRates) != 1 || rep.YearRates[0] != (tracker.Rate{Level1: "社会保险参保登记", OnTime: 1, Total: 4}) ||
		rep.DueThisWeek() != 1 || len(rep.DueSoon) != 3 {
		t.Errorf("the weekly report's headline: last week %+v, the week before %+v, this year %+v %+v, due this week %d of %d",
			rep.Overall, rep.PrevOverall, rep.ThisYear, rep.YearRates, rep.DueThisWeek(), len(rep.DueSoon))
	}
	// This year's from the store's counts, as from the events.
	scannedRep, err := svc2.WeeklyReport(ctx, app.ReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(scannedRep.ThisYear, scannedRep.YearRates), fmt.Sprint(rep.ThisYear, rep.YearRates); a != b {
		t.Errorf("this year's rates from the events %s, from the counts %s", a, b)
	}

	// As of a past day, the events closed since count as open then.
	o, err = svc.Overview(ctx, app.OverviewQuery{AsOf: day("2026-10-20")})
	if err != nil {
		t.Fatal(err)
	}
	// On 10-20: G closed; H and I (waived later) open, overdue since
	// 10-19; A open; B not yet logged (its date is 10-22).
	if o.Open != 3 || o.Overdue != 2 {
		t.Errorf("as of 2026-10-20: %d open, %d overdue; want 3 and 2", o.Open, o.Overdue)
	}
}

// A log's preview says the deadline and writes nothing; a list ordered by
// deadline is.
func TestLogPreviewAndDeadlineOrder(t *testing.T) {
	svc, _, _, _ := newService(t)
	ctx := app.WithActor(context.Background(), "tester")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for _, date := range []string{"2026-11-19", "2026-10-09"} {
		if _, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day(date), Summary: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := svc.Audit(app.WithPrincipal(ctx, &app.Principal{Account: "a", Local: true}), app.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// 2026-10-09 is 30 working days before today (11-20): late.
	p, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Formed, Date: day("2026-10-09"), Summary: "预览", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.View.ID != 0 || p.View.Deadline != day("2026-11-05") || !p.View.LoggedLate || p.View.Status != tracker.Overdue {
		t.Errorf("preview: %+v; want no id, deadline 2026-11-05, late, overdue", p.View)
	}
	after, _ := svc.Audit(app.WithPrincipal(ctx, &app.Principal{Account: "a", Local: true}), app.AuditQuery{})
	list, _ := svc.Events(ctx, app.EventQuery{})
	if len(after.Entries) != len(before.Entries) || len(list.Events) != 2 {
		t.Errorf("a preview wrote: %d audit entries (was %d), %d events", len(after.Entries), len(before.Entries), len(list.Events))
	}
	// A preview checks as a log does.
	_, err = svc.Log(ctx, app.LogInput{Matter: "999", Kind: tracker.Formed, Summary: "x", DryRun: true})
	wantErr(t, "a preview of an unknown matter", err, tracker.ENotFound, tracker.FieldMatter)
	_, err = svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Formed, Date: day("2026-12-01"), Summary: "x", DryRun: true})
	wantErr(t, "a preview of a day to come", err, tracker.EInvalid, tracker.FieldDate)

	list, err = svc.Events(ctx, app.EventQuery{Order: app.OrderDeadline, Limit: 1})
	if err != nil || len(list.Events) != 1 || list.Events[0].Deadline != day("2026-11-05") || !list.More {
		t.Errorf("first by deadline: %+v, %v; want the event due 2026-11-05, and more", list, err)
	}
	list, err = svc.Events(ctx, app.EventQuery{DueFrom: day("2026-11-01"), DueTo: day("2026-11-30")})
	if err != nil || len(list.Events) != 1 || list.Events[0].Deadline != day("2026-11-05") || list.Events[0].Summary != "x" {
		t.Errorf("due in November: %+v, %v; want the event due 2026-11-05 only, whole", list, err)
	}
	_, err = svc.Events(ctx, app.EventQuery{DueFrom: day("2026-11-01")})
	wantErr(t, "a range of deadlines without its end", err, tracker.EInvalid, tracker.FieldDateRange)
	_, err = svc.Events(ctx, app.EventQuery{Order: "date"})
	wantErr(t, "an unknown order", err, tracker.EInvalid, "order")
}

// A weekly report is kept as it went out: amended since, its event reads
// in it as it was.
func TestSentReportsKept(t *testing.T) {
	svc, _, _, _ := newService(t)
	ctx := app.WithActor(context.Background(), "tester")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := svc.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day("2026-10-09"), Summary: "原来的摘要"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SendWeeklyReport(ctx, app.ReportInput{Day: day("2026-11-20")}); err != nil {
		t.Fatal(err)
	}
	s := "更正后的摘要"
	if _, err := svc.Amend(ctx, app.AmendInput{Event: d.View.ID, Summary: &s, Reason: "摘要写错"}); err != nil {
		t.Fatal(err)
	}
	list, err := svc.SentReports(ctx)
	if err != nil || len(list.Reports) != 1 || list.Reports[0].Day != day("2026-11-20") || len(list.Reports[0].To) != 2 {
		t.Fatalf("sent reports: %+v, %v; want the one of 2026-11-20 to its 2 recipients", list, err)
	}
	r, err := svc.SentReportContent(ctx, day("2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.HTML, "原来的摘要") || strings.Contains(r.HTML, "更正后的摘要") || len(r.Attachments) == 0 {
		t.Errorf("the kept report does not read as it went out (%d attachments)", len(r.Attachments))
	}
	_, err = svc.SentReportContent(ctx, day("2026-11-13"))
	wantErr(t, "a week with no report", err, tracker.ENotFound, tracker.FieldDate)
}

// plainStore is a store whose transactions keep no counts of events
// (tracker.EventFigures), nor anything but tracker.Tx.
type plainStore struct{ s tracker.Store }

type plainTx struct{ tracker.Tx }

func (p plainStore) View(fn func(tracker.Tx) error) error {
	return p.s.View(func(tx tracker.Tx) error { return fn(plainTx{tx}) })
}

func (p plainStore) Update(fn func(tracker.Tx) error) error {
	return p.s.Update(func(tx tracker.Tx) error { return fn(plainTx{tx}) })
}

// A search by text or by who logged finds what reading every event
// finds: full-width digits as half-width, in the summary or the 文号.
func TestSearchEvents(t *testing.T) {
	svc, clk, dbPath, _ := newService(t)
	ctx := app.WithActor(context.Background(), "tester")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for i, in := range []app.LogInput{
		{Matter: "3", Summary: "２０２７年缴费基数调整", Ref: "章人社字〔2026〕8号"},
		{Matter: "40", Summary: "退休待遇核定流程", Ref: "章人社字〔2026〕9号"},
		{Matter: "12", Summary: "工伤认定材料清单"},
	} {
		in.Kind, in.Date = tracker.Changed, day("2026-11-0"+fmt.Sprint(2+i))
		by := app.WithActor(context.Background(), []string{"zhang", "li", "zhang"}[i])
		if _, err := svc.Log(by, in); err != nil {
			t.Fatal(err)
		}
	}
	plain := app.NewLocal(app.Config{Store: plainStore{&boltstore.File{Path: dbPath}}, Now: clk.now})
	for _, q := range []app.EventQuery{{Text: "2027"}, {Text: "9号"}, {Text: "材料"}, {By: "zhang"}, {Text: "材料", By: "li"}, {Text: "没有"}} {
		q.Order, q.Limit = app.OrderDeadline, 50
		found, err := svc.Events(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		read, err := plain.Events(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var a, b []uint64
		for _, e := range found.Events {
			a = append(a, e.ID)
		}
		for _, e := range read.Events {
			b = append(b, e.ID)
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%+v: searched %v, read %v", q, a, b)
		}
	}
	if l, _ := svc.Events(ctx, app.EventQuery{Text: "2027"}); len(l.Events) != 1 {
		t.Errorf("text 2027 (written ２０２７): %d events, want 1", len(l.Events))
	}
}
