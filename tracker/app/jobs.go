package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
)

// Jobs are the daemon's jobs over a Service, one at a time: the daily
// reminder run (and on a working day the weekly report a day off put
// off), the weekly report, and the outbox's retries. A job never stops
// the daemon: it logs what it did, and why it failed.
type Jobs struct {
	mu  sync.Mutex
	svc Service
	// times are when the jobs fall due.
	times JobTimes
	log   *slog.Logger
	// failed: the last reminder run found the database busy; it is tried
	// again at the next tick, so that a "due today" reminder is not put off
	// to tomorrow.
	failed bool
	// faults counts the passes in a row a fault of the setup stopped (the
	// mail server cannot be reached, refuses the login); rest is how many
	// ticks the outbox rests before the next try: 1, 2, 4 … 60 minutes.
	faults, rest int

	runs jobRuns
}

// JobTimes say when the daemon's jobs fall due, and what time it is.
type JobTimes struct {
	Reminders, Weekly Schedule
	Now               func() time.Time
}

// NewJobs returns the jobs over svc at the times given.
func NewJobs(svc Service, times JobTimes, log *slog.Logger) *Jobs {
	j := &Jobs{svc: svc, times: times, log: log}
	j.runs.times = times
	return j
}

// Reconfigure swaps the service and the schedules (after the configuration
// is read again), once the job in progress is done.
func (j *Jobs) Reconfigure(svc Service, times JobTimes) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.svc, j.times = svc, times
	j.runs.mu.Lock()
	j.runs.times = times
	j.runs.mu.Unlock()
	j.faults, j.rest = 0, 0 // a fixed setup is tried at the next tick
}

// Wait returns once the job in progress, if any, is done.
func (j *Jobs) Wait() {
	j.mu.Lock()
	defer j.mu.Unlock()
}

// CatchUp makes up, at start, what was missed while the daemon was down:
// stages not yet recorded go out (planning never loses them), and a weekly
// report whose day has passed is sent late. Before today's reminder time
// (the daemon started at 02:00) it makes up nothing: today's run at its
// time sends all that is due, what was missed included, and nobody gets
// today's reminders in the night.
func (j *Jobs) CatchUp(ctx context.Context) {
	now := j.times.Now()
	last := Previous(j.times.Reminders, now)
	if last.IsZero() || calendar.Today(last) != calendar.Today(now) {
		j.log.Info("nothing to make up before today's reminder time", "next", j.times.Reminders.Next(now.In(calendar.Shanghai)))
		return
	}
	j.Reminders(ctx)
	j.Weekly(ctx)
}

// Previous returns the last time at or before now that sched fell due, in
// the year before now; zero when none. (A schedule the configuration
// accepts falls due at least once a year.)
func Previous(sched Schedule, now time.Time) time.Time {
	var last time.Time
	for t := sched.Next(now.In(calendar.Shanghai).AddDate(-1, 0, -1)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		last = t
	}
	return last
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
		j.runs.record(jobReminders, j.times.Now(), "数据库忙，下一分钟重试："+errText(err), true)
	case err != nil:
		j.log.Error("reminder run failed", "err", err)
		j.runs.record(jobReminders, j.times.Now(), errText(err), true)
	case !r.Workday:
		j.log.Info("not a working day: no reminders", "day", r.Day)
		j.runs.record(jobReminders, j.times.Now(), r.Day.String()+" 不是工作日，不提醒", false)
	default:
		j.log.Info("reminder run", "day", r.Day, "queued", len(r.Queued))
		j.runs.record(jobReminders, j.times.Now(), fmt.Sprintf("%s：排入 %d 封提醒邮件", r.Day, len(r.Queued)), false)
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
// is tried again; else the outbox's messages due for a retry are sent,
// unless a fault of the setup stopped the last pass and the outbox rests.
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
	if j.rest > 0 {
		j.rest--
		return
	}
	j.flushLocked(ctx)
}

func (j *Jobs) weeklyLocked(ctx context.Context) {
	r, err := j.svc.SendDueWeeklyReports(ctx, j.times.Weekly)
	if err != nil {
		j.log.Error("weekly report failed", "err", err)
		j.runs.record(jobWeekly, j.times.Now(), errText(err), true)
		return
	}
	if r.Queued > 0 {
		j.log.Info("weekly report queued", "day", r.Report.Day, "messages", r.Queued)
		j.runs.record(jobWeekly, j.times.Now(), fmt.Sprintf("%s 的周报：排入 %d 封邮件", r.Report.Day, r.Queued), false)
	}
}

// flushLocked sends what is due, and logs why each message that did not
// go out did not: a retry at warn, a failure for good and a fault of the
// setup at error.
func (j *Jobs) flushLocked(ctx context.Context) {
	r, err := j.svc.FlushOutbox(ctx, FlushInput{})
	if r != nil {
		for _, f := range r.Failures {
			if f.Permanent {
				j.log.Error("message failed for good; the officers hear of it in their next digest", "message", f.Message, "to", f.To, "err", f.Error)
			} else {
				j.log.Warn("message not sent; retrying later", "message", f.Message, "to", f.To, "err", f.Error)
			}
		}
		if r.Sent+r.Retrying+r.Failed > 0 {
			j.log.Info("outbox", "sent", r.Sent, "retrying", r.Retrying, "failed", r.Failed, "to", r.Transport)
			j.runs.record(jobFlush, j.times.Now(), fmt.Sprintf("经%s发出 %d 封，待重试 %d 封，失败 %d 封", r.Transport, r.Sent, r.Retrying, r.Failed), r.Failed > 0)
		}
	}
	switch {
	case tracker.ErrorCode(err) == tracker.EUnavailable:
		j.faults++
		j.rest = min(1<<min(j.faults-1, 6), 60) - 1
		j.log.Error("sending stopped: a fault of the setup; the messages wait", "err", err, "next_try_in_minutes", j.rest+1)
		j.runs.record(jobFlush, j.times.Now(), fmt.Sprintf("暂停发送（%d 分钟后再试）：%s", j.rest+1, errText(err)), true)
		return
	case err != nil && !errors.Is(err, context.Canceled):
		j.log.Error("sending failed", "err", err)
		j.runs.record(jobFlush, j.times.Now(), errText(err), true)
	}
	j.faults, j.rest = 0, 0
}

// errText is an error as the status shows it: the domain's sentence, or
// a plain note (the detail is in the log).
func errText(err error) string {
	if e := tracker.AsError(err); e != nil {
		return e.Message
	}
	return "失败，详见服务器日志"
}
