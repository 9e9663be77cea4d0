package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker"
)

func newServeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "常驻运行：按时发提醒和每周报告，发出发件箱中的邮件",
		Long: `常驻运行（可由 systemd 管理）。按配置 [schedule]（北京时间）每天执行提醒（只在工作日），
每周发逾期报告（逢非工作日顺延到下一个工作日），每分钟发出到了重试时间的邮件。启动时
补做停机期间错过的提醒和周报。只在工作时打开数据库，命令行可以同时使用。

SIGHUP 重新读取配置；SIGTERM 或 SIGINT 在发完正在发送的邮件后退出。日志写到标准错误。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			return e.serve(ctx, hup)
		},
	}
}

// daemon is the running service.
type daemon struct {
	e   *env
	ctx context.Context // ends on SIGTERM or SIGINT: the sender stops after the message in flight
	log *slog.Logger
	mu  sync.Mutex // one job at a time touches the database and the outbox
	// failed: the last reminder run failed (the database busy beyond its
	// wait, say); it is tried again each minute until it succeeds, so a
	// "due today" reminder is not put off to tomorrow.
	failed bool
}

// serve runs until ctx ends; a value on hup rereads the configuration.
func (e *env) serve(ctx context.Context, hup <-chan os.Signal) error {
	d := &daemon{e: e, ctx: ctx, log: slog.New(slog.NewTextHandler(e.stderr, nil))}
	d.log.Info("gongkai serve starting", "db", e.dbPath(), "config", e.config().File, "transport", d.transportName())
	if len(e.config().Recipients.Officers) == 0 {
		d.log.Warn("no recipients.officers in the configuration: reminders have nobody to go to (gongkai config example shows how)")
	}

	d.catchUp(ctx)
	c, err := d.start()
	if err != nil {
		return err
	}
	flush := time.NewTicker(time.Minute)
	defer flush.Stop()
	for {
		select {
		case <-ctx.Done():
			d.log.Info("stopping: waiting for the job in progress")
			<-c.Stop().Done()
			d.mu.Lock() // the sender finishes the message in flight, then sees ctx
			d.mu.Unlock()
			d.log.Info("stopped")
			return nil
		case <-hup:
			cfg, err := e.loadConfig()
			if err != nil {
				d.log.Error("configuration not reloaded; keeping the old one", "err", err)
				continue
			}
			<-c.Stop().Done()
			e.cfg = cfg
			if c, err = d.start(); err != nil {
				return err
			}
			d.log.Info("configuration reloaded", "config", cfg.File)
		case <-flush.C:
			d.mu.Lock()
			retry := d.failed
			d.mu.Unlock()
			if retry {
				d.reminders(ctx)
			} else {
				d.flush(ctx)
			}
		}
	}
}

func (d *daemon) transportName() string {
	t, _, err := d.e.transport()
	if err != nil {
		return "error: " + err.Error()
	}
	return t.Name()
}

// start schedules the jobs of the current configuration.
func (d *daemon) start() (*cron.Cron, error) {
	cfg := d.e.config()
	logger := cronLogger{d.log}
	// SkipIfStillRunning before Recover: a job that panicked once still runs
	// next time.
	c := cron.New(cron.WithLocation(calendar.Shanghai), cron.WithParser(config.SpecParser),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)), cron.WithLogger(logger))
	if _, err := c.AddFunc(cfg.Schedule.Reminders, func() { d.reminders(d.ctx) }); err != nil {
		return nil, &config.Error{File: cfg.File, Key: "schedule.reminders", Message: err.Error()}
	}
	if _, err := c.AddFunc(cfg.Schedule.WeeklyReport, func() { d.weekly(d.ctx) }); err != nil {
		return nil, &config.Error{File: cfg.File, Key: "schedule.weekly_report", Message: err.Error()}
	}
	c.Start()
	return c, nil
}

// catchUp makes up, at start, what was missed while the daemon was down:
// stages not yet recorded go out (planning never loses them), and a weekly
// report whose day has passed is sent late.
func (d *daemon) catchUp(ctx context.Context) {
	d.reminders(ctx)
	d.weekly(ctx)
}

func (d *daemon) now() time.Time {
	t, err := d.e.now()
	if err != nil {
		d.log.Error("bad GONGKAI_NOW; using the clock", "err", err)
		return time.Now()
	}
	return t
}

// reminders is the daily job.
func (d *daemon) reminders(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	day := calendar.Today(d.now())
	queued, workday, err := d.e.remindRun(day, "gongkai serve", false)
	var busy *busyError
	d.failed = errors.As(err, &busy)
	switch {
	case d.failed:
		d.log.Error("reminder run failed; trying again in a minute", "day", day, "err", err)
	case err != nil:
		d.log.Error("reminder run failed", "day", day, "err", err)
	case !workday:
		d.log.Info("not a working day: no reminders", "day", day)
	default:
		d.log.Info("reminder run", "day", day, "queued", len(queued))
	}
	if workday {
		d.weeklyLocked(ctx) // a report put off by a day off goes out now
	}
	d.flushLocked(ctx)
}

// weekly is the weekly report's job: on the scheduled day when it is a
// working day, else on the next working day (from the reminder job).
func (d *daemon) weekly(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.weeklyLocked(ctx)
	d.flushLocked(ctx)
}

func (d *daemon) weeklyLocked(ctx context.Context) {
	cfg := d.e.config()
	to := append(append([]string{}, cfg.Recipients.Supervisors...), cfg.Recipients.Officers...)
	if len(to) == 0 {
		return
	}
	now := d.now()
	sched, err := config.SpecParser.Parse(cfg.Schedule.WeeklyReport)
	if err != nil {
		d.log.Error("weekly report schedule", "err", err)
		return
	}
	// Every scheduled time of the last fortnight: a report whose day was
	// off goes out on the next working day, and two such weeks in a row
	// (a long holiday) still give two reports, each as of its due day.
	var times []time.Time
	for t := sched.Next(now.In(calendar.Shanghai).Add(-15 * 24 * time.Hour)); !t.After(now); t = sched.Next(t) {
		times = append(times, t)
	}
	today := calendar.Today(now)
	var queued []*tracker.Message
	err = d.e.write("gongkai serve", func(ops *tracker.Ops, cal *calendar.Calendar) error {
		if w, _ := cal.IsWorkday(today); !w {
			return nil
		}
		for _, t := range times {
			scheduled := calendar.Today(t)
			due, _, err := cal.AddWorkdays(scheduled, 0) // that day, or the next working day
			if err != nil {
				return err
			}
			if today.Before(due) || !due.After(today.AddDays(-7)) {
				continue // not yet; or a week gone, sent then (or before this database)
			}
			ops.Clock.Today = due
			r, err := tracker.Weekly(ops.Tx, cal, due, due.Before(today))
			if err != nil {
				return err
			}
			r.ScheduledDay = scheduled
			q, err := ops.QueueWeekly(r, to, notify.Renderer{})
			if err != nil {
				return err
			}
			queued = append(queued, q...)
		}
		return nil
	})
	if err != nil {
		d.log.Error("weekly report failed", "err", err)
		return
	}
	if len(queued) > 0 {
		d.log.Info("weekly report queued", "day", today, "messages", len(queued))
	}
}

func (d *daemon) flush(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flushLocked(ctx)
}

func (d *daemon) flushLocked(ctx context.Context) {
	s, err := d.e.sender()
	if err != nil {
		d.log.Error("cannot send", "err", err)
		return
	}
	r, err := s.Flush(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		d.log.Error("sending failed", "err", err)
	}
	if r.Sent+r.Retrying+r.Failed > 0 {
		d.log.Info("outbox", "sent", r.Sent, "retrying", r.Retrying, "failed", r.Failed, "to", s.Transport.Name())
	}
}

// cronLogger sends robfig/cron's logs to slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error(fmt.Sprintf("cron: %s", msg), append(kv, "err", err)...)
}
