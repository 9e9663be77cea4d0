package tracker

import (
	"slices"
	"strconv"

	"gongkai/calendar"
)

// ReminderRules say when reminders are due; they come from the
// configuration's [reminders].
type ReminderRules struct {
	Before        []int // working days before the deadline
	OnDueDay      bool
	OverdueEvery  int // working days between overdue notices (≥ 1)
	EscalateAfter int // overdue working days before supervisors hear
	EscalateEvery int // working days between escalations of one event (≥ 1)
}

// Audience is who a stage is for.
type Audience string

// Audiences of reminders.
const (
	ToOfficers    Audience = "officers"    // the disclosure officer, and the matter's owners
	ToSupervisors Audience = "supervisors" // escalation
	// ToOwners is a digest's audience only: the staff of a section, who
	// hear of their 一级事项's events with the officers.
	ToOwners Audience = "owners"
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

// ReminderState is how far an event's reminders have gone, for every
// deadline it has had: the day of the last stage recorded per audience. A
// deadline that moves and moves back finds its old marks.
type ReminderState struct {
	Sent map[calendar.Date]Marks `json:"sent,omitempty"`
}

// Marks are the days of the last stages recorded for one deadline, and
// the day supervisors were last told (later than their stage's day when
// a run made it up), which an escalation again names.
type Marks struct {
	Officers        calendar.Date `json:"officers,omitzero"`
	Supervisors     calendar.Date `json:"supervisors,omitzero"`
	SupervisorsTold calendar.Date `json:"supervisors_told,omitzero"`
}

// LastEscalation is the day supervisors last heard of deadline's
// escalation: the day they were told, or, in marks written before that
// was kept, the day its stage fell due; zero when they have not.
func (s *ReminderState) LastEscalation(deadline calendar.Date) calendar.Date {
	m := s.Sent[deadline]
	if !m.SupervisorsTold.IsZero() {
		return m.SupervisorsTold
	}
	return m.Supervisors
}

func (s *ReminderState) last(deadline calendar.Date, a Audience) calendar.Date {
	m := s.Sent[deadline]
	if a == ToSupervisors {
		return m.Supervisors
	}
	return m.Officers
}

// Record marks stage st of deadline as done by the run of day.
func (s *ReminderState) Record(st Stage, deadline, day calendar.Date) {
	if s.Sent == nil {
		s.Sent = map[calendar.Date]Marks{}
	}
	m := s.Sent[deadline]
	if st.Audience == ToSupervisors {
		m.Supervisors, m.SupervisorsTold = st.Day, day
	} else {
		m.Officers = st.Day
	}
	s.Sent[deadline] = m
}

// latestStages returns, per audience, the latest stage of e's deadline
// whose day is not after today, computed directly: an event overdue for
// months has as many steps, and only the last matters. A zero Stage (no
// Name) is none.
func latestStages(e *Event, r ReminderRules, cal Calendar, today calendar.Date) (officers, supervisors Stage, err error) {
	mk := func(aud Audience, name string, day calendar.Date) Stage {
		return Stage{Key: strconv.FormatUint(e.ID, 10) + "/" + e.Deadline.String() + "/" + name, Event: e.ID, Audience: aud, Name: name, Day: day}
	}
	if !today.After(e.Deadline) {
		if r.OnDueDay && today == e.Deadline {
			return mk(ToOfficers, "due", e.Deadline), Stage{}, nil
		}
		// The smallest n whose day has come is the latest "before" stage.
		before := slices.Sorted(slices.Values(r.Before))
		for _, n := range before {
			day, _, err := cal.AddWorkdays(e.Deadline, -n)
			if err != nil {
				return Stage{}, Stage{}, err
			}
			if day.After(today) || day.Before(e.Date) {
				continue // not yet, or before the event existed
			}
			return mk(ToOfficers, "before-"+strconv.Itoa(n), day), Stage{}, nil
		}
		return Stage{}, Stage{}, nil
	}
	overdue, _, err := cal.WorkdaysBetween(e.Deadline, today)
	if err != nil {
		return Stage{}, Stage{}, err
	}
	every := max(r.OverdueEvery, 1)
	if k := overdue - overdue%every; k >= every {
		day, _, err := cal.AddWorkdays(e.Deadline, k)
		if err != nil {
			return Stage{}, Stage{}, err
		}
		officers = mk(ToOfficers, "overdue-"+strconv.Itoa(k), day)
	} else if r.OnDueDay {
		officers = mk(ToOfficers, "due", e.Deadline) // overdue, but before the first overdue step
	}
	if overdue >= r.EscalateAfter {
		// Supervisors hear when the event first crosses EscalateAfter,
		// then every EscalateEvery working days: the latest such step.
		again := max(r.EscalateEvery, 1)
		k := r.EscalateAfter + (overdue-r.EscalateAfter)/again*again
		day, _, err := cal.AddWorkdays(e.Deadline, k)
		if err != nil {
			return Stage{}, Stage{}, err
		}
		supervisors = mk(ToSupervisors, "escalate-"+strconv.Itoa(k), day)
	}
	return officers, supervisors, nil
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
	officers, supervisors, err := latestStages(e, r, cal, today)
	if err != nil {
		return nil, err
	}
	var out []Stage
	for _, st := range [2]Stage{officers, supervisors} {
		if st.Name != "" && st.Day.After(state.last(e.Deadline, st.Audience)) {
			out = append(out, st)
		}
	}
	return out, nil
}
