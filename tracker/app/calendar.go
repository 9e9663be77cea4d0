package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// ImportCalendar imports a year's schedule from a holiday-cn JSON or an
// iCalendar file. The comparison with the calendar in force and the write
// happen in one transaction, so that what is reported is what was
// replaced; every event whose counting passes a day the import may change
// is recomputed, and each change recorded. A dry run writes nothing, and
// works without a database.
func (l *Local) ImportCalendar(ctx context.Context, in CalendarImportInput) (*CalendarImportResult, error) {
	if _, err := authorize(ctx, access.OpImportCalendar); err != nil {
		return nil, err
	}
	sched, warnings, err := calendar.ParseImport(in.Name, in.Data)
	if err != nil {
		var ie *calendar.ImportError
		if errors.As(err, &ie) {
			return nil, &tracker.Error{Code: tracker.EInvalid, Field: tracker.FieldFile, Message: err.Error(), Err: err}
		}
		return nil, err
	}
	sum := sha256.Sum256(in.Data)
	sched.Digest = hex.EncodeToString(sum[:])
	sched.ImportedAt = l.cfg.Now().UTC()
	r := &CalendarImportResult{Year: sched.Year, File: in.Name, DryRun: in.DryRun,
		DaysOff: countDays(sched, true), Makeup: countDays(sched, false), Warnings: []string{}}
	for _, w := range warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	// compare returns the calendar the import gives, after noting how it
	// differs from the one in force.
	compare := func(tx tracker.Tx, before *calendar.Calendar) (*calendar.Calendar, error) {
		var imported []calendar.Schedule
		if tx != nil {
			if imported, err = tx.Schedules(); err != nil {
				return nil, err
			}
		}
		after, err := calendar.New(append(imported, sched)...)
		if err != nil {
			return nil, err
		}
		r.Changes, r.Settled, err = diffYear(before, after, sched.Year)
		return after, err
	}
	if in.DryRun {
		err := l.read(func(tx tracker.Tx, before *calendar.Calendar) error {
			_, err := compare(tx, before)
			return err
		})
		if noDatabase(err) {
			_, err = compare(nil, calendar.Default())
		}
		return r, err
	}
	err = l.write(ctx, func(u *unit) error {
		after, err := compare(u.Tx, u.cal)
		if err != nil {
			return err
		}
		if err := u.Tx.PutSchedule(sched); err != nil {
			return err
		}
		if err := u.AuditCalendarImport(sched, len(r.Changes)); err != nil {
			return err
		}
		from, to := calendar.ScheduleSpan(sched.Year)
		moved, err := u.RecomputeAll(after, from, to, fmt.Sprintf("导入 %d 年放假安排（%s）", sched.Year, sched.File))
		if err != nil {
			return err
		}
		for _, m := range moved {
			r.Recomputed = append(r.Recomputed, Recomputed{Event: tracker.ViewOf(m.Event, after, u.Clock.Today), Before: m.Before})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// diffYear compares the days a schedule for year may touch. settled
// counts the days that only stop being provisional.
func diffYear(before, after *calendar.Calendar, year int) (changes []DayChange, settled int, err error) {
	first, last := calendar.ScheduleSpan(year)
	changes = []DayChange{}
	for d := first; !d.After(last); d = d.AddDays(1) {
		b, err := before.Day(d)
		if err != nil {
			return nil, 0, err
		}
		a, err := after.Day(d)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case a.Kind != b.Kind || a.Name != b.Name:
			changes = append(changes, DayChange{b, a})
		case a.Provisional != b.Provisional:
			settled++
		}
	}
	return changes, settled, nil
}

func countDays(s calendar.Schedule, off bool) int {
	n := 0
	for _, d := range s.Days {
		if d.Off == off {
			n++
		}
	}
	return n
}
