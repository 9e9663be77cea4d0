package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/api"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// BenchmarkServerLoad is the office's server under load, over HTTP on
// loopback with durable commits (each event acknowledged once its
// transaction is synced to disk): 64 clients logging events, 16 readers
// listing the open events a page (50) at a time, and a reminder run over
// the whole database (every open event overdue: the worst case) started
// with them. The database has GONGKAI_BENCH_EVENTS events (default
// 1,000,000), 10% open, built once in the temporary folder as
// BenchmarkDaemonJobs builds it:
//
//	go test ./cmd/gongkai -run XXX -bench ServerLoad -benchtime 1x -timeout 1h
//
// paced: the clients offer GONGKAI_BENCH_RATE events/s between them
// (default 2,000) and the readers 10 lists/s each, each latency measured
// from when its request was due (a server that falls behind counts the
// wait); goals: every offered event acknowledged, p99 under 50 ms, the
// readers' p99 under 20 ms. max: the clients send as fast as they are
// answered, no readers, no reminder run: the most the server takes.
// Metrics: events/s, log-p50-ms, log-p99-ms, lists/s, list-p99-ms,
// remind-s (the reminder run, alongside).
func BenchmarkServerLoad(b *testing.B) {
	b.Run("paced", func(b *testing.B) { serverLoad(b, benchEnv("GONGKAI_BENCH_RATE", 2000), true) })
	b.Run("max", func(b *testing.B) { serverLoad(b, 0, false) })
}

// filledBench is the database of n events, 10% open, that the server's
// benchmarks share: built once, kept in the temporary folder.
func filledBench(b *testing.B, n int) string {
	filled := filepath.Join(os.TempDir(), fmt.Sprintf("gongkai-bench-%d-%d.db", n, 10))
	if _, err := os.Stat(filled); err != nil {
		start := time.Now()
		fillEventsOpen(b, filled+".part", n, 10)
		if err := os.Rename(filled+".part", filled); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s in %v", filled, time.Since(start))
	}
	return filled
}

