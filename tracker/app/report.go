package app

import (
	"context"
	"errors"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// WeeklyReport builds the weekly report as of a day; a past day reads the
// events closed since as they were then.
func (l *Local) WeeklyReport(ctx context.Context, in ReportInput) (*tracker.WeeklyReport, error) {
	if _, err := authorize(ctx, access.OpWeeklyReport); err != nil {
		return nil, err
	}
	today := l.today()
	day := l.orToday(in.Day)
	var r *tracker.WeeklyReport
	err := l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		var err error
		r, err = tracker.Weekly(tx, cal, day, day.Before(today))
		return err
	})
	return r, err
}

// dueReport is a weekly report to queue: as of a day, for the recipients
// it has not gone to.
type dueReport struct {
	day, scheduled calendar.Date
	report         *tracker.WeeklyReport
	to             []string
	content        tracker.Content
}

// queueReports builds each report in a read transaction, renders it once
// outside any transaction, and queues it in a short write transaction
// that checks nothing was written since the read (else it starts again).
// days returns the reports due, from the calendar in force.
func (l *Local) queueReports(ctx context.Context, to []string, days func(cal *calendar.Calendar) ([]dueReport, error)) (*ReportSent, error) {
	today := l.today()
	out := &ReportSent{}
	build := func(tx tracker.Tx, cal *calendar.Calendar) ([]dueReport, error) {
		due, err := days(cal)
		if err != nil {
			return nil, err
		}
		var todo []dueReport
		for _, d := range due {
			r, err := tracker.Weekly(tx, cal, d.day, d.day.Before(today))
			if err != nil {
				return nil, err
			}
			r.ScheduledDay = d.scheduled
			if d.to, err = tracker.Unsent(tx, r, to); err != nil {
				return nil, err
			}
			out.Report = r
			if len(d.to) > 0 {
				d.report = r
				todo = append(todo, d)
			}
		}
		return todo, nil
	}
	// render renders each report once; pack as in RemindRun.
	render := func(todo []dueReport, pack bool) error {
		for i := range todo {
			c, err := l.cfg.Renderer.Weekly(todo[i].report)
			if err != nil {
				return err
			}
			if pack {
				m := &tracker.Message{Text: c.Text, HTML: c.HTML, Attachments: c.Attachments}
				if err := l.pack(m); err != nil {
					return err
				}
				c.Packed = m.Packed
			}
			todo[i].content = c
		}
		return nil
	}
	for try := 1; ; try++ {
		var todo []dueReport
		var gen uint64
		err := l.read(func(tx tracker.Tx, cal *calendar.Calendar) (err error) {
			gen = tx.Generation()
			todo, err = build(tx, cal)
			return err
		})
		if err != nil && !noDatabase(err) {
			return nil, err
		}
		if noDatabase(err) {
			gen = 0 // a new database: built, and the report made, in the write
		} else if len(todo) == 0 {
			return out, nil
		} else if err := render(todo, true); err != nil {
			return nil, err
		}
		last := try == staleTries
		err = l.write(ctx, func(u *unit) error {
			if u.Tx.Generation() != gen {
				if !last && gen != 0 {
					return errStale
				}
				var err error
				if todo, err = build(u.Tx, u.cal); err != nil {
					return err
				}
				if err := render(todo, false); err != nil {
					return err
				}
			}
			for _, d := range todo {
				u.Clock.Today = d.day
				q, err := u.QueueWeekly(d.report, d.to, d.content)
				if err != nil {
					return err
				}
				out.Queued += len(q)
			}
			return nil
		})
		if errors.Is(err, errStale) {
			continue
		}
		return out, err
	}
}

// recipients returns who receives the weekly report, or an error when
// nobody does.
func (l *Local) reportRecipients() ([]string, error) {
	r, err := l.recipients()
	if err != nil {
		return nil, err
	}
	to := r.Weekly()
	if len(to) == 0 {
		return nil, tracker.FieldErrorf(tracker.EInvalid, tracker.FieldRecipients,
			"没有领导或公开专员的邮箱（配置中的 recipients.supervisors、recipients.officers，或有邮箱的领导、公开专员账号）：报告无人接收")
	}
	return to, nil
}

// SendWeeklyReport queues the report as of a day for the supervisors and
// officers, once per report day, and sends it.
func (l *Local) SendWeeklyReport(ctx context.Context, in ReportInput) (*ReportSent, error) {
	if _, err := authorize(ctx, access.OpSendWeeklyReport); err != nil {
		return nil, err
	}
	today := l.today()
	day := l.orToday(in.Day)
	if day.After(today) {
		return nil, tracker.Invalid(tracker.FieldAsOf, "报告日 %s 在今天（%s）之后：未来的报告不能发送", day, today)
	}
	to, err := l.reportRecipients()
	if err != nil {
		return nil, err
	}
	dl, err := l.deliverer()
	if err != nil {
		return nil, err
	}
	out, err := l.queueReports(ctx, to, func(*calendar.Calendar) ([]dueReport, error) {
		return []dueReport{{day: day}}, nil
	})
	if err != nil {
		return nil, err
	}
	out.Delivery, err = l.flush(ctx, dl)
	return out, err
}

// catchUpWindow is how far back SendDueWeeklyReports looks for a report
// that was due: two weeks, so that two holiday weeks in a row still give
// two reports.
const catchUpWindow = 15 * 24 * time.Hour

// SendDueWeeklyReports queues every weekly report that schedule made due
// in the last fortnight and that has not been queued: a report whose day
// was off goes out on the next working day, each as of the working day it
// was due; reports more than a week old are left (sent then, or before
// this database). It runs on working days only, and does not send.
func (l *Local) SendDueWeeklyReports(ctx context.Context, schedule Schedule) (*ReportSent, error) {
	if _, err := authorize(ctx, access.OpJobs); err != nil {
		return nil, err
	}
	r, err := l.recipients()
	if err != nil {
		return nil, err
	}
	to := r.Weekly()
	if len(to) == 0 {
		return &ReportSent{}, nil
	}
	now := l.cfg.Now()
	var times []time.Time
	for t := schedule.Next(now.In(calendar.Shanghai).Add(-catchUpWindow)); !t.After(now); t = schedule.Next(t) {
		times = append(times, t)
	}
	today := calendar.Today(now)
	return l.queueReports(ctx, to, func(cal *calendar.Calendar) ([]dueReport, error) {
		if w, err := cal.IsWorkday(today); err != nil || !w {
			return nil, err
		}
		var due []dueReport
		for _, t := range times {
			scheduled := calendar.Today(t)
			day, _, err := cal.AddWorkdays(scheduled, 0) // that day, or the next working day
			if err != nil {
				return nil, err
			}
			if today.Before(day) || !day.After(today.AddDays(-7)) {
				continue
			}
			due = append(due, dueReport{day: day, scheduled: scheduled})
		}
		return due, nil
	})
}
