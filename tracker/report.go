package tracker

import (
	"cmp"
	"slices"
	"time"

	"gongkai/calendar"
)

// WeeklyReport is the weekly overdue report, as of a day.
type WeeklyReport struct {
	Day calendar.Date
	// ScheduledDay is the working day the report was due, when the daemon
	// makes up a report it missed; it keys the report in the outbox so that
	// each week's goes out once. Zero means Day.
	ScheduledDay calendar.Date
	From, To     calendar.Date // last week, Monday to Sunday before Day
	// Office is the catalogue's 公开主体, whom the report is from.
	Office string

	Overdue   []ReportItem // open and past the deadline, longest overdue first
	DueSoon   []ReportItem // open, due within DueSoonDays working days
	Disclosed []ReportItem // closed as done or done_late last week
	Rates     []Rate       // 按时公开率 per 一级事项, in catalogue order of first appearance
	Overall   Rate
	// PrevOverall is the week before last's rate, for Overall to be read
	// beside it.
	PrevOverall Rate
	// ThisYear is the rate of the events whose deadline fell this year,
	// before Day; YearRates is it per 一级事项, in catalogue order.
	ThisYear  Rate
	YearRates []Rate
	Head      AuditHead
}

// DueThisWeek counts the events of DueSoon due by the Sunday of the
// report's week.
func (r *WeeklyReport) DueThisWeek() int {
	sunday := r.Day.AddDays((7 - int(r.Day.Weekday())) % 7)
	n := 0
	for _, it := range r.DueSoon {
		if !it.Event.Deadline.After(sunday) {
			n++
		}
	}
	return n
}

// DueSoonDays is the report's horizon for deadlines to come.
const DueSoonDays = 5

// ReportItem is an event in the report.
type ReportItem struct {
	Event *Event
	Days  int // working days overdue (Overdue), left (DueSoon), or late by (Disclosed; 0 on time)
}

// Rate is the on-time rate of the events whose deadline fell last week and
// that were not waived.
type Rate struct {
	Level1 string
	OnTime int
	Total  int
}

// Percent returns the rate in percent, or -1 when there is nothing to rate.
func (r Rate) Percent() float64 {
	if r.Total == 0 {
		return -1
	}
	return float64(r.OnTime) * 100 / float64(r.Total)
}

// LastWeek returns Monday to Sunday of the week before day's.
func LastWeek(day calendar.Date) (from, to calendar.Date) {
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	monday := day.AddDays(-back)
	return monday.AddDays(-7), monday.AddDays(-1)
}

