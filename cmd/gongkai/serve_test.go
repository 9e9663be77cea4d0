package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
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

// daemonRun is gongkai serve in the test's process, on a schedule the test
// fires and a ticker it drives.
type daemonRun struct {
	sched  *handScheduler
	tick   chan time.Time
	hup    chan os.Signal
	logs   *syncBuffer
	steps  chan string
	done   chan error
	cancel func()
	t      *testing.T
}

// startServe starts the daemon with the environment vars and waits until
// it has started (made up what it missed).
func startServe(t *testing.T, vars map[string]string) *daemonRun {
	t.Helper()
	d := &daemonRun{tick: make(chan time.Time), hup: make(chan os.Signal, 1), logs: &syncBuffer{},
		steps: make(chan string), done: make(chan error, 1), t: t}
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: d.logs, getenv: func(k string) string { return vars[k] }}
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	clk := daemonClock{
		scheduler: func(*slog.Logger) scheduler { d.sched = &handScheduler{jobs: map[string]func(){}}; return d.sched },
		tick:      d.tick,
		done:      d.steps,
		fakeClock: true, // the tests' GONGKAI_NOW
		listen:    "127.0.0.1:0",
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- e.serve(ctx, d.hup, clk) }()
	d.expect("started")
	return d
}

// expect waits for the daemon's next step.
func (d *daemonRun) expect(want string) {
	d.t.Helper()
	select {
	case got := <-d.steps:
		if got != want {
			d.t.Fatalf("daemon: %q, want %q\n%s", got, want, d.logs.String())
		}
	case err := <-d.done:
		d.t.Fatalf("serve ended before %q: %v\n%s", want, err, d.logs.String())
	}
}

// stop stops the daemon as SIGTERM does.
func (d *daemonRun) stop() {
	d.t.Helper()
	d.cancel()
	if err := <-d.done; err != nil {
		d.t.Fatalf("serve: %v", err)
	}
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

	d := startServe(t, vars)
	sched, tick, hup, logs, expect := d.sched, d.tick, d.hup, d.logs, d.expect

	// Made up at start: the officer's digest and the Monday report.
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

	d.stop()
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

// Started at 02:00 on a working day, the daemon sends nothing in the night:
// today's reminders go out at the configured time, what was missed with
// them.
func TestServeAtNight(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gongkai.toml")
	os.WriteFile(cfgPath, []byte("database = \"g.db\"\n[recipients]\nofficers = [\"officer@example.gov.cn\"]\nsupervisors = [\"leader@example.gov.cn\"]\n"), 0o600)
	vars := map[string]string{"GONGKAI_CONFIG": cfgPath, "GONGKAI_NOW": "2026-11-30T02:00:00+08:00"}
	for _, args := range [][]string{{"init"}, {"log", "71", "--formed", "--summary", "抚恤金标准", "--date", "2026-10-20"}} {
		if code, _, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatal(stderr)
		}
	}
	outbox := filepath.Join(dir, "outbox") // beside the database: no outbox_dir
	d := startServe(t, vars)
	if got := emls(outbox); len(got) != 0 {
		t.Fatalf("sent at 02:00: %v", got)
	}
	if code, out, _ := runIn(t, vars, "outbox"); code != 0 || !strings.Contains(out, "发件箱是空的") {
		t.Errorf("queued at 02:00: %s", out)
	}
	if !strings.Contains(d.logs.String(), "nothing to make up before today's reminder time") {
		t.Errorf("log: %s", d.logs.String())
	}
	d.sched.fire(t, config.Default().Schedule.Reminders)
	if got := strings.Join(emls(outbox), " "); !strings.Contains(got, "digest_2026-11-30_officer") || !strings.Contains(got, "digest_2026-11-30_leader") {
		t.Errorf("at the reminder time: %s", got)
	}
	d.stop()
}

// The daemon's log says why each message did not go out: a retry at warn,
// a failure for good and a fault of the setup at error, with the reason.
func TestServeLogsWhy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	for _, tc := range []struct {
		name  string
		port  int
		level string
		says  []string
	}{
		{"try again later", refusingSMTP(t, 451), "WARN", []string{"message not sent; retrying later", "451 refused by the test"}},
		{"never", refusingSMTP(t, 550), "ERROR", []string{"message failed for good", "550 refused by the test"}},
		{"no server", closed, "ERROR", []string{"sending stopped: a fault of the setup", "对方拒绝连接", "封邮件在等待"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath := filepath.Join(dir, "gongkai.toml")
			os.WriteFile(cfgPath, []byte(fmt.Sprintf("database = \"g.db\"\n[recipients]\nofficers = [\"officer@example.gov.cn\"]\n"+
				"[smtp]\nhost = \"127.0.0.1\"\nport = %d\ntls = \"none\"\nfrom = \"gongkai@example.gov.cn\"\n", tc.port)), 0o600)
			vars := map[string]string{"GONGKAI_CONFIG": cfgPath, "GONGKAI_NOW": "2026-11-27T09:30:00+08:00"}
			for _, args := range [][]string{{"init"}, {"log", "71", "--formed", "--summary", "抚恤金标准", "--date", "2026-10-20"}} {
				if code, _, stderr := runIn(t, vars, args...); code != 0 {
					t.Fatal(stderr)
				}
			}
			d := startServe(t, vars)
			d.stop()
			logs := d.logs.String()
			line := ""
			for _, l := range strings.Split(logs, "\n") {
				if strings.Contains(l, tc.says[0]) {
					line = l
				}
			}
			if !strings.Contains(line, "level="+tc.level) {
				t.Fatalf("no %s line saying %q:\n%s", tc.level, tc.says[0], logs)
			}
			for _, w := range tc.says[1:] {
				if !strings.Contains(line, w) {
					t.Errorf("%q does not say %q", line, w)
				}
			}
		})
	}
}

