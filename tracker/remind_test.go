package tracker

import (
	"fmt"
	"testing"

	"gongkai/calendar"
)

var rules = ReminderRules{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3}

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
	for d := day("2026-11-02"); !d.After(day("2026-12-08")); d = d.AddDays(1) {
		if w, _ := calendar.Default().IsWorkday(d); !w {
			continue
		}
		ss := plan(t, e, rules, d.String(), st)
		if len(ss) > 0 {
			got[d.String()] = names(ss)
		}
		for _, s := range ss {
			st.Record(s, e.Deadline)
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
		"2026-12-04": "[officers:overdue-4@2026-12-04 supervisors:escalate-4@2026-12-04]",
		"2026-12-07": "[officers:overdue-5@2026-12-07 supervisors:escalate-5@2026-12-07]",
		"2026-12-08": "[officers:overdue-6@2026-12-08 supervisors:escalate-6@2026-12-08]",
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
		st.Record(s, e.Deadline)
	}
	st.Record(Stage{Audience: ToOfficers, Day: day("2026-11-24")}, day("2026-12-01")) // while it was 12-01
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
	// not a step, and at each step after.
	r := ReminderRules{Before: []int{1}, OverdueEvery: 2, EscalateAfter: 3}
	var st ReminderState
	var got []string
	for d := day("2026-11-26"); !d.After(day("2026-12-09")); d = d.AddDays(1) {
		if w, _ := calendar.Default().IsWorkday(d); !w {
			continue
		}
		for _, s := range plan(t, e, r, d.String(), st) {
			got = append(got, s.Day.String()+" "+s.Name)
			st.Record(s, e.Deadline)
		}
	}
	want := "[2026-11-27 before-1 2026-12-02 overdue-2 2026-12-03 escalate-3 2026-12-04 overdue-4 2026-12-04 escalate-4 2026-12-08 overdue-6 2026-12-08 escalate-6]"
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
