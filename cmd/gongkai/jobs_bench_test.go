package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// The daemon's jobs on a big database, against the goals of never keeping
// staff waiting. The database has GONGKAI_BENCH_EVENTS events (default
// 1,000,000), GONGKAI_BENCH_OPEN_PERCENT of them open (default 10), all
// overdue on the day of the run (the worst case: every open event has a
// reminder due). It is built once and kept in the temporary folder
// (gongkai-bench-N-P.db; delete it to build it again):
//
//	go test ./cmd/gongkai -run XXX -bench DaemonJobs -benchtime 3x -timeout 2h
//
// Above a million events, the open ones are the million's 100,000 and the
// rest closed events of 2025 (growFilled; 1% open at 10,000,000):
//
//	GONGKAI_BENCH_EVENTS=10000000 go test ./cmd/gongkai -run XXX -bench 'DaemonJobs/remind(-process)?$' -benchtime 2x -timeout 2h
//
// GONGKAI_BENCH_BIN and GONGKAI_BENCH_DB measure another build on a
// database of its own schema, side by side, in the process benchmarks.
//
// Metrics: write-ms, the longest write transaction of the job (the file
// locked against every other process), as the daemon runs it through the
// application layer, and commit-ms the part of it bbolt took to commit
// (writing the pages, two fsyncs); pack-ms, the longest packing of a message's content
// ahead of that transaction (encoding, and a large content's chunks each
// written in a short transaction of its own: the file is free between
// them); maxrss-MiB, the job's peak memory as a process (run
// the -process benchmarks alone: Linux counts, in a child's peak, the
// memory of the parent it was forked from, which the in-process runs
// swell);
// log-wait-ms, the longest a staff `gongkai log` started during the job
// (at several moments of it) took, end to end.
func BenchmarkDaemonJobs(b *testing.B) {
	n := benchEnv("GONGKAI_BENCH_EVENTS", 1_000_000)
	openPct := benchEnv("GONGKAI_BENCH_OPEN_PERCENT", 10)
	if n > million {
		openPct = 100 * million / 10 / n // the million's open events, no more
	}
	filled := filepath.Join(os.TempDir(), fmt.Sprintf("gongkai-bench-%d-%d.db", n, openPct))
	if v := os.Getenv("GONGKAI_BENCH_DB"); v != "" {
		filled = v // a database made otherwise (for an earlier build, one of its schema)
	} else if _, err := os.Stat(filled); err == nil {
		// Built by an earlier version of this code: upgraded once here, so
		// that the jobs are measured, not the upgrade.
		s, err := boltstore.Open(filled, boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	if _, err := os.Stat(filled); err != nil {
		start := time.Now()
		if n > million {
			growFilled(b, filled+".part", n)
		} else {
			fillEventsOpen(b, filled+".part", n, openPct)
		}
		if err := os.Rename(filled+".part", filled); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s in %v", filled, time.Since(start))
	}
	// GONGKAI_BENCH_BIN measures another build (an earlier commit's, side
	// by side) in the process benchmarks.
	bin := os.Getenv("GONGKAI_BENCH_BIN")
	if bin == "" {
		bin = buildBinary(b)
	}
	dir := b.TempDir()
	cfg := filepath.Join(dir, "gongkai.toml")
	os.WriteFile(cfg, []byte("outbox_dir = \"outbox\"\n[recipients]\nofficers = [\"officer@example.gov.cn\"]\nsupervisors = [\"leader@example.gov.cn\"]\n"), 0o600)
	db := filepath.Join(dir, "run.db")
	fresh := func(b *testing.B) {
		b.StopTimer()
		if err := copyFileBench(filled, db); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(filepath.Join(dir, "outbox"))
		b.StartTimer()
	}
	vars := map[string]string{"GONGKAI_CONFIG": cfg, "GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-23T09:00:00+08:00"}
	if os.Getenv("GONGKAI_BENCH_DB") == "" {
		// The day before's run, as in daily use: every open event has its
		// reminder marks, which the measured run then updates (the first
		// run of all writes 100,000 new ones, and grows the file).
		prev := map[string]string{"GONGKAI_CONFIG": cfg, "GONGKAI_DB": filled, "GONGKAI_NOW": "2026-11-20T09:00:00+08:00"}
		svc, err := benchService(prev, &timedStore{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.RemindRun(app.WithActor(context.Background(), "bench"), app.RemindInput{}); err != nil {
			b.Fatal(err)
		}
	}
	environ := os.Environ()
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}

	jobs := []struct {
		name string
		args []string
		run  func(svc app.Service, ctx context.Context) error
	}{
		{"remind", []string{"remind"}, func(svc app.Service, ctx context.Context) error {
			_, err := svc.RemindRun(ctx, app.RemindInput{})
			return err
		}},
		{"report", []string{"report", "weekly", "--send"}, func(svc app.Service, ctx context.Context) error {
			_, err := svc.SendWeeklyReport(ctx, app.ReportInput{})
			return err
		}},
		{"check", []string{"check"}, func(svc app.Service, ctx context.Context) error {
			_, err := svc.Check(ctx)
			return err
		}},
	}
	for _, job := range jobs {
		b.Run(job.name, func(b *testing.B) {
			var longest, inside, packing time.Duration
			for b.Loop() {
				fresh(b)
				ts := &timedStore{}
				svc, err := benchService(vars, ts)
				if err != nil {
					b.Fatal(err)
				}
				if err := job.run(svc, app.WithActor(context.Background(), "bench")); err != nil {
					b.Fatal(err)
				}
				if ts.longest > longest {
					longest, inside = ts.longest, ts.inside
				}
				packing = max(packing, ts.packing)
			}
			b.ReportMetric(float64(longest.Microseconds())/1000, "write-ms")
			b.ReportMetric(float64((longest-inside).Microseconds())/1000, "commit-ms")
			b.ReportMetric(float64(packing.Microseconds())/1000, "pack-ms")
		})
		b.Run(job.name+"-process", func(b *testing.B) {
			var rss int64
			for b.Loop() {
				fresh(b)
				c := exec.Command(bin, job.args...)
				c.Dir, c.Env = dir, environ
				if out, err := c.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
				rss = max(rss, c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
			}
			b.ReportMetric(float64(rss)/1024, "maxrss-MiB")
		})
		if job.name == "check" {
			continue
		}
		b.Run(job.name+"-staff-log", func(b *testing.B) {
			var worst time.Duration
			for b.Loop() {
				for _, at := range []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond} {
					fresh(b)
					c := exec.Command(bin, job.args...)
					c.Dir, c.Env = dir, environ
					c.Stdout, c.Stderr = io.Discard, io.Discard
					if err := c.Start(); err != nil {
						b.Fatal(err)
					}
					time.Sleep(at)
					start := time.Now()
					l := exec.Command(bin, "log", "3", "--changed", "--summary", "调整参保登记办理材料", "--date", "2026-11-20", "--by", "张三")
					l.Dir, l.Env = dir, environ
					out, err := l.CombinedOutput()
					wait := time.Since(start)
					if err != nil {
						b.Errorf("a staff log %v into %s: %v (after %v): %s", at, job.name, err, wait, out)
					}
					worst = max(worst, wait)
					if err := c.Wait(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(worst.Microseconds())/1000, "log-wait-ms")
		})
	}
}

// million is the largest database built through the operations (about
// ten minutes here); a larger one is that one grown by growFilled.
const million = 1_000_000

// growFilled builds a database of n events from the million-event one
// (10% open, built first when missing): the events added are closed ones
// of 2025, disclosed on time, each a copy of a closed event of the million
// under a new id and dates, written straight through the store in
// transactions of 50,000 — the operations would take hours. They have no
// audit entries (check would name them), which the jobs measured never
// read: a reminder run reads the open events and their marks, the weekly
// report the open events and the indexes by date of last week.
func growFilled(b *testing.B, path string, n int) {
	base := filepath.Join(os.TempDir(), fmt.Sprintf("gongkai-bench-%d-10.db", million))
	if _, err := os.Stat(base); err != nil {
		fillEventsOpen(b, base+".part", million, 10)
		if err := os.Rename(base+".part", base); err != nil {
			b.Fatal(err)
		}
	}
	if err := copyFileBench(base, path); err != nil {
		b.Fatal(err)
	}
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var template *tracker.Event
	if err := s.View(func(tx tracker.Tx) (err error) {
		template, err = tx.Event(11) // fillEventsOpen discloses this one
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if template.State != tracker.Done {
		b.Fatalf("event 11 of %s is %s, not done", base, template.State)
	}
	cal := calendar.Default()
	for done := million; done < n; {
		err := s.Update(func(tx tracker.Tx) error {
			for i := 0; i < 50_000 && done < n; i, done = i+1, done+1 {
				e := *template
				e.ID = 0
				e.Date = calendar.DateOf(2025, 1, 2).AddDays(done % 360)
				deadline, _, err := cal.AddWorkdays(e.Date, 20)
				if err != nil {
					return err
				}
				e.Deadline, e.ClosedOn = deadline, e.Date.AddDays(3)
				e.Summary = fmt.Sprintf("第%d号：调整办理材料和办理时限", done)
				e.Disclosures = slices.Clone(e.Disclosures)
				for j := range e.Disclosures {
					e.Disclosures[j].Date = e.ClosedOn
				}
				if err := tx.PutEvent(&e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchService is the application layer as the CLI builds it, over store.
func benchService(vars map[string]string, ts *timedStore) (app.Service, error) {
	e := &env{stdin: bytes.NewReader(nil), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	e.cfg = cfg
	now, err := e.clock()
	if err != nil {
		return nil, err
	}
	file := &boltstore.File{Path: e.dbPath()}
	ts.Store = file
	return app.NewLocal(app.Config{Store: ts, Maintenance: file, Now: now, Settings: settings(cfg), Renderer: notify.Renderer{},
		Delivery: func(store tracker.Store) (app.Deliverer, error) { return e.sender(store, now) }}), nil
}

// timedStore measures its write transactions: from asking for the file to
// letting it go.
type timedStore struct {
	tracker.Store
	mu      sync.Mutex
	longest time.Duration
	inside  time.Duration // of the longest write: the time in its function, the rest is the commit
	packing time.Duration // the longest packing of a message's content
}

func (s *timedStore) Update(fn func(tracker.Tx) error) error {
	start := time.Now()
	var inside time.Duration
	err := s.Store.Update(func(tx tracker.Tx) error {
		t := time.Now()
		defer func() { inside = time.Since(t) }()
		return fn(tx)
	})
	d := time.Since(start)
	s.mu.Lock()
	if d > s.longest {
		s.longest, s.inside = d, inside
	}
	s.mu.Unlock()
	return err
}

func copyFileBench(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// On disk before the job starts, as a database in use is: else the
	// job's first commit waits for the whole copy to be written.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// PackMessage packs as the store it measures does, and measures it: a
// large content's chunks are written in transactions of their own, so the
// longest packing bounds them.
func (s *timedStore) PackMessage(m *tracker.Message) error {
	p, ok := s.Store.(tracker.Packer)
	if !ok {
		return nil
	}
	start := time.Now()
	err := p.PackMessage(m)
	d := time.Since(start)
	s.mu.Lock()
	s.packing = max(s.packing, d)
	s.mu.Unlock()
	return err
}