// A client that sends its headers slowly (or never finishes them) is cut
// off after the header timeout: it cannot hold a connection open.
func TestServeCutsSlowClients(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GONGKAI_DB": filepath.Join(dir, "g.db"), "GONGKAI_NOW": "2026-11-30T09:30:00+08:00"}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	cfg := config.Default()
	d, addr := serveWith(t, vars, cfg, daemonClock{fakeClock: true, headerTimeout: 300 * time.Millisecond})
	defer d.stop()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /api/v1/health HTTP/1.1\r\nHost: gongkai\r\n") // and no end of the headers
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err == nil && !strings.Contains(string(buf[:n]), "408") {
		t.Errorf("the server answered a request whose headers never ended: %q", buf[:n])
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept the slow client's connection open for 5 s")
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("cut off after %v", waited)
	}
}

// The server runs on the machine's clock: GONGKAI_NOW is ignored, and
// said to be, unless it is started with --fake-clock.
func TestServeIgnoresGongkaiNow(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GONGKAI_DB": filepath.Join(dir, "g.db"), "GONGKAI_NOW": "2026-11-30T09:30:00+08:00"}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	cfg := config.Default()
	d, _ := serveWith(t, vars, cfg, daemonClock{})
	// An event logged through the socket is logged on the machine's
	// day, not GONGKAI_NOW's.
	code, out, stderr := runIn(t, map[string]string{"GONGKAI_DB": vars["GONGKAI_DB"]}, "log", "3", "--changed", "--summary", "时钟测试", "--format", "json")
	d.stop()
	if code != 0 {
		t.Fatalf("log through the socket: %d %s", code, stderr)
	}
	if !strings.Contains(d.logs.String(), "GONGKAI_NOW is ignored") {
		t.Errorf("the server did not say it ignores GONGKAI_NOW:\n%s", d.logs.String())
	}
	if strings.Contains(out, `"date": "2026-11-30"`) || !strings.Contains(out, `"date": "`) {
		t.Errorf("logged on GONGKAI_NOW's day, not the machine's:\n%s", out)
	}
}

// With tls_cert and tls_key the server speaks HTTPS (TLS 1.2 at least),
// and nothing else.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, certPEM, 0o600)
	os.WriteFile(key, keyPEM, 0o600)
	vars := map[string]string{"GONGKAI_DB": filepath.Join(dir, "g.db")}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	cfg := config.Default()
	cfg.Server.TLSCert, cfg.Server.TLSKey = cert, key
	d, addr := serveWith(t, vars, cfg, daemonClock{})
	defer d.stop()
	at := addr
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}}
	resp, err := client.Get("https://" + at + "/api/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("HTTPS: %d, TLS %v", resp.StatusCode, resp.TLS)
	}
	if resp, err := http.Get("http://" + at + "/api/v1/health"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered beside HTTPS")
		}
	}
}

// selfSigned makes a certificate for 127.0.0.1 and its key, as PEM.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gongkai test"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

// serveWith runs the daemon in this process with a configuration and a
// clock of the test's (its scheduler the test's hands, its ticker the
// test's), until the test ends; it returns the run and the address the
// API listens on.
func serveWith(t *testing.T, vars map[string]string, cfg *config.Config, clk daemonClock) (*daemonRun, string) {
	d := &daemonRun{tick: make(chan time.Time), hup: make(chan os.Signal, 1), logs: &syncBuffer{},
		steps: make(chan string), done: make(chan error, 1), t: t}
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: d.logs, getenv: func(k string) string { return vars[k] }}
	e.cfg = cfg
	addr := make(chan string, 1)
	clk.scheduler = func(*slog.Logger) scheduler { return &handScheduler{jobs: map[string]func(){}} }
	clk.tick, clk.done, clk.listening = d.tick, d.steps, addr
	if clk.listen == "" {
		clk.listen = "127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- e.serve(ctx, d.hup, clk) }()
	d.expect("started")
	return d, <-addr
}
