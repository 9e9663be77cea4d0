package app

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// OverviewQuery asks for the dashboard's figures as of a day (zero:
// today).
type OverviewQuery struct {
	AsOf calendar.Date `json:"as_of"`
	// Overdue is how many overdue events to list, longest overdue first;
	// 0: DefaultOverdueListed.
	Overdue int `json:"overdue,omitempty"`
}

// Bounds of an overview's lists.
const (
	DefaultOverdueListed = 20
	MaxOverdueListed     = 200
	TrendWeeks           = 12
)

// Overview is where the office stands as of a day, counting only the
// events the asker reaches (a member of staff's sections').
type Overview struct {
	AsOf calendar.Date `json:"as_of"`
	// Open counts every event open that day, overdue included; the
	// others split them by how the deadline stands.
	Open        int `json:"open"`
	Overdue     int `json:"overdue"`
	DueToday    int `json:"due_today"`
	DueTomorrow int `json:"due_within_1"` // the next working day
	DueWithin5  int `json:"due_within_5"` // 2 to 5 working days
	OnTrack     int `json:"on_track"`     // more than 5 working days
	// DueThisWeek counts the open events not overdue whose deadline is
	// at the latest this week's Sunday.
	DueThisWeek int `json:"due_this_week"`
	// Provisional counts the open events whose deadline falls on an
	// estimated calendar (next year's notice not yet known).
	Provisional int `json:"provisional"`
	// ThisYear is the 按时公开率 of the events whose deadline fell this
	// year before the day; LastYear of last year's.
	ThisYear tracker.Rate `json:"this_year"`
	LastYear tracker.Rate `json:"last_year"`
	// Level1 are the figures per 一级事项, in the catalogue's order.
	Level1 []Level1Figures `json:"level1"`
	// Weeks are the last TrendWeeks weeks, oldest first, the current one
	// last: the events whose deadline fell in each, on time or not.
	Weeks []WeekFigures `json:"weeks"`
	// Ageing counts the overdue events by working days overdue.
	Ageing []AgeBand `json:"ageing"`
	// OverdueEvents are the longest overdue, up to the query's count.
	OverdueEvents []OverdueEvent `json:"overdue_events"`
	// Calendar says whether this year's and next year's schedules are
	// still estimates (0: official).
	PendingThisYear int `json:"pending_this_year"`
	PendingNextYear int `json:"pending_next_year"`
}

// Level1Figures are the figures of one 一级事项.
type Level1Figures struct {
	Level1   string       `json:"level1"`
	Sections []string     `json:"sections"` // the sections that own it
	Open     int          `json:"open"`
	Overdue  int          `json:"overdue"`
	ThisYear tracker.Rate `json:"this_year"`
}

// WeekFigures are the events whose deadline fell in one week (Monday to
// Sunday): disclosed on time, or not (late, or still open past it).
type WeekFigures struct {
	From   calendar.Date `json:"from"`
	To     calendar.Date `json:"to"`
	OnTime int           `json:"on_time"`
	Late   int           `json:"late"`
}

// AgeBand counts overdue events by working days overdue, From to To
// inclusive (To 0: and more).
type AgeBand struct {
	From  int `json:"from"`
	To    int `json:"to"`
	Count int `json:"count"`
}

// OverdueEvent is an overdue event with the section that owns it.
type OverdueEvent struct {
	tracker.EventView
	Sections    []string `json:"sections"`
	DaysOverdue int      `json:"days_overdue"`
}

// ageBands are the overdue ageing's bands.
var ageBands = []AgeBand{{From: 0, To: 5}, {From: 6, To: 10}, {From: 11, To: 20}, {From: 21}}

