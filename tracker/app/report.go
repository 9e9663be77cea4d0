package app

import (
	"context"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
)

// WeeklyReport builds the weekly report as of a day; a past day reads the
// events closed since as they were then.
func (l *Local) WeeklyReport(ctx context.Context, in ReportInput) (*tracker.WeeklyReport, error) {
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

// recipients returns who receives the weekly report, or an error when
// nobody does.
func (l *Local) reportRecipients() ([]string, error) {
	to := l.cfg.Settings.Recipients.Weekly()
	if len(to) == 0 {
		return nil, tracker.FieldErrorf(tracker.EInvalid, tracker.FieldRecipients,
			"配置中没有 recipients.supervisors 或 recipients.officers：报告无人接收")
	}
	return to, nil
}

// SendWeeklyReport queues the report as of a day for the supervisors and
// officers, once per report day, and sends it.
func (l *Local) SendWeeklyReport(ctx context.Context, in ReportInput) (*ReportSent, error) {
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
	out := &ReportSent{}
	err = l.write(ctx, func(u *unit) error {
		u.Clock.Today = day
		r, err := tracker.Weekly(u.Tx, u.cal, day, day.Before(today))
		if err != nil {
			return err
		}
		q, err := u.QueueWeekly(r, to, l.cfg.Renderer)
		out.Report, out.Queued = r, len(q)
		return err
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
	to := l.cfg.Settings.Recipients.Weekly()
	out := &ReportSent{}
	if len(to) == 0 {
		return out, nil
	}
	now := l.cfg.Now()
	var times []time.Time
	for t := schedule.Next(now.In(calendar.Shanghai).Add(-catchUpWindow)); !t.After(now); t = schedule.Next(t) {
		times = append(times, t)
	}
	today := calendar.Today(now)
	err := l.write(ctx, func(u *unit) error {
		if w, err := u.cal.IsWorkday(today); err != nil || !w {
			return err
		}
		for _, t := range times {
			scheduled := calendar.Today(t)
			due, _, err := u.cal.AddWorkdays(scheduled, 0) // that day, or the next working day
			if err != nil {
				return err
			}
			if today.Before(due) || !due.After(today.AddDays(-7)) {
				continue
			}
			u.Clock.Today = due
			r, err := tracker.Weekly(u.Tx, u.cal, due, due.Before(today))
			if err != nil {
				return err
			}
			r.ScheduledDay = scheduled
			q, err := u.QueueWeekly(r, to, l.cfg.Renderer)
			if err != nil {
				return err
			}
			out.Queued += len(q)
			if len(q) > 0 {
				out.Report = r
			}
		}
		return nil
	})
	return out, err
}
