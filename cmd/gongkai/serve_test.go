package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/config"
)

// syncBuffer is a log both the daemon and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func emls(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	return m
}

// handScheduler is a scheduler whose jobs a test fires itself.
type handScheduler struct {
	mu   sync.Mutex
	jobs map[string]func()
}

func (h *handScheduler) Add(spec string, job func()) error {
	if _, err := config.SpecParser.Parse(spec); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.jobs[spec] = job
	return nil
}
func (h *handScheduler) Start() {}
func (h *handScheduler) Stop()  {}

// fire runs the job of spec, as cron would at its time.
func (h *handScheduler) fire(t *testing.T, spec string) {
	t.Helper()
	h.mu.Lock()
	job := h.jobs[spec]
	h.mu.Unlock()
	if job == nil {
		t.Fatalf("no job scheduled for %q", spec)
	}
	job()
}

// The daemon on a schedule fired by the test, on an injected clock: it
// makes up the missed run at start, sends the weekly report (a Monday),
// rereads its configuration on SIGHUP (a supervisor added gets the
// escalation that had nobody to go to), refuses a broken one, retries the
// outbox on its ticker, and stops cleanly when told; the CLI works beside
// it all along.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gongkai.toml")
	outbox := filepath.Join(dir, "outbox")
	write := func(body string) {
		if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base := "database = \"g.db\"\noutbox_dir = \"outbox\"\n"
	write(base + "[recipients]\nofficers = [\"officer@example.gov.cn\"]\n")
	vars := map[string]string{"GONGKAI_CONFIG": cfgPath, "GONGKAI_NOW": "2026-11-30T09:30:00+08:00"}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runIn(t, vars, "log", "71", "--formed", "--summary", "抚恤金标准", "--date", "2026-10-20"); code != 0 {
		t.Fatal(stderr)
	}

	logs := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: logs, getenv: func(k string) string { return vars[k] }}
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	var sched *handScheduler
	steps := make(chan string)
	tick := make(chan time.Time)
	clk := daemonClock{
		scheduler: func(*slog.Logger) scheduler { sched = &handScheduler{jobs: map[string]func(){}}; return sched },
		tick:      tick,
		done:      steps,
	}
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- e.serve(ctx, hup, clk) }()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-steps:
			if got != want {
				t.Fatalf("daemon: %q, want %q\n%s", got, want, logs.String())
			}
		case err := <-done:
			t.Fatalf("serve ended before %q: %v\n%s", want, err, logs.String())
		}
	}

	// Made up at start: the officer's digest and the Monday report.
	expect("started")
	names := strings.Join(emls(outbox), " ")
	if len(emls(outbox)) != 2 || !strings.Contains(names, "digest_2026-11-30_officer-at-example.gov.cn") || !strings.Contains(names, "report_weekly_2026-11-30_officer") {
		t.Fatalf("outbox: %s", names)
	}
	// The same day's jobs again: nothing new.
	def := config.Default().Schedule
	sched.fire(t, def.Reminders)
	sched.fire(t, def.WeeklyReport)
	tick <- time.Time{}
	if got := emls(outbox); len(got) != 2 {
		t.Errorf("the jobs again sent more: %v", got)
	}
	// The CLI beside the daemon.
	if code, out, stderr := runIn(t, vars, "events", "--overdue"); code != 0 || !strings.Contains(out, "供养亲属抚恤金申领") {
		t.Fatalf("CLI beside the daemon: %d %s %s", code, out, stderr)
	}

	// SIGHUP with a supervisor added: at the next reminder run the
	// escalation goes out, and that week's report to the supervisor.
	write(base + "[recipients]\nofficers = [\"officer@example.gov.cn\"]\nsupervisors = [\"leader@example.gov.cn\"]\n")
	hup <- os.Interrupt
	expect("reloaded")
	sched.fire(t, def.Reminders)
	names = strings.Join(emls(outbox), " ")
	if !strings.Contains(names, "digest_2026-11-30_leader-at-example.gov.cn") || !strings.Contains(names, "report_weekly_2026-11-30_leader") {
		t.Fatalf("after the reload: %s", names)
	}
	// A broken configuration on SIGHUP is refused; the old one stays.
	write("colour = \"red\"\n")
	hup <- os.Interrupt
	expect("reload refused")
	if !strings.Contains(logs.String(), "configuration not reloaded") {
		t.Errorf("log: %s", logs.String())
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	// The digest and the report to the officer; the escalation and that
	// week's report to the supervisor added; each once.
	if got := emls(outbox); len(got) != 4 {
		t.Errorf("%d messages: %v", len(got), got)
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Errorf("log: %s", logs.String())
	}
}

// Only init creates a database: serve on a missing one (a mistyped path)
// refuses to start, makes no file, and sends nothing.
func TestServeRefusesMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo.db")
	vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-30T09:30:00+08:00"}
	code, _, stderr := runIn(t, vars, "serve")
	if code != exitNotFound || !strings.Contains(stderr, "数据库 "+db+" 不存在：运行 gongkai init 创建") {
		t.Errorf("serve on a missing database: exit %d, stderr %q; want %d and how to create it", code, stderr, exitNotFound)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("serve left %d files behind in %s", len(entries), dir)
	}
}
