package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// detail returns an event's detail as of day.
func (l *Local) detail(e *tracker.Event, cal *calendar.Calendar, day calendar.Date) *EventDetail {
	late := l.cfg.Settings.LateAfter
	if late <= 0 {
		late = tracker.DefaultLateAfter
	}
	return &EventDetail{AsOf: day, View: tracker.ViewOf(e, cal, day), Event: e, LateAfter: late, Version: e.Version()}
}

// change runs one change of an event in a write transaction and returns
// the event after it, as of today.
func (l *Local) change(ctx context.Context, fn func(u *unit) (*tracker.Event, error)) (*EventDetail, error) {
	return l.changeAt(ctx, 0, 0, fn)
}

// changeAt is change for a change made against version of event id (0:
// whatever its version): an event changed since is EConflict, and nothing
// is written.
func (l *Local) changeAt(ctx context.Context, id uint64, version int, fn func(u *unit) (*tracker.Event, error)) (*EventDetail, error) {
	var out *EventDetail
	err := l.batchWrite(ctx, func(u *unit) error {
		if version != 0 {
			e, err := u.Tx.Event(id)
			if err != nil {
				return err
			}
			if v := e.Version(); v != version {
				return tracker.FieldErrorf(tracker.EConflict, tracker.FieldVersion,
					"事件 %d 在你查看之后已被修改（第 %d 版，你看到的是第 %d 版）：请刷新后再改", id, v, version)
			}
		}
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
	if _, err := authorize(ctx, access.OpInit); err != nil {
		return nil, err
	}
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
	p, err := authorize(ctx, access.OpLog)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return l.previewLog(ctx, p, in)
	}
	return l.change(ctx, func(u *unit) (*tracker.Event, error) {
		date := in.Date
		if date.IsZero() {
			date = u.Clock.Today
		}
		e, err := u.Log(in.Matter, tracker.LogRequest{Kind: in.Kind, Date: date, Summary: in.Summary, Ref: in.Ref})
		if err == nil {
			err = p.reach(e.Level1()) // refused: nothing is written
		}
		return e, err
	})
}

// previewLog is Log's dry run: the event it would log, from a read
// transaction.
func (l *Local) previewLog(ctx context.Context, p *Principal, in LogInput) (*EventDetail, error) {
	by, err := tracker.Line(tracker.FieldBy, "操作人", Actor(ctx), tracker.MaxName)
	if err != nil {
		return nil, err
	}
	now := l.cfg.Now()
	var out *EventDetail
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		cat, err := tx.Catalog()
		if err != nil {
			return err
		}
		if cat == nil {
			cat = tracker.EmbeddedCatalog()
		}
		m, err := tracker.FindMatter(cat, in.Matter)
		if err != nil {
			return err
		}
		if err := p.reach(m.Level1); err != nil {
			return err
		}
		clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: by, Real: l.cfg.RealNow()}
		date := in.Date
		if date.IsZero() {
			date = clk.Today
		}
		e, err := tracker.NewEvent(tracker.LogRequest{Matter: m, Kind: in.Kind, Date: date, Summary: in.Summary, Ref: in.Ref,
			LateAfter: l.cfg.Settings.LateAfter}, cal, clk)
		if err != nil {
			return err
		}
		out = l.detail(e, cal, clk.Today)
		return nil
	})
	return out, err
}

// Disclose records disclosures of an event.
func (l *Local) Disclose(ctx context.Context, in DiscloseInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpDisclose); err != nil {
		return nil, err
	}
	if in.All && len(in.Channels) > 0 {
		return nil, tracker.Invalid(tracker.FieldChannels, "公开渠道只能二选一：指明渠道，或选择全部待公开渠道")
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) {
		date := in.Date
		if date.IsZero() {
			date = u.Clock.Today
		}
		return u.Disclose(in.Event, in.Channels, in.All, date, in.URL, in.Note)
	})
}

// Waive closes an event without disclosure.
func (l *Local) Waive(ctx context.Context, in WaiveInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpWaive); err != nil {
		return nil, err
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) { return u.Waive(in.Event, in.Reason) })
}

