package app

import (
	"cmp"
	"context"
	"slices"

	"gongkai/calendar"
	"gongkai/tracker"
)

// detail returns an event's detail as of day.
func (l *Local) detail(e *tracker.Event, cal *calendar.Calendar, day calendar.Date) *EventDetail {
	late := l.cfg.Settings.LateAfter
	if late <= 0 {
		late = tracker.DefaultLateAfter
	}
	return &EventDetail{AsOf: day, View: tracker.ViewOf(e, cal, day), Event: e, LateAfter: late}
}

// change runs one change of an event in a write transaction and returns
// the event after it, as of today.
func (l *Local) change(ctx context.Context, fn func(u *unit) (*tracker.Event, error)) (*EventDetail, error) {
	var out *EventDetail
	err := l.write(ctx, func(u *unit) error {
		e, err := fn(u)
		if err != nil {
			return err
		}
		out = l.detail(e, u.cal, u.Clock.Today)
		return nil
	})
	return out, err
}

// Init creates the database, when there is none, and sets it up with the
// embedded catalogue: the one operation that creates a database.
func (l *Local) Init(ctx context.Context) (*InitResult, error) {
	var r InitResult
	first := func() error {
		// A database with a catalogue is left byte for byte as it is.
		var have *tracker.Catalog
		if err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) (err error) {
			have, err = tx.Catalog()
			return err
		}); err != nil && !noDatabase(err) {
			return err
		}
		if have != nil {
			r = InitResult{Catalog: catalogInfo(have)}
			return nil
		}
		return l.write(ctx, func(u *unit) error {
			c, err := u.Tx.Catalog()
			if err != nil {
				return err
			}
			r = InitResult{Created: u.initialised, Catalog: catalogInfo(c)}
			return nil
		})
	}
	var err error
	if m := l.cfg.Maintenance; m != nil {
		_, err = m.Create(first)
	} else {
		err = first()
	}
	return &r, err
}

// Log records an event.
func (l *Local) Log(ctx context.Context, in LogInput) (*EventDetail, error) {
	return l.change(ctx, func(u *unit) (*tracker.Event, error) {
		date := in.Date
		if date.IsZero() {
			date = u.Clock.Today
		}
		return u.Log(in.Matter, tracker.LogRequest{Kind: in.Kind, Date: date, Summary: in.Summary, Ref: in.Ref})
	})
}

// Disclose records disclosures of an event.
func (l *Local) Disclose(ctx context.Context, in DiscloseInput) (*EventDetail, error) {
	if in.All && len(in.Channels) > 0 {
		return nil, tracker.Invalid(tracker.FieldChannels, "公开渠道只能二选一：指明渠道，或选择全部待公开渠道")
	}
	return l.change(ctx, func(u *unit) (*tracker.Event, error) {
		date := in.Date
		if date.IsZero() {
			date = u.Clock.Today
		}
		return u.Disclose(in.Event, in.Channels, in.All, date, in.URL, in.Note)
	})
}

// Waive closes an event without disclosure.
func (l *Local) Waive(ctx context.Context, in WaiveInput) (*EventDetail, error) {
	return l.change(ctx, func(u *unit) (*tracker.Event, error) { return u.Waive(in.Event, in.Reason) })
}

// Amend corrects an event.
func (l *Local) Amend(ctx context.Context, in AmendInput) (*EventDetail, error) {
	return l.change(ctx, func(u *unit) (*tracker.Event, error) {
		return u.Amend(in.Event, in.Matter, tracker.Amendment{Date: in.Date, Summary: in.Summary, Ref: in.Ref, Reason: in.Reason})
	})
}

// Retract voids an event's disclosures on a channel.
func (l *Local) Retract(ctx context.Context, in RetractInput) (*EventDetail, error) {
	if in.Channel == "" {
		return nil, tracker.Invalid(tracker.FieldChannel, "渠道未给出：请指明要撤回哪个渠道的公开记录")
	}
	return l.change(ctx, func(u *unit) (*tracker.Event, error) { return u.Retract(in.Event, in.Channel, in.Reason) })
}

