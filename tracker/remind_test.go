package tracker

import (
	"fmt"
	"testing"

	"gongkai/calendar"
)

var rules = ReminderRules{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5}

func plan(t *testing.T, e *Event, r ReminderRules, today string, st ReminderState) []Stage {
	t.Helper()
	out, err := PlanEvent(e, r, calendar.Default(), day(today), st)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func names(ss []Stage) string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s:%s@%s", s.Audience, s.Name, s.Day))
	}
	return fmt.Sprint(out)
}

// A run each working day from logging to well past the deadline (2026-11-30):
// each stage once, on its day.
func TestPlanDayByDay(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02")
	var st ReminderState
	got := map[string]string{}
	for d := day("2026-11-02"); !d.After(day("2026-12-10")); d = d.AddDays(1) {
		if w, _ := calendar.Default().IsWorkday(d); !w {
			continue
		}
		ss := plan(t, e, rules, d.String(), st)
		if len(ss) > 0 {
			got[d.String()] = names(ss)
		}
		for _, s := range ss {
			st.Record(s, e.Deadline, s.Day)
		}
	}
	want := map[string]string{
		"2026-11-23": "[officers:before-5@2026-11-23]",
		"2026-11-25": "[officers:before-3@2026-11-25]",
		"2026-11-27": "[officers:before-1@2026-11-27]",
		"2026-11-30": "[officers:due@2026-11-30]",
		"2026-12-01": "[officers:overdue-1@2026-12-01]",
		"2026-12-02": "[officers:overdue-2@2026-12-02]",
		"2026-12-03": "[officers:overdue-3@2026-12-03 supervisors:escalate-3@2026-12-03]",
		"2026-12-04": "[officers:overdue-4@2026-12-04]",
		"2026-12-07": "[officers:overdue-5@2026-12-07]",
		"2026-12-08": "[officers:overdue-6@2026-12-08]",
		"2026-12-09": "[officers:overdue-7@2026-12-09]",
		// Supervisors hear again every 5 working days, not every day.
		"2026-12-10": "[officers:overdue-8@2026-12-10 supervisors:escalate-8@2026-12-10]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestPlanCatchUpAndMoves(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02")
	// The daemon was down from before the first reminder: one current
	// reminder per audience, not every missed step.
	if got := names(plan(t, e, rules, "2026-12-03", ReminderState{})); got != "[officers:overdue-3@2026-12-03 supervisors:escalate-3@2026-12-03]" {
		t.Errorf("catch-up: %s", got)
	}
	// A stage that fell on a weekend is sent on the next run.
	if got := names(plan(t, e, rules, "2026-11-28", ReminderState{Sent: map[calendar.Date]Marks{e.Deadline: {Officers: day("2026-11-25")}}})); got != "[officers:before-1@2026-11-27]" {
		t.Errorf("weekend run: %s", got)
	}
	// A moved deadline starts afresh: the old deadline's marks are not its.
	old := ReminderState{Sent: map[calendar.Date]Marks{day("2026-11-27"): {Officers: day("2026-11-27")}}}
	if got := names(plan(t, e, rules, "2026-11-30", old)); got != "[officers:due@2026-11-30]" {
		t.Errorf("moved deadline: %s", got)
	}
	// A deadline that moved away and back finds its marks: nothing twice.
	var st ReminderState
	for _, s := range plan(t, e, rules, "2026-11-23", st) {
		st.Record(s, e.Deadline, s.Day)
	}
	st.Record(Stage{Audience: ToOfficers, Day: day("2026-11-24")}, day("2026-12-01"), day("2026-11-24")) // while it was 12-01
	if got := plan(t, e, rules, "2026-11-24", st); len(got) != 0 {
		t.Errorf("back to 11-30: %s sent again", names(got))
	}
	// Closed events have no reminders.
	if err := e.Waive("依法不予公开", clockOn("2026-11-20")); err != nil {
		t.Fatal(err)
	}
	if got := plan(t, e, rules, "2026-12-03", ReminderState{}); len(got) != 0 {
		t.Errorf("closed event: %v", names(got))
	}
}

func TestPlanRules(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02")
	// Overdue notices every 2 working days; escalation after 3, which is
	// not one of their steps, then every 4 of its own.
	r := ReminderRules{Before: []int{1}, OverdueEvery: 2, EscalateAfter: 3, EscalateEvery: 4}
	var st ReminderState
	var got []string
	for d := day("2026-11-26"); !d.After(day("2026-12-10")); d = d.AddDays(1) {
		if w, _ := calendar.Default().IsWorkday(d); !w {
			continue
		}
		for _, s := range plan(t, e, r, d.String(), st) {
			got = append(got, s.Day.String()+" "+s.Name)
			st.Record(s, e.Deadline, s.Day)
		}
	}
	want := "[2026-11-27 before-1 2026-12-02 overdue-2 2026-12-03 escalate-3 2026-12-04 overdue-4 2026-12-08 overdue-6 2026-12-09 escalate-7 2026-12-10 overdue-8]"
	if fmt.Sprint(got) != want {
		t.Errorf("got  %v\nwant %s", got, want)
	}
	// A reminder day before the event existed is skipped: logged 2 working
	// days before its deadline, it never hears "5 days left".
	late := logged(t, "2026-10-09", "2026-10-09") // a Friday, deadline 2026-11-05 (Thu)
	if got := names(plan(t, late, ReminderRules{Before: []int{30, 1}}, "2026-10-12", ReminderState{})); got != "[]" {
		t.Errorf("before the event: %s", got)
	}
}