// Amend corrects an event.
func (l *Local) Amend(ctx context.Context, in AmendInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpAmend); err != nil {
		return nil, err
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) {
		return u.Amend(in.Event, in.Matter, tracker.Amendment{Date: in.Date, Summary: in.Summary, Ref: in.Ref, Reason: in.Reason})
	})
}

// Retract voids an event's disclosures on a channel.
func (l *Local) Retract(ctx context.Context, in RetractInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpRetract); err != nil {
		return nil, err
	}
	if in.Channel == "" {
		return nil, tracker.Invalid(tracker.FieldChannel, "渠道未给出：请指明要撤回哪个渠道的公开记录")
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) { return u.Retract(in.Event, in.Channel, in.Reason) })
}

// Cancel voids an event logged by mistake.
func (l *Local) Cancel(ctx context.Context, in ReasonInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpCancel); err != nil {
		return nil, err
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) { return u.Cancel(in.Event, in.Reason) })
}

// Restore undoes the cancellation of an event.
func (l *Local) Restore(ctx context.Context, in ReasonInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpRestore); err != nil {
		return nil, err
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) { return u.Restore(in.Event, in.Reason) })
}

// Reopen reopens a closed event.
func (l *Local) Reopen(ctx context.Context, in ReopenInput) (*EventDetail, error) {
	if _, err := authorize(ctx, access.OpReopen); err != nil {
		return nil, err
	}
	return l.changeAt(ctx, in.Event, in.Version, func(u *unit) (*tracker.Event, error) { return u.Reopen(in.Event, in.Reason) })
}

// Event returns one event whole.
func (l *Local) Event(ctx context.Context, q EventRef) (*EventDetail, error) {
	p, err := authorize(ctx, access.OpEvent)
	if err != nil {
		return nil, err
	}
	day := l.orToday(q.AsOf)
	var out *EventDetail
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		e, err := tx.Event(q.ID)
		if err != nil {
			return err
		}
		if !p.scope().Reaches(e.Level1()) {
			// Said as a missing event: what is outside one's sections is
			// not told, not even its 一级事项.
			return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldEvent, "事件 %d 不存在，或不属于账号 %s 所在股室", q.ID, p.Account)
		}
		out = l.detail(e, cal, day)
		return nil
	})
	return out, err
}

// Events lists the events a query selects.
func (l *Local) Events(ctx context.Context, q EventQuery) (*EventList, error) {
	p, err := authorize(ctx, access.OpEvents)
	if err != nil {
		return nil, err
	}
	f, err := newEventFilter(q, l.today())
	if err != nil {
		return nil, err
	}
	f.scope = p.scope()
	out := &EventList{AsOf: f.asOf, Events: []tracker.EventView{}}
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		cat, err := tx.Catalog()
		if err != nil {
			return err
		}
		if cat == nil {
			cat = tracker.EmbeddedCatalog()
		}
		out.Office = cat.Office()
		if q.Matter != "" || q.Level1 != "" {
			if q.Matter != "" {
				m, err := tracker.FindMatter(cat, q.Matter)
				if err != nil {
					return err
				}
				f.matter = m.Seq
			}
			if q.Level1 != "" {
				if f.level1, err = findLevel1(cat, q.Level1); err != nil {
					return err
				}
			}
		}
		if q.Section != "" {
			s, err := accountsOf(tx)
			if err != nil {
				return err
			}
			sec, err := s.Section(strings.TrimSpace(q.Section))
			if err != nil {
				if tracker.ErrorCode(err) == tracker.ENotFound {
					return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldSection, "没有名为“%s”的股室", q.Section)
				}
				return err
			}
			f.section = sec.Level1
		}
		each, ordered := f.each(tx)
		ordered = ordered && q.Order != OrderDeadline
		if q.Order == OrderDeadline {
			each, ordered = f.byDeadline(tx, each)
		}
		// A page of a list read in its order stops once it is full (and
		// one more says there are more).
		stopAt := -1
		if q.Limit > 0 && ordered {
			stopAt = q.Offset + q.Limit + 1
		}
		err = each(func(e *tracker.Event) error {
			if v, ok := f.match(e, cal); ok {
				out.Events = append(out.Events, v)
				if len(out.Events) == stopAt {
					return errPageFull
				}
			}
			return nil
		})
		if errors.Is(err, errPageFull) {
			err = nil
		}
		return err
	})
	if q.Order == OrderDeadline {
		slices.SortFunc(out.Events, func(a, b tracker.EventView) int {
			return cmp.Or(a.Deadline.Compare(b.Deadline), cmp.Compare(a.ID, b.ID))
		})
	} else {
		slices.SortFunc(out.Events, func(a, b tracker.EventView) int { return cmp.Compare(a.ID, b.ID) })
	}
	if q.Limit > 0 {
		start := min(q.Offset, len(out.Events))
		end := min(start+q.Limit, len(out.Events))
		out.More = end < len(out.Events)
		out.Events = out.Events[start:end]
	}
	return out, err
}

