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
	"gongkai/tracker"
	"gongkai/tracker/app"
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
			return e.serve(ctx, hup, daemonClock{})
		},
	}
}

// daemonClock is what drives the daemon's time: the schedule of its jobs
// and the minute ticker of the outbox. Tests give their own, to fire jobs
// by hand; the zero value is the real one.
type daemonClock struct {
	// scheduler returns a new scheduler; nil means cron in Asia/Shanghai.
	scheduler func(log *slog.Logger) scheduler
	// tick drives the outbox's retries; nil means every minute.
	tick <-chan time.Time
	// done, when not nil, hears of each step: "started", "reloaded",
	// "reload refused".
	done chan<- string
}

// scheduler runs jobs at the times of cron specs.
type scheduler interface {
	Add(spec string, job func()) error
	Start()
	// Stop stops the schedule and waits for a job in progress.
	Stop()
}

// cronScheduler is robfig/cron in Asia/Shanghai.
type cronScheduler struct{ c *cron.Cron }

func newCronScheduler(log *slog.Logger) scheduler {
	logger := cronLogger{log}
	// SkipIfStillRunning before Recover: a job that panicked once still runs
	// next time.
	return cronScheduler{cron.New(cron.WithLocation(calendar.Shanghai), cron.WithParser(config.SpecParser),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)), cron.WithLogger(logger))}
}

func (s cronScheduler) Add(spec string, job func()) error {
	_, err := s.c.AddFunc(spec, job)
	return err
}
func (s cronScheduler) Start() { s.c.Start() }
func (s cronScheduler) Stop()  { <-s.c.Stop().Done() }

// daemon is the running service.
type daemon struct {
	e     *env
	clock daemonClock
	ctx   context.Context // ends on SIGTERM or SIGINT: the sender stops after the message in flight
	log   *slog.Logger
	mu    sync.Mutex // one job at a time
	// failed: the last reminder run failed (the database busy beyond its
	// wait, say); it is tried again each minute until it succeeds, so a
	// "due today" reminder is not put off to tomorrow.
	failed bool
}

// serve runs until ctx ends; a value on hup rereads the configuration.
func (e *env) serve(ctx context.Context, hup <-chan os.Signal, clk daemonClock) error {
	d := &daemon{e: e, clock: clk, ctx: app.WithActor(ctx, "gongkai serve"), log: slog.New(slog.NewTextHandler(e.stderr, nil))}
	if d.clock.scheduler == nil {
		d.clock.scheduler = newCronScheduler
	}
	if d.clock.tick == nil {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		d.clock.tick = t.C
	}
	if _, err := e.service(); err != nil {
		return err
	}
	d.log.Info("gongkai serve starting", "db", e.dbPath(), "config", e.config().File, "transport", d.transportName())
	if len(e.config().Recipients.Officers) == 0 {
		d.log.Warn("no recipients.officers in the configuration: reminders have nobody to go to (gongkai config example shows how)")
	}

	d.catchUp()
	sched, err := d.start()
	if err != nil {
		return err
	}
	d.step("started")
	for {
		select {
		case <-ctx.Done():
			d.log.Info("stopping: waiting for the job in progress")
			sched.Stop()
			d.mu.Lock() // the sender finishes the message in flight, then sees ctx
			d.mu.Unlock()
			d.log.Info("stopped")
			return nil
		case <-hup:
			cfg, err := e.loadConfig()
			if err != nil {
				d.log.Error("configuration not reloaded; keeping the old one", "err", err)
				d.step("reload refused")
				continue
			}
			sched.Stop()
			d.mu.Lock()
			e.cfg, e.svc = cfg, nil
			_, err = e.service()
			d.mu.Unlock()
			if err != nil {
				return err
			}
			if sched, err = d.start(); err != nil {
				return err
			}
			d.log.Info("configuration reloaded", "config", cfg.File)
			d.step("reloaded")
		case <-d.clock.tick:
			d.mu.Lock()
			retry := d.failed
			d.mu.Unlock()
			if retry {
				d.reminders()
			} else {
				d.flush()
			}
		}
	}
}

// step tells a test what the daemon has done.
func (d *daemon) step(what string) {
	if d.clock.done != nil {
		d.clock.done <- what
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
func (d *daemon) start() (scheduler, error) {
	cfg := d.e.config()
	sched := d.clock.scheduler(d.log)
	if err := sched.Add(cfg.Schedule.Reminders, d.reminders); err != nil {
		return nil, &config.Error{File: cfg.File, Key: "schedule.reminders", Message: err.Error()}
	}
	if err := sched.Add(cfg.Schedule.WeeklyReport, d.weekly); err != nil {
		return nil, &config.Error{File: cfg.File, Key: "schedule.weekly_report", Message: err.Error()}
	}
	sched.Start()
	return sched, nil
}

// catchUp makes up, at start, what was missed while the daemon was down:
// stages not yet recorded go out (planning never loses them), and a weekly
// report whose day has passed is sent late.
func (d *daemon) catchUp() {
	d.reminders()
	d.weekly()
}

// reminders is the daily job.
func (d *daemon) reminders() {
	d.mu.Lock()
	defer d.mu.Unlock()
	svc, _ := d.e.service()
	r, err := svc.RemindRun(d.ctx, app.RemindInput{})
	d.failed = tracker.ErrorCode(err) == tracker.EBusy
	switch {
	case d.failed:
		d.log.Error("reminder run failed; trying again in a minute", "err", err)
	case err != nil:
		d.log.Error("reminder run failed", "err", err)
	case !r.Workday:
		d.log.Info("not a working day: no reminders", "day", r.Day)
	default:
		d.log.Info("reminder run", "day", r.Day, "queued", len(r.Queued))
	}
	if r != nil && r.Workday {
		d.weeklyLocked() // a report put off by a day off goes out now
	}
	d.flushLocked()
}

// weekly is the weekly report's job: on the scheduled day when it is a
// working day, else on the next working day (from the reminder job).
func (d *daemon) weekly() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.weeklyLocked()
	d.flushLocked()
}

func (d *daemon) weeklyLocked() {
	sched, err := config.SpecParser.Parse(d.e.config().Schedule.WeeklyReport)
	if err != nil {
		d.log.Error("weekly report schedule", "err", err)
		return
	}
	svc, _ := d.e.service()
	r, err := svc.SendDueWeeklyReports(d.ctx, sched)
	if err != nil {
		d.log.Error("weekly report failed", "err", err)
		return
	}
	if r.Queued > 0 {
		d.log.Info("weekly report queued", "day", r.Report.Day, "messages", r.Queued)
	}
}

func (d *daemon) flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flushLocked()
}

func (d *daemon) flushLocked() {
	svc, _ := d.e.service()
	r, err := svc.FlushOutbox(d.ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		d.log.Error("sending failed", "err", err)
	}
	if r != nil && r.Sent+r.Retrying+r.Failed > 0 {
		d.log.Info("outbox", "sent", r.Sent, "retrying", r.Retrying, "failed", r.Failed, "to", r.Transport)
	}
}

// cronLogger sends robfig/cron's logs to slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error(fmt.Sprintf("cron: %s", msg), append(kv, "err", err)...)
}