// Weekly builds the report as of day; past says day is before today, when
// the events closed since must be read too. It reads the indexes: open
// events without their history, and only the events closed or due last
// week whole.
func Weekly(tx Tx, cal Calendar, day calendar.Date, past bool) (*WeeklyReport, error) {
	r := &WeeklyReport{Day: day}
	r.From, r.To = LastWeek(day)
	// Open events: overdue or due soon. Today they are in the open index;
	// as of a past day, an event closed since was open then too.
	each := tx.OpenEvents
	if past {
		each = func(fn func(*Event) error) error { return OpenAsOf(tx, day, fn) }
	}
	err := each(func(e *Event) error {
		if e.Date.After(day) {
			return nil
		}
		switch e.Status(day) {
		case Overdue:
			n, _, err := cal.WorkdaysBetween(e.Deadline, day)
			if err != nil {
				return err
			}
			r.Overdue = append(r.Overdue, ReportItem{Event: e, Days: n})
		case Open:
			n, _, err := cal.WorkdaysBetween(day, e.Deadline)
			if err != nil {
				return err
			}
			if n <= DueSoonDays {
				r.DueSoon = append(r.DueSoon, ReportItem{Event: e, Days: n})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Disclosed last week.
	err = tx.EventsByClosed(r.From, r.To, func(e *Event) error {
		if e.State == Done || e.State == DoneLate {
			late := 0
			if e.State == DoneLate {
				late, _, _ = cal.WorkdaysBetween(e.Deadline, e.ClosedOn)
			}
			r.Disclosed = append(r.Disclosed, ReportItem{Event: e, Days: late})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The on-time rates: last week's, the week before's, and this year's
	// until yesterday.
	last, err := ratesDue(tx, r.From, r.To, day)
	if err != nil {
		return nil, err
	}
	r.Rates, r.Overall = last.list(nil), last.all
	prev, err := ratesDue(tx, r.From.AddDays(-7), r.To.AddDays(-7), day)
	if err != nil {
		return nil, err
	}
	r.PrevOverall = prev.all
	jan1 := calendar.DateOf(day.Year(), time.January, 1)
	var year *rates
	if f, ok := tx.(EventFigures); ok && !past {
		year, err = ratesCounted(f, jan1, day.AddDays(-1))
	} else {
		year, err = ratesDue(tx, jan1, day.AddDays(-1), day)
	}
	if err != nil {
		return nil, err
	}
	cat, err := tx.Catalog()
	if err != nil {
		return nil, err
	}
	var order []string
	if cat != nil {
		r.Office, order = cat.Office(), cat.Level1s()
	}
	r.YearRates, r.ThisYear = year.list(order), year.all
	slices.SortStableFunc(r.Overdue, func(a, b ReportItem) int { return cmp.Compare(b.Days, a.Days) })
	slices.SortStableFunc(r.DueSoon, func(a, b ReportItem) int { return a.Event.Deadline.Compare(b.Event.Deadline) })
	slices.SortStableFunc(r.Disclosed, func(a, b ReportItem) int { return a.Event.ClosedOn.Compare(b.Event.ClosedOn) })
	if r.Head, err = tx.AuditHead(); err != nil {
		return nil, err
	}
	return r, nil
}

// View is the item's event as of day, as the report counted it: the
// working days left or overdue, or how late it was disclosed.
func (it ReportItem) View(day calendar.Date) EventView {
	e := it.Event
	st := e.Status(day)
	var left, late *int
	switch {
	case st == Overdue:
		left = ptrTo(-it.Days)
	case st == Open:
		left = ptrTo(it.Days)
	case e.State == DoneLate:
		late = ptrTo(it.Days)
	}
	return viewOf(e, st, day, left, late)
}

func ptrTo[T any](v T) *T { return &v }

// rates are on-time rates being counted, per 一级事项 and in all.
type rates struct {
	by    map[string]*Rate
	order []string // as first counted
	all   Rate
}

func (rs *rates) add(level1 string, n int, onTime bool) {
	if rs.by == nil {
		rs.by = map[string]*Rate{}
	}
	rt, ok := rs.by[level1]
	if !ok {
		rt = &Rate{Level1: level1}
		rs.by[level1] = rt
		rs.order = append(rs.order, level1)
	}
	rt.Total += n
	rs.all.Total += n
	if onTime {
		rt.OnTime += n
		rs.all.OnTime += n
	}
}

// list returns the rates in the order of first, then those it does not
// name as first counted.
func (rs *rates) list(first []string) []Rate {
	var out []Rate
	for _, l1 := range first {
		if rt := rs.by[l1]; rt != nil {
			out = append(out, *rt)
		}
	}
	for _, l1 := range rs.order {
		if !slices.Contains(first, l1) {
			out = append(out, *rs.by[l1])
		}
	}
	return out
}

// ratesDue counts the rates of the events whose deadline is in [from,
// to], as of day: not waived (nor cancelled: logged by mistake, they
// were never due); on time when disclosed on every channel by the
// deadline.
func ratesDue(tx Tx, from, to, day calendar.Date) (*rates, error) {
	rs := &rates{}
	if to.Before(from) {
		return rs, nil
	}
	err := tx.EventsDue(from, to, func(e *Event) error {
		if e.State == Waived || e.State == Cancelled || e.Date.After(day) {
			return nil
		}
		rs.add(e.Level1(), 1, e.Status(day) == Done)
		return nil
	})
	return rs, err
}

// ratesCounted counts the rates of the events whose deadline is in
// [from, to] as they stand now, from the store's counts: the same as
// ratesDue as of today, without reading an event.
func ratesCounted(f EventFigures, from, to calendar.Date) (*rates, error) {
	rs := &rates{}
	if to.Before(from) {
		return rs, nil
	}
	for _, st := range []Status{Done, DoneLate, Open} {
		err := f.EventCounts(st, from, to, func(_ calendar.Date, level1 string, n int) error {
			rs.add(level1, n, st == Done)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// WeeklyRenderer renders the weekly report; notify implements it.
type WeeklyRenderer interface {
	Weekly(r *WeeklyReport) (Content, error)
}

// WeeklyKey is the outbox key of the report r for one recipient: once per
// report day (the day it was due, when made up later).
func WeeklyKey(r *WeeklyReport, to string) string {
	day := r.Day
	if !r.ScheduledDay.IsZero() {
		day = r.ScheduledDay
	}
	return "report/weekly/" + day.String() + "/" + AddressOf(to)
}

// Unsent returns the recipients of to that the report has not been queued
// for.
func Unsent(tx Tx, r *WeeklyReport, to []string) ([]string, error) {
	var out []string
	for _, addr := range to {
		m, err := tx.MessageByKey(WeeklyKey(r, addr))
		if err != nil {
			return nil, err
		}
		if m == nil {
			out = append(out, addr)
		}
	}
	return out, nil
}

// QueueWeekly queues the report, rendered as c, for each recipient it has
// not been queued for; the content is stored once, with the first.
func (o *Ops) QueueWeekly(r *WeeklyReport, to []string, c Content) ([]*Message, error) {
	var out []*Message
	var first uint64 // the message that holds the content
	for _, addr := range to {
		key := WeeklyKey(r, addr)
		if m, err := o.Tx.MessageByKey(key); err != nil || m != nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		m := &Message{Key: key, MessageID: NewMessageID(key), Kind: "report", To: []string{addr},
			Subject: c.Subject, State: Queued, Created: o.Clock.Now, ContentOf: first}
		if first == 0 {
			m.Text, m.HTML, m.Attachments, m.Packed = c.Text, c.HTML, c.Attachments, c.Packed
		}
		if err := o.Tx.PutMessage(m); err != nil {
			return nil, err
		}
		if first == 0 {
			first = m.ID
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, o.audit(AuditReport, subjectOutbox, map[string]any{"day": r.Day, "messages": len(out), "overdue": len(r.Overdue)})
}

// OpenAsOf calls fn for every event that was open (or overdue) at the end
// of day, read from the indexes: those open now, without their history,
// and those closed after day. An event logged after day is among them:
// callers that care compare its date.
func OpenAsOf(tx Tx, day calendar.Date, fn func(*Event) error) error {
	if err := tx.OpenEvents(fn); err != nil {
		return err
	}
	return tx.EventsByClosed(day.AddDays(1), calendar.LastDate, func(e *Event) error {
		if !e.State.Closed() {
			return nil
		}
		return fn(e)
	})
}