// Reopen reopens a closed event.
func (l *Local) Reopen(ctx context.Context, in ReopenInput) (*EventDetail, error) {
	return l.change(ctx, func(u *unit) (*tracker.Event, error) { return u.Reopen(in.Event, in.Reason) })
}

// Event returns one event whole.
func (l *Local) Event(ctx context.Context, q EventRef) (*EventDetail, error) {
	day := l.orToday(q.AsOf)
	var out *EventDetail
	err := l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		e, err := tx.Event(q.ID)
		if err != nil {
			return err
		}
		out = l.detail(e, cal, day)
		return nil
	})
	return out, err
}

// Events lists the events a query selects.
func (l *Local) Events(ctx context.Context, q EventQuery) (*EventList, error) {
	f, err := newEventFilter(q, l.today())
	if err != nil {
		return nil, err
	}
	out := &EventList{AsOf: f.asOf, Events: []tracker.EventView{}}
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		if q.Matter != "" {
			cat, err := tx.Catalog()
			if err != nil {
				return err
			}
			if cat == nil {
				cat = tracker.EmbeddedCatalog()
			}
			m, err := tracker.FindMatter(cat, q.Matter)
			if err != nil {
				return err
			}
			f.matter = m.Seq
		}
		return f.each(tx)(func(e *tracker.Event) error {
			if v, ok := f.match(e, cal); ok {
				out.Events = append(out.Events, v)
			}
			return nil
		})
	})
	slices.SortFunc(out.Events, func(a, b tracker.EventView) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// eventFilter is an EventQuery checked and ready to run.
type eventFilter struct {
	EventQuery
	asOf   calendar.Date
	today  calendar.Date
	matter int
}

func newEventFilter(q EventQuery, today calendar.Date) (*eventFilter, error) {
	if q.DueWithin != nil && *q.DueWithin < 0 {
		return nil, tracker.Invalid(tracker.FieldDueWithin, "工作日数 %d 无效：应为 0 或正整数", *q.DueWithin)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return nil, tracker.Invalid(tracker.FieldDateRange, "起始日期 %s 晚于截止日期 %s", q.From, q.To)
	}
	f := &eventFilter{EventQuery: q, asOf: q.AsOf, today: today}
	if f.asOf.IsZero() {
		f.asOf = today
	}
	return f, nil
}

// each chooses what to read: only events open as of the day can be open
// or overdue then — as of today those of the index of open events, as of
// another day also those closed since; other queries read every event.
func (f *eventFilter) each(tx tracker.Tx) func(func(*tracker.Event) error) error {
	switch {
	case !(f.Open || f.Overdue || f.DueWithin != nil):
		return tx.Events
	case f.asOf == f.today:
		return tx.OpenEvents
	}
	return func(fn func(*tracker.Event) error) error { return tracker.OpenAsOf(tx, f.asOf, fn) }
}

// match returns e's view when the query selects it.
func (f *eventFilter) match(e *tracker.Event, cal *calendar.Calendar) (tracker.EventView, bool) {
	switch {
	case f.matter != 0 && e.Matter != f.matter:
		return tracker.EventView{}, false
	case !f.From.IsZero() && e.Date.Before(f.From), !f.To.IsZero() && e.Date.After(f.To):
		return tracker.EventView{}, false
	case e.Date.After(f.asOf):
		return tracker.EventView{}, false // it had not happened yet
	}
	st := e.Status(f.asOf)
	switch {
	case f.Open && st != tracker.Open && st != tracker.Overdue:
		return tracker.EventView{}, false
	case f.Overdue && st != tracker.Overdue:
		return tracker.EventView{}, false
	case f.DueWithin != nil && st != tracker.Open:
		return tracker.EventView{}, false
	}
	v := tracker.ViewOf(e, cal, f.asOf)
	if f.DueWithin != nil && *v.WorkdaysLeft > *f.DueWithin {
		return tracker.EventView{}, false
	}
	return v, true
}
