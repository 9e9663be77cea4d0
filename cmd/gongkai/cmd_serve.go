package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

func newServeCmd(e *env) *cobra.Command {
	var fakeClock bool
	c := &cobra.Command{
		Use:   "serve [--fake-clock]",
		Short: "运行服务器：接口、账号，按时发提醒和每周报告，发出发件箱中的邮件",
		Long: `运行办公室的服务器（可由 systemd 管理）。它在运行期间独占数据库：
  - 在配置 [server] listen（默认 127.0.0.1:8470）上提供接口 /api/v1，各人用自己的账号
    登录（gongkai login）后在自己的电脑上使用命令行；
  - 在数据库旁边建立套接字文件（数据库文件名加 .sock，只有运行服务器的用户可用），
    本机上的命令行自动经它操作，记为 local:系统用户名；
  - 按配置 [schedule]（北京时间）每天执行提醒（只在工作日），每周发逾期报告（逢非工作日
    顺延到下一个工作日），每分钟发出到了重试时间的邮件；启动时补做停机期间错过的。

服务器用本机时钟，不理会 GONGKAI_NOW，除非加 --fake-clock（演示和测试用：启动时记入日志，
它写的每条记录都标为模拟时间）。SIGHUP 重新读取配置；SIGTERM 或 SIGINT 等正在处理的请求
和正在发送的邮件完成后退出。日志写到标准错误。`,
		Args:        exactArgs(0, "无"),
		Annotations: map[string]string{needs: needsMail},
		RunE: func(c *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			return e.serve(ctx, hup, daemonClock{fakeClock: fakeClock})
		},
	}
	c.Flags().BoolVar(&fakeClock, "fake-clock", false, "使用环境变量 GONGKAI_NOW 给出的时间（演示和测试用）")
	return c
}

// serverMemoryLimit is the server's soft limit of the heap (GOMEMLIMIT,
// unless set): a reminder run over a million events keeps some 400 MiB
// alive for a moment.
const serverMemoryLimit = 1 << 30

// serverJobPace is the share of a core (percent) the server's big jobs
// take while they run: a reminder run over a million events then leaves
// room on its core too.
const serverJobPace = 60

// serverGCPercent is the server's GOGC (unless set): the heap may grow to
// five times what is live, up to serverMemoryLimit, before the collector
// runs, so that it runs less often through the requests of staff while a
// job works. A collection while a reminder run over a million events
// holds 100,000 of them marks some 120 MB, a tenth of a second of the
// cores staff's requests need: at 400, a run has one such collection
// instead of two, and the requests' p99 beside it went from 24–57 ms to
// 25–31 ms (the heap peaks near 490 MB instead of 370).
const serverGCPercent = 400

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
	// fakeClock: GONGKAI_NOW drives the operations (--fake-clock).
	fakeClock bool
	// listen, when not "", replaces [server] listen (tests: port 0).
	listen string
	// listening, when not nil, hears the address the API listens on.
	listening chan<- string
	// headerTimeout, when not 0, replaces how long a client may take to
	// send a request's headers (tests).
	headerTimeout time.Duration
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