// Overview returns the dashboard's figures. A week's or a year's rate
// counts the events whose deadline fell in it and before the day, not
// waived nor cancelled; on time means disclosed on every channel by the
// deadline. As of today, on a store that keeps counts of its events
// (tracker.EventFigures), it reads those counts and the longest overdue
// events only; as of another day, it reads the events.
func (l *Local) Overview(ctx context.Context, q OverviewQuery) (*Overview, error) {
	p, err := authorize(ctx, access.OpEvents)
	if err != nil {
		return nil, err
	}
	listed := q.Overdue
	switch {
	case listed == 0:
		listed = DefaultOverdueListed
	case listed < 0 || listed > MaxOverdueListed:
		return nil, tracker.Invalid("overdue", "列出的逾期事件数 %d 无效：应为 1 至 %d", listed, MaxOverdueListed)
	}
	today := l.today()
	day := l.orToday(q.AsOf)
	o := &overview{Overview: &Overview{AsOf: day, Level1: []Level1Figures{}, Weeks: []WeekFigures{}, OverdueEvents: []OverdueEvent{},
		Ageing: slices.Clone(ageBands)}, scope: p.scope(), listed: listed, level1: map[string]int{}}
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		o.cal = cal
		cat, err := catalogIn(tx)
		if err != nil {
			return err
		}
		o.owners = map[string][]string{}
		if s, err := accountsOf(tx); err == nil {
			s.Sections(func(sec *access.Section) error {
				for _, l1 := range sec.Level1 {
					o.owners[l1] = append(o.owners[l1], sec.Name)
				}
				return nil
			})
		}
		for _, name := range cat.Level1s() {
			if o.scope.Reaches(name) {
				o.figuresOf(name)
			}
		}
		o.weeks()
		if f, ok := tx.(tracker.EventFigures); ok && day == today {
			return o.fromCounts(tx, f)
		}
		return o.fromEvents(tx, day != today)
	})
	if noDatabase(err) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if cal, cerr := l.calendarInForce(); cerr == nil {
		o.PendingThisYear, o.PendingNextYear = cal.Pending(day)
	}
	return o.Overview, nil
}

// overview is an Overview being counted.
type overview struct {
	*Overview
	scope  access.Scope
	listed int
	cal    *calendar.Calendar
	owners map[string][]string
	level1 map[string]int // index in Level1
	// The days that bound the rates: this year, last year, the first of
	// the weeks shown.
	jan1, lastJan1, firstWeek calendar.Date
}

// figuresOf is a 一级事项's figures, added when first seen (a matter the
// catalogue no longer has).
func (o *overview) figuresOf(level1 string) *Level1Figures {
	i, ok := o.level1[level1]
	if !ok {
		i = len(o.Level1)
		o.level1[level1] = i
		o.Level1 = append(o.Level1, Level1Figures{Level1: level1, Sections: nonNilStrings(o.owners[level1])})
	}
	return &o.Level1[i]
}

// weeks lays out the weeks of the trend.
func (o *overview) weeks() {
	day := o.AsOf
	o.jan1 = calendar.DateOf(day.Year(), time.January, 1)
	o.lastJan1 = calendar.DateOf(day.Year()-1, time.January, 1)
	monday := day.AddDays(-((int(day.Weekday()) + 6) % 7))
	o.firstWeek = monday.AddDays(-7 * (TrendWeeks - 1))
	for i := range TrendWeeks {
		from := o.firstWeek.AddDays(7 * i)
		o.Weeks = append(o.Weeks, WeekFigures{From: from, To: from.AddDays(6)})
	}
}

// rateFrom is the first deadline the rates count.
func (o *overview) rateFrom() calendar.Date {
	if o.firstWeek.Before(o.lastJan1) {
		return o.firstWeek
	}
	return o.lastJan1
}

// open counts n open events of a 一级事项 due on deadline, provisional
// ones among them.
func (o *overview) open(level1 string, deadline calendar.Date, n, provisional int) error {
	day := o.AsOf
	f := o.figuresOf(level1)
	o.Open += n
	f.Open += n
	o.Provisional += provisional
	if day.After(deadline) {
		o.Overdue += n
		f.Overdue += n
		late, _, err := o.cal.WorkdaysBetween(deadline, day)
		if err != nil {
			return err
		}
		for i := range o.Ageing {
			if late >= o.Ageing[i].From && (o.Ageing[i].To == 0 || late <= o.Ageing[i].To) {
				o.Ageing[i].Count += n
				break
			}
		}
		return nil
	}
	left, _, err := o.cal.WorkdaysBetween(day, deadline)
	if err != nil {
		return err
	}
	switch {
	case deadline == day:
		o.DueToday += n
	case left <= 1:
		o.DueTomorrow += n
	case left <= 5:
		o.DueWithin5 += n
	default:
		o.OnTrack += n
	}
	if sunday := day.AddDays((7 - int(day.Weekday())) % 7); !deadline.After(sunday) {
		o.DueThisWeek += n
	}
	return nil
}