// A digest lists the overdue first, longest overdue first, then the others
// by deadline, and events of the same deadline by number, whatever order
// the run read them in; the supervisors' digest, the escalations alone,
// in the same order.
func TestPlanDigestOrder(t *testing.T) {
	cal := calendar.Default()
	today := day("2026-12-03")
	// id: deadline (2026-12-03 is a Thursday; no stage falls on 12-07's
	// before-2, which the rules do not ask for).
	deadlines := map[uint64]string{
		9: "2026-12-04", 4: "2026-11-25", 12: "2026-12-03", 2: "2026-11-30",
		5: "2026-12-10", 7: "2026-11-25", 3: "2026-12-08", 11: "2026-11-27",
	}
	in := &ReminderInputs{Noticed: map[string]bool{}}
	for _, id := range []uint64{9, 4, 12, 2, 5, 7, 3, 11} {
		in.Events = append(in.Events, &Event{ID: id, Matter: 1, MatterName: "事项", Kind: Changed,
			Date: day("2026-11-02"), Deadline: day(deadlines[id]), State: Open, Summary: "调整"})
		in.States = append(in.States, ReminderState{})
	}
	p, err := PlanReminders(in, cal, today, RemindRequest{Rules: rules,
		Officers: []string{"officer@example.gov.cn"}, Supervisors: []string{"leader@example.gov.cn"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range p.Digests {
		var out []string
		for _, it := range d.Items {
			out = append(out, fmt.Sprintf("%d:%s", it.Event.ID, it.Stage.Name))
		}
		got[d.To] = fmt.Sprint(out)
	}
	want := map[string]string{
		// 4 and 7 are overdue since 11-26: the longest, 4 before 7; 12 is
		// due today; 9, 3 and 5 are 1, 3 and 5 working days ahead.
		"officer@example.gov.cn": "[4:overdue-6 7:overdue-6 11:overdue-4 2:overdue-3 12:due 9:before-1 3:before-3 5:before-5]",
		// Each first crossed 3 working days overdue on or before today,
		// and none has reached its next escalation (8).
		"leader@example.gov.cn": "[4:escalate-3 7:escalate-3 11:escalate-3 2:escalate-3]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// Each digest knows who its recipient is — an officer who is also an
// owner or a supervisor hears as an officer — and each item its
// sections and, for an escalation again, when supervisors last heard.
func TestPlanAudiences(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02") // deadline 2026-11-30
	l1 := e.Level1()
	in := func(st ReminderState) *ReminderInputs {
		return &ReminderInputs{Events: []*Event{e}, States: []ReminderState{st}, Noticed: map[string]bool{}}
	}
	req := RemindRequest{Rules: rules, Officers: []string{"officer@example.gov.cn"}, Supervisors: []string{"leader@example.gov.cn", "Officer@example.gov.cn"},
		Owners:   []Owner{{Level1: l1, Emails: []string{"staff@example.gov.cn", "leader@example.gov.cn"}}},
		Sections: map[string][]string{l1: {"社会保险股"}}}
	// 2026-12-03: 3 working days overdue, the first escalation.
	p, err := PlanReminders(in(ReminderState{}), calendar.Default(), day("2026-12-03"), req)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range p.Digests {
		var items []string
		for _, it := range d.Items {
			items = append(items, fmt.Sprintf("%s/%v/%s", it.Stage.Name, it.Sections, it.Previous))
		}
		got[d.To] = fmt.Sprintf("%s %v", d.Audience, items)
	}
	want := map[string]string{
		"officer@example.gov.cn": "officers [overdue-3/[社会保险股]/0000-00-00]",
		"staff@example.gov.cn":   "owners [overdue-3/[社会保险股]/0000-00-00]",
		// A supervisor who also owns the 一级事项 hears of the event
		// once, as a supervisor: the escalation.
		"leader@example.gov.cn": "supervisors [escalate-3/[社会保险股]/0000-00-00]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	// The run made up the escalation on 12-04; five working days after
	// the stage, supervisors hear again, told when they last did.
	if m := p.Marks[0].State.Sent[e.Deadline]; m.Supervisors != day("2026-12-03") || m.SupervisorsTold != day("2026-12-03") {
		t.Errorf("marks after the run: %+v", m)
	}
	st := ReminderState{Sent: map[calendar.Date]Marks{e.Deadline: {Officers: day("2026-12-09"), Supervisors: day("2026-12-03"), SupervisorsTold: day("2026-12-04")}}}
	p, err = PlanReminders(in(st), calendar.Default(), day("2026-12-10"), req)
	if err != nil {
		t.Fatal(err)
	}
	var esc []string
	for _, d := range p.Digests {
		if d.To == "leader@example.gov.cn" {
			for _, it := range d.Items {
				esc = append(esc, fmt.Sprintf("%s/%s", it.Stage.Name, it.Previous))
			}
		}
	}
	if fmt.Sprint(esc) != "[escalate-8/2026-12-04]" {
		t.Errorf("the leader's items on 12-10: %v", esc)
	}
}