// serve runs until ctx ends; a value on hup rereads the configuration.
func (e *env) serve(ctx context.Context, hup <-chan os.Signal, clk daemonClock) error {
	ctx = app.WithActor(ctx, "gongkai serve")
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	e.noRemote = true
	// The jobs leave a core to the requests of staff, and the collector
	// room: a reminder run over a million events near the commands' soft
	// limit (main's memoryLimit) would have it work through every request.
	tracker.SetCores(runtime.GOMAXPROCS(0) - 1)
	defer tracker.SetCores(0)
	tracker.SetPace(serverJobPace)
	defer tracker.SetPace(0)
	if e.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(serverMemoryLimit))
	}
	if e.getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(serverGCPercent))
	}
	if err := e.config().ServerErr(); err != nil {
		return err
	}
	if v := e.getenv(envNow); v != "" && !clk.fakeClock {
		log.Warn("GONGKAI_NOW is ignored: the server uses the machine's clock (start it with --fake-clock to use it)", "GONGKAI_NOW", v)
	}
	e.realClock = !clk.fakeClock
	if clk.fakeClock {
		now, err := e.clock()
		if err != nil {
			return err
		}
		log.Warn("fake clock: the operations run on GONGKAI_NOW, and every record is marked as written under a simulated time", "now", now().Format(time.RFC3339))
	}
	// The server holds the database for its lifetime: only init creates
	// one, so a missing file (a mistyped path) is said as the CLI says it.
	file := &boltstore.File{Path: e.dbPath()}
	if !file.Exists() {
		svc, err := e.service()
		if err != nil {
			return err
		}
		_, err = svc.Matters(ctx, app.MatterQuery{})
		return err
	}
	held, err := e.holdDatabase()
	if err != nil {
		return err
	}
	defer held.Close()
	if clk.scheduler == nil {
		clk.scheduler = newCronScheduler
	}
	if clk.tick == nil {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		clk.tick = t.C
	}
	step := func(what string) {
		if clk.done != nil {
			clk.done <- what
		}
	}
	svc, times, err := e.jobSetup()
	if err != nil {
		return err
	}
	// Only init creates a database: on a missing one (a mistyped path)
	// the daemon would report an office with nothing overdue.
	matters, err := svc.Matters(ctx, app.MatterQuery{})
	if err != nil {
		return err
	}
	log.Info("gongkai serve starting", "db", e.dbPath(), "config", e.config().File, "transport", e.transportName(),
		"catalog", matters.Catalog.Name, "catalog_version", matters.Catalog.Version)
	if len(e.config().Recipients.Officers) == 0 {
		log.Warn("no recipients.officers in the configuration: reminders have nobody to go to (gongkai config example shows how)")
	}
	web, err := e.startServer(svc.(*app.Local), log, clk)
	if err != nil {
		return err
	}
	defer web.close()
	jobs := app.NewJobs(svc, times, log)
	web.jobs.Store(jobs)
	jobs.CatchUp(ctx)
	sched, err := e.schedule(ctx, clk, log, jobs)
	if err != nil {
		return err
	}
	step("started")
	for {
		select {
		case <-ctx.Done():
			log.Info("stopping: waiting for the requests and the job in progress")
			web.shutdown(log)
			sched.Stop()
			jobs.Wait() // the sender finishes the message in flight, then sees ctx
			log.Info("stopped")
			return nil
		case <-hup:
			cfg, err := e.loadConfig()
			if err == nil {
				err = cfg.MailErr()
			}
			if err != nil {
				log.Error("configuration not reloaded; keeping the old one", "err", err)
				step("reload refused")
				continue
			}
			sched.Stop()
			jobs.Wait()
			e.cfg, e.svc = cfg, nil
			if svc, times, err = e.jobSetup(); err != nil {
				return err
			}
			jobs.Reconfigure(svc, times)
			web.use(svc.(*app.Local))
			if sched, err = e.schedule(ctx, clk, log, jobs); err != nil {
				return err
			}
			log.Info("configuration reloaded", "config", cfg.File)
			step("reloaded")
		case <-clk.tick:
			jobs.Tick(ctx)
		}
	}
}

// jobSetup returns the service and the jobs' times of the configuration
// in force.
func (e *env) jobSetup() (app.Service, app.JobTimes, error) {
	var times app.JobTimes
	svc, err := e.service()
	if err != nil {
		return nil, times, err
	}
	if times.Now, err = e.clock(); err != nil {
		return nil, times, err
	}
	cfg := e.config()
	for _, s := range []struct {
		key, spec string
		to        *app.Schedule
	}{{"schedule.reminders", cfg.Schedule.Reminders, &times.Reminders}, {"schedule.weekly_report", cfg.Schedule.WeeklyReport, &times.Weekly}} {
		if *s.to, err = config.SpecParser.Parse(s.spec); err != nil {
			return nil, times, &config.Error{File: cfg.File, Key: s.key, Message: err.Error()}
		}
	}
	return svc, times, nil
}

func (e *env) transportName() string {
	t, _, err := notify.TransportFor(e.config(), e.dbPath(), e.getenv)
	if err != nil {
		return "error: " + err.Error()
	}
	return t.Name()
}

// schedule starts the jobs at the times of the configuration.
func (e *env) schedule(ctx context.Context, clk daemonClock, log *slog.Logger, jobs *app.Jobs) (scheduler, error) {
	cfg := e.config()
	sched := clk.scheduler(log)
	if err := sched.Add(cfg.Schedule.Reminders, func() { jobs.Reminders(ctx) }); err != nil {
		return nil, &config.Error{File: cfg.File, Key: "schedule.reminders", Message: err.Error()}
	}
	if err := sched.Add(cfg.Schedule.WeeklyReport, func() { jobs.Weekly(ctx) }); err != nil {
		return nil, &config.Error{File: cfg.File, Key: "schedule.weekly_report", Message: err.Error()}
	}
	sched.Start()
	return sched, nil
}

// cronLogger sends robfig/cron's logs to slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error(fmt.Sprintf("cron: %s", msg), append(kv, "err", err)...)
}