// rated counts n events of a 一级事项 whose deadline fell before the day,
// on time or not, in the rates.
func (o *overview) rated(level1 string, deadline calendar.Date, n int, onTime bool) {
	count := func(r *tracker.Rate) {
		r.Total += n
		if onTime {
			r.OnTime += n
		}
	}
	switch {
	case !deadline.Before(o.jan1):
		count(&o.ThisYear)
		f := o.figuresOf(level1)
		f.ThisYear.Level1 = level1
		count(&f.ThisYear)
	case !deadline.Before(o.lastJan1):
		count(&o.LastYear)
	}
	if !deadline.Before(o.firstWeek) {
		w := &o.Weeks[int(deadline.Sub(o.firstWeek))/7]
		if onTime {
			w.OnTime += n
		} else {
			w.Late += n
		}
	}
}

// overdueEvent lists an overdue event.
func (o *overview) overdueEvent(e *tracker.Event) error {
	n, _, err := o.cal.WorkdaysBetween(e.Deadline, o.AsOf)
	if err != nil {
		return err
	}
	o.OverdueEvents = append(o.OverdueEvents, OverdueEvent{EventView: tracker.ViewOf(e, o.cal, o.AsOf),
		Sections: nonNilStrings(o.owners[e.Level1()]), DaysOverdue: n})
	return nil
}

// errListed stops the reading of overdue events once enough are listed.
var errListed = errors.New("listed")

// fromCounts counts as of today from the store's counts: the open ones by
// deadline, those of the rates by state; then reads the longest overdue
// events by deadline.
func (o *overview) fromCounts(tx tracker.Tx, f tracker.EventFigures) error {
	err := f.EventCounts(tracker.Open, calendar.FirstDate, calendar.LastDate, func(d calendar.Date, level1 string, n int) error {
		if !o.scope.Reaches(level1) {
			return nil
		}
		prov := 0
		if day, err := o.cal.Day(d); err == nil && day.Provisional {
			prov = n
		}
		return o.open(level1, d, n, prov)
	})
	if err != nil {
		return err
	}
	yesterday := o.AsOf.AddDays(-1)
	for _, st := range []tracker.Status{tracker.Done, tracker.DoneLate, tracker.Open} {
		err := f.EventCounts(st, o.rateFrom(), yesterday, func(d calendar.Date, level1 string, n int) error {
			if o.scope.Reaches(level1) {
				o.rated(level1, d, n, st == tracker.Done)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	err = f.OpenEventsDue(calendar.FirstDate, yesterday, func(e *tracker.Event) error {
		if !o.scope.Reaches(e.Level1()) {
			return nil
		}
		if err := o.overdueEvent(e); err != nil {
			return err
		}
		if len(o.OverdueEvents) == o.listed {
			return errListed
		}
		return nil
	})
	if errors.Is(err, errListed) {
		err = nil
	}
	return err
}

// fromEvents counts by reading the events: as of another day than today
// (those closed since were open then), or on a store without counts.
func (o *overview) fromEvents(tx tracker.Tx, past bool) error {
	day := o.AsOf
	each := tx.OpenEvents
	if past {
		each = func(fn func(*tracker.Event) error) error { return tracker.OpenAsOf(tx, day, fn) }
	}
	var overdue []*tracker.Event
	err := each(func(e *tracker.Event) error {
		if e.Date.After(day) || !o.scope.Reaches(e.Level1()) || !e.Status(day).Counting() {
			return nil
		}
		prov := 0
		if e.Provisional {
			prov = 1
		}
		if day.After(e.Deadline) {
			overdue = append(overdue, e)
		}
		return o.open(e.Level1(), e.Deadline, 1, prov)
	})
	if err != nil {
		return err
	}
	slices.SortFunc(overdue, func(a, b *tracker.Event) int {
		return cmp.Or(a.Deadline.Compare(b.Deadline), cmp.Compare(a.ID, b.ID))
	})
	for _, e := range overdue[:min(o.listed, len(overdue))] {
		if err := o.overdueEvent(e); err != nil {
			return err
		}
	}
	return tx.EventsDue(o.rateFrom(), day.AddDays(-1), func(e *tracker.Event) error {
		if e.State == tracker.Waived || e.State == tracker.Cancelled || e.Date.After(day) || !o.scope.Reaches(e.Level1()) {
			return nil
		}
		o.rated(e.Level1(), e.Deadline, 1, e.Status(day) == tracker.Done)
		return nil
	})
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