// errPageFull stops the reading of a list whose page is full.
var errPageFull = errors.New("page full")

// eventFilter is an EventQuery checked and ready to run.
type eventFilter struct {
	EventQuery
	asOf   calendar.Date
	today  calendar.Date
	matter int
	level1 string
	status map[tracker.Status]bool
	scope  access.Scope // what the asker reaches
	// section: the 一级事项 of the section asked for (Section).
	section []string
}

// findLevel1 returns the catalogue's 一级事项 named q, or the only one
// whose name contains it.
func findLevel1(cat *tracker.Catalog, q string) (string, error) {
	q = strings.TrimSpace(q)
	var names []string
	for _, m := range cat.Matters {
		if !slices.Contains(names, m.Level1) {
			names = append(names, m.Level1)
		}
	}
	var found []string
	for _, n := range names {
		if n == q {
			return n, nil
		}
		if strings.Contains(n, q) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", tracker.FieldErrorf(tracker.ENotFound, tracker.FieldLevel1, "一级事项“%s”在目录中没有（目录的 %d 个一级事项：%s）", q, len(names), strings.Join(names, "、"))
	}
	return "", tracker.Invalid(tracker.FieldLevel1, "一级事项“%s”对应 %d 个：%s；请写得更具体", q, len(found), strings.Join(found, "、"))
}

func newEventFilter(q EventQuery, today calendar.Date) (*eventFilter, error) {
	if q.Order != "" && q.Order != OrderID && q.Order != OrderDeadline {
		return nil, tracker.Invalid("order", "排序方式 %q 无效：可选 id、deadline", q.Order)
	}
	if q.DueWithin != nil && *q.DueWithin < 0 {
		return nil, tracker.Invalid(tracker.FieldDueWithin, "工作日数 %d 无效：应为 0 或正整数", *q.DueWithin)
	}
	if q.DueFrom.IsZero() != q.DueTo.IsZero() || q.DueFrom.After(q.DueTo) {
		return nil, tracker.Invalid(tracker.FieldDateRange, "期限范围 %s 至 %s 无效：须给出起止两天，且起始不晚于截止", q.DueFrom, q.DueTo)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return nil, tracker.Invalid(tracker.FieldDateRange, "起始日期 %s 晚于截止日期 %s", q.From, q.To)
	}
	f := &eventFilter{EventQuery: q, asOf: q.AsOf, today: today}
	if f.asOf.IsZero() {
		f.asOf = today
	}
	var err error
	if f.Text, err = tracker.Line(tracker.FieldText, "查找的文字", tracker.Narrow(q.Text), tracker.MaxSummary); err != nil {
		return nil, err
	}
	if f.By, err = tracker.Line(tracker.FieldBy, "登记人", q.By, tracker.MaxName); err != nil {
		return nil, err
	}
	if len(q.Status) > 0 {
		f.status = map[tracker.Status]bool{}
		for _, s := range q.Status {
			if s.Name() == "" {
				return nil, tracker.Invalid(tracker.FieldStatus, "状态 %q 无效：可选 %s", s, statusChoices())
			}
			f.status[s] = true
		}
	}
	return f, nil
}

