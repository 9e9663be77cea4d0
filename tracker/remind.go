package tracker

import (
	"fmt"
	"slices"

	"gongkai/calendar"
)

// ReminderRules say when reminders are due; they come from the
// configuration's [reminders].
type ReminderRules struct {
	Before        []int // working days before the deadline
	OnDueDay      bool
	OverdueEvery  int // working days between overdue notices (≥ 1)
	EscalateAfter int // overdue working days before supervisors hear
}

// Audience is who a stage is for.
type Audience string

// Audiences of reminders.
const (
	ToOfficers    Audience = "officers"    // the disclosure officer, and the matter's owners
	ToSupervisors Audience = "supervisors" // escalation
)

// Stage is one reminder an event is due for.
type Stage struct {
	// Key identifies the stage for good: the event, its deadline and the
	// step. An event whose deadline moves gets reminders for its new one.
	Key      string        `json:"key"`
	Event    uint64        `json:"event"`
	Audience Audience      `json:"audience"`
	Name     string        `json:"name"` // before-5, due, overdue-2, escalate-3
	Day      calendar.Date `json:"day"`  // the working day it falls due
}

// ReminderState is how far an event's reminders for one deadline have
// gone: the day of the last stage recorded for each audience.
type ReminderState struct {
	Deadline    calendar.Date `json:"deadline"`
	Officers    calendar.Date `json:"officers,omitzero"`
	Supervisors calendar.Date `json:"supervisors,omitzero"`
}

func (s *ReminderState) last(a Audience) calendar.Date {
	if a == ToSupervisors {
		return s.Supervisors
	}
	return s.Officers
}

// Record marks stage st as done.
func (s *ReminderState) Record(st Stage, deadline calendar.Date) {
	if s.Deadline != deadline {
		*s = ReminderState{Deadline: deadline}
	}
	if st.Audience == ToSupervisors {
		s.Supervisors = st.Day
	} else {
		s.Officers = st.Day
	}
}

// stages lists every stage of e's deadline, in the order they fall due.
func stages(e *Event, r ReminderRules, cal Calendar, until calendar.Date) ([]Stage, error) {
	var out []Stage
	add := func(aud Audience, name string, day calendar.Date) {
		out = append(out, Stage{Key: fmt.Sprintf("%d/%s/%s", e.ID, e.Deadline, name), Event: e.ID, Audience: aud, Name: name, Day: day})
	}
	before := slices.Sorted(slices.Values(r.Before))
	slices.Reverse(before) // 5, 3, 1: in the order they fall due
	for _, n := range before {
		day, _, err := cal.AddWorkdays(e.Deadline, -n)
		if err != nil {
			return nil, err
		}
		if !day.Before(e.Date) { // not before the event existed
			add(ToOfficers, fmt.Sprintf("before-%d", n), day)
		}
	}
	if r.OnDueDay {
		add(ToOfficers, "due", e.Deadline)
	}
	every := max(r.OverdueEvery, 1)
	for k := 1; ; k++ {
		day, _, err := cal.AddWorkdays(e.Deadline, k)
		if err != nil || day.After(until) {
			break // past the calendar's range or not yet
		}
		if k%every == 0 {
			add(ToOfficers, fmt.Sprintf("overdue-%d", k), day)
		}
		if k >= r.EscalateAfter && (k%every == 0 || k == r.EscalateAfter) {
			add(ToSupervisors, fmt.Sprintf("escalate-%d", k), day)
		}
	}
	return out, nil
}

// PlanEvent returns the stages event e is due for on day today, at most one
// per audience: the latest whose day has come and that is after the last
// one recorded in state. A stage whose day passed while no run happened —
// a day off, the daemon down — is therefore sent at the next run, not lost;
// and a run after a long pause sends one reminder, the current one, not
// every step it missed. Only open events have reminders.
func PlanEvent(e *Event, r ReminderRules, cal Calendar, today calendar.Date, state ReminderState) ([]Stage, error) {
	if e.State != Open {
		return nil, nil
	}
	all, err := stages(e, r, cal, today)
	if err != nil {
		return nil, err
	}
	if state.Deadline != e.Deadline {
		state = ReminderState{Deadline: e.Deadline}
	}
	latest := map[Audience]Stage{}
	for _, st := range all {
		if !st.Day.After(today) && st.Day.After(state.last(st.Audience)) {
			latest[st.Audience] = st
		}
	}
	var out []Stage
	for _, a := range []Audience{ToOfficers, ToSupervisors} {
		if st, ok := latest[a]; ok {
			out = append(out, st)
		}
	}
	return out, nil
}
