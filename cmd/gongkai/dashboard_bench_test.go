package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"gongkai/notify"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
	"gongkai/tracker/web"
)

// BenchmarkDashboard serves the dashboard's busiest pages, in process
// (server time: from the request to the last byte of the page), over a
// database of GONGKAI_BENCH_EVENTS events (default 1,000,000), 10% open,
// all of those overdue on the day (the filled database of the other
// benchmarks, built once; its counts are built on first open). Goals:
// under 100 ms at a million events, under 50 ms at 100,000.
//
//	go test ./cmd/gongkai -run XXX -bench Dashboard -timeout 1h
//	GONGKAI_BENCH_EVENTS=100000 go test ./cmd/gongkai -run XXX -bench Dashboard
func BenchmarkDashboard(b *testing.B) {
	n := benchEnv("GONGKAI_BENCH_EVENTS", 1_000_000)
	filled := filledBench(b, n)
	db := filepath.Join(b.TempDir(), "run.db")
	if err := copyFileBench(filled, db); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	store, err := boltstore.Open(db, boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	b.Logf("opened (and upgraded) in %v", time.Since(start))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	hasher, _ := access.NewHasher(access.Params{Memory: 64, Time: 1, Threads: 1}, 2)
	svc := app.NewLocal(app.Config{Store: store, Maintenance: store, Now: func() time.Time { return now }, Hasher: hasher,
		Renderer: notify.Renderer{}})
	local := app.WithActor(context.Background(), "bench")
	created, err := svc.CreateAccount(local, app.AccountInput{Name: "leader", Roles: []access.Role{access.Supervisor}})
	if err != nil {
		b.Fatal(err)
	}
	login, err := svc.Login(app.WithSource(context.Background(), "127.0.0.1"), app.LoginInput{Account: "leader",
		Password: created.Password, NewPassword: "Load-2026-test", Kind: access.WebSession})
	if err != nil {
		b.Fatal(err)
	}
	h := web.New(web.Config{Service: svc, Auth: svc, Now: func() time.Time { return now }})
	for _, page := range []struct{ name, path string }{
		{"overview", "/"},
		{"events-overdue-level1", "/events?status=overdue&level1=" + "养老保险服务"},
		{"events-open", "/events?status=open,overdue"},
		{"events-all", "/events"},
		{"events-text", "/events?text=" + "第12345号"},
		{"events-text-chinese", "/events?text=" + "缴费基数"},
	} {
		b.Run(page.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", page.path, nil)
				req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: login.Token})
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("%s: %d %s", page.path, w.Code, w.Body.String()[:min(500, w.Body.Len())])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
