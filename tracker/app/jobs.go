package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"gongkai/tracker"
)

// Jobs are the daemon's jobs over a Service, one at a time: the daily
// reminder run (and on a working day the weekly report a day off put
// off), the weekly report, and the outbox's retries. A job never stops
// the daemon: it logs what it did, and why it failed.
type Jobs struct {
	mu  sync.Mutex
	svc Service
	// weekly is when the weekly report falls due.
	weekly Schedule
	log    *slog.Logger
	// failed: the last reminder run found the database busy; it is tried
	// again at the next tick, so that a "due today" reminder is not put off
	// to tomorrow.
	failed bool
}

// NewJobs returns the jobs over svc, the weekly report due on weekly.
func NewJobs(svc Service, weekly Schedule, log *slog.Logger) *Jobs {
	return &Jobs{svc: svc, weekly: weekly, log: log}
}

// Reconfigure swaps the service and the weekly schedule (after the
// configuration is read again), once the job in progress is done.
func (j *Jobs) Reconfigure(svc Service, weekly Schedule) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.svc, j.weekly = svc, weekly
}

// Wait returns once the job in progress, if any, is done.
func (j *Jobs) Wait() {
	j.mu.Lock()
	defer j.mu.Unlock()
}

// CatchUp makes up, at start, what was missed while the daemon was down:
// stages not yet recorded go out (planning never loses them), and a weekly
// report whose day has passed is sent late.
func (j *Jobs) CatchUp(ctx context.Context) {
	j.Reminders(ctx)
	j.Weekly(ctx)
}

// Reminders is the daily job: a reminder run, on a working day the weekly
// report a day off put off, and the outbox.
func (j *Jobs) Reminders(ctx context.Context) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, err := j.svc.RemindRun(ctx, RemindInput{})
	j.failed = tracker.ErrorCode(err) == tracker.EBusy
	switch {
	case j.failed:
		j.log.Error("reminder run failed; trying again at the next tick", "err", err)
	case err != nil:
		j.log.Error("reminder run failed", "err", err)
	case !r.Workday:
		j.log.Info("not a working day: no reminders", "day", r.Day)
	default:
		j.log.Info("reminder run", "day", r.Day, "queued", len(r.Queued))
	}
	if r != nil && r.Workday {
		j.weeklyLocked(ctx)
	}
	j.flushLocked(ctx)
}

// Weekly is the weekly report's job: on the scheduled day when it is a
// working day, else on the next working day (from Reminders).
func (j *Jobs) Weekly(ctx context.Context) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.weeklyLocked(ctx)
	j.flushLocked(ctx)
}

// Tick is the minute's job: a reminder run that found the database busy
// is tried again; else the outbox's messages due for a retry are sent.
func (j *Jobs) Tick(ctx context.Context) {
	j.mu.Lock()
	retry := j.failed
	j.mu.Unlock()
	if retry {
		j.Reminders(ctx)
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.flushLocked(ctx)
}

func (j *Jobs) weeklyLocked(ctx context.Context) {
	r, err := j.svc.SendDueWeeklyReports(ctx, j.weekly)
	if err != nil {
		j.log.Error("weekly report failed", "err", err)
		return
	}
	if r.Queued > 0 {
		j.log.Info("weekly report queued", "day", r.Report.Day, "messages", r.Queued)
	}
}

func (j *Jobs) flushLocked(ctx context.Context) {
	r, err := j.svc.FlushOutbox(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		j.log.Error("sending failed", "err", err)
	}
	if r != nil && r.Sent+r.Retrying+r.Failed > 0 {
		j.log.Info("outbox", "sent", r.Sent, "retrying", r.Retrying, "failed", r.Failed, "to", r.Transport)
	}
}
