package app

import (
	"cmp"
	"context"
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
// deadline.
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
	scope := p.scope()
	out := &Overview{AsOf: day, Level1: []Level1Figures{}, Weeks: []WeekFigures{}, OverdueEvents: []OverdueEvent{}}
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		cat, err := catalogIn(tx)
		if err != nil {
			return err
		}
		owners := map[string][]string{}
		if s, err := accountsOf(tx); err == nil {
			s.Sections(func(sec *access.Section) error {
				for _, l1 := range sec.Level1 {
					owners[l1] = append(owners[l1], sec.Name)
				}
				return nil
			})
		}
		level1 := map[string]*Level1Figures{}
		for _, name := range access.Level1s(cat) {
			if scope.Reaches(name) {
				out.Level1 = append(out.Level1, Level1Figures{Level1: name, Sections: nonNilStrings(owners[name])})
			}
		}
		for i := range out.Level1 {
			level1[out.Level1[i].Level1] = &out.Level1[i]
		}
		figuresOf := func(e *tracker.Event) *Level1Figures {
			f, ok := level1[e.Level1()]
			if !ok { // a matter the catalogue no longer has
				out.Level1 = append(out.Level1, Level1Figures{Level1: e.Level1(), Sections: nonNilStrings(owners[e.Level1()])})
				clear(level1)
				for i := range out.Level1 {
					level1[out.Level1[i].Level1] = &out.Level1[i]
				}
				f = level1[e.Level1()]
			}
			return f
		}

		// The open events.
		sunday := day.AddDays((7 - int(day.Weekday())) % 7)
		out.Ageing = slices.Clone(ageBands)
		var overdue []OverdueEvent
		each := tx.OpenEvents
		if day != today {
			each = func(fn func(*tracker.Event) error) error { return tracker.OpenAsOf(tx, day, fn) }
		}
		err = each(func(e *tracker.Event) error {
			if e.Date.After(day) || !scope.Reaches(e.Level1()) {
				return nil
			}
			st := e.Status(day)
			if !st.Counting() {
				return nil
			}
			f := figuresOf(e)
			out.Open++
			f.Open++
			if e.Provisional {
				out.Provisional++
			}
			if st == tracker.Overdue {
				out.Overdue++
				f.Overdue++
				n, _, err := cal.WorkdaysBetween(e.Deadline, day)
				if err != nil {
					return err
				}
				for i := range out.Ageing {
					if n >= out.Ageing[i].From && (out.Ageing[i].To == 0 || n <= out.Ageing[i].To) {
						out.Ageing[i].Count++
						break
					}
				}
				overdue = append(overdue, OverdueEvent{EventView: tracker.ViewOf(e, cal, day), Sections: nonNilStrings(owners[e.Level1()]), DaysOverdue: n})
				return nil
			}
			n, _, err := cal.WorkdaysBetween(day, e.Deadline)
			if err != nil {
				return err
			}
			switch {
			case e.Deadline == day:
				out.DueToday++
			case n <= 1:
				out.DueTomorrow++
			case n <= 5:
				out.DueWithin5++
			default:
				out.OnTrack++
			}
			if !e.Deadline.After(sunday) {
				out.DueThisWeek++
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(overdue, func(a, b OverdueEvent) int {
			return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), cmp.Compare(a.ID, b.ID))
		})
		out.OverdueEvents = append(out.OverdueEvents, overdue[:min(listed, len(overdue))]...)

		// The rates: this year's and last year's, and the weeks'.
		jan1 := calendar.DateOf(day.Year(), time.January, 1)
		lastJan1 := calendar.DateOf(day.Year()-1, time.January, 1)
		monday := day.AddDays(-((int(day.Weekday()) + 6) % 7))
		firstWeek := monday.AddDays(-7 * (TrendWeeks - 1))
		for i := range TrendWeeks {
			from := firstWeek.AddDays(7 * i)
			out.Weeks = append(out.Weeks, WeekFigures{From: from, To: from.AddDays(6)})
		}
		yesterday := day.AddDays(-1)
		from := lastJan1
		if firstWeek.Before(from) {
			from = firstWeek
		}
		return tx.EventsDue(from, yesterday, func(e *tracker.Event) error {
			if e.State == tracker.Waived || e.State == tracker.Cancelled || e.Date.After(day) || !scope.Reaches(e.Level1()) {
				return nil
			}
			onTime := e.Status(day) == tracker.Done
			count := func(r *tracker.Rate) {
				r.Total++
				if onTime {
					r.OnTime++
				}
			}
			switch {
			case !e.Deadline.Before(jan1):
				count(&out.ThisYear)
				f := figuresOf(e)
				f.ThisYear.Level1 = f.Level1
				count(&f.ThisYear)
			case !e.Deadline.Before(lastJan1):
				count(&out.LastYear)
			}
			if !e.Deadline.Before(firstWeek) {
				w := &out.Weeks[int(e.Deadline.Sub(firstWeek))/7]
				if onTime {
					w.OnTime++
				} else {
					w.Late++
				}
			}
			return nil
		})
	})
	if noDatabase(err) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if cal, cerr := l.calendarForView(); cerr == nil {
		out.PendingThisYear, out.PendingNextYear = cal.Pending(day)
	}
	return out, nil
}

// calendarForView is the calendar in force, or the embedded one where
// there is no database yet.
func (l *Local) calendarForView() (*calendar.Calendar, error) {
	var cal *calendar.Calendar
	err := l.read(func(_ tracker.Tx, c *calendar.Calendar) error {
		cal = c
		return nil
	})
	if noDatabase(err) {
		return calendar.Default(), nil
	}
	return cal, err
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