// statusChoices lists the statuses a query may ask for.
func statusChoices() string {
	var out []string
	for _, s := range tracker.Statuses {
		out = append(out, fmt.Sprintf("%s（%s）", s, s.Name()))
	}
	return strings.Join(out, "、")
}

// each chooses what to read: only events open as of the day can be open
// or overdue then — as of today those of the index of open events, as of
// another day also those closed since; other queries read every event.
func (f *eventFilter) each(tx tracker.Tx) (each func(func(*tracker.Event) error) error, byID bool) {
	openOnly := f.openOnly()
	switch {
	case !f.DueFrom.IsZero():
		return func(fn func(*tracker.Event) error) error { return tx.EventsByDeadline(f.DueFrom, f.DueTo, fn) }, false
	case !openOnly:
		return tx.Events, true
	case f.asOf == f.today:
		return tx.OpenEvents, true
	}
	return func(fn func(*tracker.Event) error) error { return tracker.OpenAsOf(tx, f.asOf, fn) }, false
}

// byDeadline chooses how to read events in the order of their deadlines
// (then ids), so that a page stops once full: the open events as of today
// from a store that finds them by deadline (tracker.EventFigures), every
// event from the index of deadlines; otherwise each, to be sorted.
func (f *eventFilter) byDeadline(tx tracker.Tx, each func(func(*tracker.Event) error) error) (func(func(*tracker.Event) error) error, bool) {
	openOnly := f.openOnly()
	from, to := calendar.FirstDate, calendar.LastDate
	if !f.DueFrom.IsZero() {
		from, to = f.DueFrom, f.DueTo
	}
	switch fig, ok := tx.(tracker.EventFigures); {
	case f.Text != "" || f.By != "":
		// Few events match: those the store finds by their text are read
		// (else every one, in the order of the file), and sorted.
		if srch, ok := tx.(tracker.EventSearcher); ok {
			return func(fn func(*tracker.Event) error) error {
				return srch.SearchEvents(f.Text, f.By, func(id uint64) error {
					e, err := tx.Event(id)
					if err != nil {
						return err
					}
					return fn(e)
				})
			}, false
		}
		return each, false
	case openOnly && f.asOf == f.today && ok:
		return func(fn func(*tracker.Event) error) error { return fig.OpenEventsDue(from, to, fn) }, true
	case !openOnly:
		return func(fn func(*tracker.Event) error) error { return tx.EventsByDeadline(from, to, fn) }, true
	}
	return each, false
}

// openOnly reports whether only events open as of the day can match.
func (f *eventFilter) openOnly() bool {
	open := f.Open || f.Overdue || f.DueWithin != nil
	if f.status != nil {
		open = true
		for s := range f.status {
			open = open && (s == tracker.Open || s == tracker.Overdue)
		}
	}
	return open
}

// match returns e's view when the query selects it.
func (f *eventFilter) match(e *tracker.Event, cal *calendar.Calendar) (tracker.EventView, bool) {
	switch {
	case f.matter != 0 && e.Matter != f.matter:
		return tracker.EventView{}, false
	case !f.From.IsZero() && e.Date.Before(f.From), !f.To.IsZero() && e.Date.After(f.To):
		return tracker.EventView{}, false
	case !f.DueFrom.IsZero() && (e.Deadline.Before(f.DueFrom) || e.Deadline.After(f.DueTo)):
		return tracker.EventView{}, false
	case e.Date.After(f.asOf):
		return tracker.EventView{}, false // it had not happened yet
	case f.level1 != "" && e.Level1() != f.level1, !f.scope.Reaches(e.Level1()),
		f.section != nil && !slices.Contains(f.section, e.Level1()):
		return tracker.EventView{}, false
	case f.By != "" && e.By != f.By:
		return tracker.EventView{}, false
	case f.Text != "" && !strings.Contains(tracker.Narrow(e.Summary), f.Text) && !strings.Contains(tracker.Narrow(e.Ref), f.Text):
		return tracker.EventView{}, false
	}
	st := e.Status(f.asOf)
	switch {
	case f.status == nil && st == tracker.Cancelled:
		return tracker.EventView{}, false
	case f.status != nil && !f.status[st]:
		return tracker.EventView{}, false
	}
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
