package app

import (
	"context"
	"errors"

	"gongkai/tracker"
)

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// RemindRun is one reminder run on a day: on a working day, plan the
// reminders due, queue one digest per recipient in the transaction that
// records the stages, then send. On a day off it does nothing: the stages
// that fell on it go out at the next working day's run. From November,
// officers also hear when next year's schedule is still provisional. A
// past day makes up a missed run; a future one may only be tried dry.
func (l *Local) RemindRun(ctx context.Context, in RemindInput) (*RemindResult, error) {
	today := l.today()
	day := l.orToday(in.Day)
	if day.After(today) && !in.DryRun {
		return nil, tracker.Invalid(tracker.FieldAsOf, "日期 %s 在今天（%s）之后：未来的日子只能试运行，不记录、不发送", day, today)
	}
	var dl Deliverer
	if !in.DryRun {
		// A mail setup that cannot work is said before anything is recorded.
		var err error
		if dl, err = l.deliverer(); err != nil {
			return nil, err
		}
	}
	s := l.cfg.Settings
	req := tracker.RemindRequest{Rules: s.Reminders, Officers: s.Recipients.Officers,
		Supervisors: s.Recipients.Supervisors, Owners: s.Recipients.Owners, Render: l.cfg.Renderer}
	res := &RemindResult{Day: day, Queued: []*tracker.Message{}}
	err := l.write(ctx, func(u *unit) error {
		workday, err := u.cal.IsWorkday(day)
		if err != nil || !workday {
			return err
		}
		res.Workday = true
		_, req.NextYear = u.cal.Pending(day)
		u.Clock.Today = day
		q, err := u.RemindRun(req)
		if err != nil {
			return err
		}
		res.Queued = append(res.Queued, q...)
		if in.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil || !res.Workday {
		return res, err
	}
	res.Delivery, err = l.flush(ctx, dl)
	return res, err
}
