package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// eventually polls until cond holds, failing after a generous limit.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func emls(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	return m
}

// The daemon on a seconds-level schedule: it makes up the missed run at
// start, sends the weekly report (a Monday), rereads its configuration on
// SIGHUP (a supervisor added gets the escalation that had nobody to go
// to), and stops cleanly when told; the CLI works beside it all along.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gongkai.toml")
	outbox := filepath.Join(dir, "outbox")
	write := func(body string) {
		if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base := "database = \"g.db\"\noutbox_dir = \"outbox\"\n[schedule]\nreminders = \"@every 1s\"\nweekly_report = \"0 9 * * 1\"\n"
	write(base + "[recipients]\nofficers = [\"officer@example.gov.cn\"]\n")
	vars := map[string]string{"GONGKAI_CONFIG": cfgPath, "GONGKAI_NOW": "2026-11-30T09:30:00+08:00"}
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
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- e.serve(ctx, hup) }()

	// Made up at start: the officer's digest and the Monday report.
	eventually(t, "the first digest and the weekly report", func() bool { return len(emls(outbox)) == 2 })
	names := strings.Join(emls(outbox), " ")
	if !strings.Contains(names, "digest_2026-11-30_officer-at-example.gov.cn") || !strings.Contains(names, "report_weekly_2026-11-30_officer") {
		t.Fatalf("outbox: %s", names)
	}
	// The CLI beside the daemon.
	if code, out, stderr := runIn(t, vars, "events", "--overdue"); code != 0 || !strings.Contains(out, "供养亲属抚恤金申领") {
		t.Fatalf("CLI beside the daemon: %d %s %s", code, out, stderr)
	}

	// SIGHUP with a supervisor added: the escalation goes out.
	write(base + "[recipients]\nofficers = [\"officer@example.gov.cn\"]\nsupervisors = [\"leader@example.gov.cn\"]\n")
	hup <- os.Interrupt
	eventually(t, "the escalation and the report after the reload", func() bool {
		names := strings.Join(emls(outbox), " ")
		return strings.Contains(names, "digest_2026-11-30_leader-at-example.gov.cn") && strings.Contains(names, "report_weekly_2026-11-30_leader")
	})
	// A broken configuration on SIGHUP is refused; the old one stays.
	write("colour = \"red\"\n")
	hup <- os.Interrupt
	eventually(t, "the refused reload", func() bool { return strings.Contains(logs.String(), "configuration not reloaded") })

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
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