// serverLoad runs the load at rate events/s (0: as fast as answered),
// with the readers and the reminder run when busy.
func serverLoad(b *testing.B, rate int, busy bool) {
	n := benchEnv("GONGKAI_BENCH_EVENTS", 1_000_000)
	seconds := benchEnv("GONGKAI_BENCH_SECONDS", 10)
	filled := filledBench(b, n)
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		db := filepath.Join(dir, "run.db")
		if err := copyFileBench(filled, db); err != nil {
			b.Fatal(err)
		}
		store, err := boltstore.Open(db, boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		// As gongkai serve: the jobs leave a core to the requests, and the
		// heap's soft limit and GOGC are the server's.
		tracker.SetCores(runtime.GOMAXPROCS(0) - 1)
		defer tracker.SetCores(0)
		tracker.SetPace(benchEnv("GONGKAI_BENCH_PACE", serverJobPace))
		defer tracker.SetPace(0)
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(serverMemoryLimit))
		defer debug.SetGCPercent(debug.SetGCPercent(serverGCPercent))
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		hasher, _ := access.NewHasher(access.Params{Memory: 64, Time: 1, Threads: 1}, 2)
		svc := app.NewLocal(app.Config{Store: store, Maintenance: store, Now: func() time.Time { return now }, Hasher: hasher,
			Settings: app.Settings{Reminders: tracker.ReminderRules{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5},
				Recipients: app.Recipients{Officers: []string{"officer@example.gov.cn"}, Supervisors: []string{"leader@example.gov.cn"}}},
			Renderer: notify.Renderer{},
		})
		srv := httptest.NewServer(api.New(api.Config{Service: svc, Auth: svc}))
		token := benchToken(b, svc, srv.URL)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
		b.StartTimer()

		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
		var logs, lists benchLatencies
		var failed atomic.Int64
		var wg sync.WaitGroup
		remindDone := make(chan time.Duration, 1)
		if busy && os.Getenv("GONGKAI_BENCH_NO_REMIND") == "" {
			go func() {
				start := time.Now()
				if _, err := svc.RemindRun(app.WithActor(context.Background(), "bench"), app.RemindInput{}); err != nil {
					b.Error(err)
				}
				remindDone <- time.Since(start)
			}()
		} else {
			remindDone <- 0
		}
		begin := time.Now()
		// paced returns when the i-th request of a client due every
		// period (offset by phase) is due, waiting for it.
		paced := func(period, phase time.Duration, i int) time.Time {
			due := begin.Add(phase + time.Duration(i)*period)
			time.Sleep(time.Until(due))
			return due
		}
		const writers, readers = 64, 16
		for w := range writers {
			wg.Go(func() {
				var period time.Duration
				if rate > 0 {
					period = time.Duration(writers) * time.Second / time.Duration(rate)
				}
				for i := 0; ctx.Err() == nil; i++ {
					body := fmt.Sprintf(`{"matter":"%d","kind":"changed","date":"2026-11-20","summary":"压测第%d-%d件"}`, 1+(w+i)%81, w, i)
					t := time.Now()
					if rate > 0 {
						t = paced(period, period*time.Duration(w)/writers, i)
						if ctx.Err() != nil {
							return
						}
					}
					if benchDo(client, "POST", srv.URL+"/api/v1/events", token, body) != http.StatusCreated {
						failed.Add(1)
						continue
					}
					logs.add(time.Since(t))
				}
			})
		}
		for r := range readers {
			if !busy {
				break
			}
			wg.Go(func() {
				period := 100 * time.Millisecond
				for i := 0; ctx.Err() == nil; i++ {
					t := paced(period, period*time.Duration(r)/readers, i)
					if ctx.Err() != nil {
						return
					}
					if benchDo(client, "GET", srv.URL+"/api/v1/events?open=true&limit=50", token, "") != http.StatusOK {
						failed.Add(1)
						continue
					}
					lists.add(time.Since(t))
				}
			})
		}
		wg.Wait()
		cancel()
		remind := <-remindDone
		b.StopTimer()
		srv.Close()
		store.Close()
		if failed.Load() > 0 {
			b.Errorf("%d requests failed", failed.Load())
		}
		b.ReportMetric(float64(logs.count())/float64(seconds), "events/s")
		b.ReportMetric(logs.quantile(0.50), "log-p50-ms")
		b.ReportMetric(logs.quantile(0.99), "log-p99-ms")
		if busy {
			b.ReportMetric(float64(lists.count())/float64(seconds), "lists/s")
			b.ReportMetric(lists.quantile(0.99), "list-p99-ms")
			b.ReportMetric(remind.Seconds(), "remind-s")
		}
		b.StartTimer()
	}
}

// benchToken makes an officer and returns a token of theirs.
func benchToken(b *testing.B, svc *app.Local, url string) string {
	local := app.WithActor(context.Background(), "bench")
	created, err := svc.CreateAccount(local, app.AccountInput{Name: "bench", Roles: []access.Role{access.Officer}})
	if err != nil {
		b.Fatal(err)
	}
	r, err := svc.Login(app.WithSource(context.Background(), "127.0.0.1"), app.LoginInput{Account: "bench", Password: created.Password, NewPassword: "Load-2026-test"})
	if err != nil {
		b.Fatal(err)
	}
	return r.Token
}

func benchDo(c *http.Client, method, url, token, body string) int {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// benchLatencies collects latencies from many goroutines.
type benchLatencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *benchLatencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }
func (l *benchLatencies) count() int          { l.mu.Lock(); defer l.mu.Unlock(); return len(l.d) }

// quantile returns the q-quantile in milliseconds.
func (l *benchLatencies) quantile(q float64) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return float64(s[int(q*float64(len(s)-1))]) / float64(time.Millisecond)
}
