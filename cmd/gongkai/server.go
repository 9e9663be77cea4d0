package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/user"
	"sync/atomic"
	"time"

	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/api"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
	"gongkai/tracker/web"
)

// socketPath is where the server's socket is: beside the database.
func socketPath(db string) string { return db + ".sock" }

// holdDatabase opens the database for the server's lifetime; the
// service then runs on it (newService).
func (e *env) holdDatabase() (*boltstore.Store, error) {
	cfg := e.config()
	mode, _ := cfg.Mode()
	wait, _ := cfg.LockWaitDuration()
	path := e.dbPath()
	s, err := boltstore.Open(path, boltstore.Options{Mode: mode, Timeout: wait, Upgrading: func() {
		fmt.Fprintf(e.stderr, "gongkai: 数据库 %s 由较早版本的 gongkai 写入，正在升级格式（只需一次）……\n", path)
	}})
	if err != nil {
		return nil, err
	}
	e.held, e.svc = s, nil
	return s, nil
}

// webServer is the API on its TCP address and on its socket.
type webServer struct {
	tcp, unix   *http.Server
	tcpHandler  atomic.Pointer[http.Handler]
	unixHandler atomic.Pointer[http.Handler]
	socket      string
	e           *env
	log         *slog.Logger
	// jobs are the daemon's, once started: the status shows their runs.
	jobs atomic.Pointer[app.Jobs]
}

// runs are the daemon's jobs' runs, for the status.
func (w *webServer) runs(now time.Time) []app.JobRun {
	if j := w.jobs.Load(); j != nil {
		return j.Runs(now)
	}
	return nil
}

// Bounds of connections: a slow client cannot hold one open by dribbling
// its headers, an import or a backup may take minutes.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 30 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownWait      = 30 * time.Second
)

// startServer listens on [server] listen and on the socket beside the
// database, and serves the API over svc.
func (e *env) startServer(svc *app.Local, log *slog.Logger, clk daemonClock) (*webServer, error) {
	cfg := e.config().Server
	w := &webServer{e: e, log: log, socket: socketPath(e.dbPath())}
	w.use(svc)
	listen := cfg.Listen
	if clk.listen != "" {
		listen = clk.listen
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, &tracker.Error{Code: tracker.EUnavailable, Field: "server.listen", Err: err,
			Message: fmt.Sprintf("无法在 %s 上监听（[server] listen）：%s", listen, tracker.OSProblem(err))}
	}
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	headerTimeout := readHeaderTimeout
	if clk.headerTimeout > 0 {
		headerTimeout = clk.headerTimeout
	}
	w.tcp = &http.Server{Handler: handlerOf(&w.tcpHandler), ReadHeaderTimeout: headerTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes, ErrorLog: errLog}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, &config.Error{File: e.config().File, Key: "server.tls_cert", Message: "证书或私钥无法使用：" + err.Error()}
		}
		w.tcp.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, w.tcp.TLSConfig)
	}
	// The socket: a stale one (a server killed) is replaced; the
	// database's lock, which this process holds, says none other runs.
	os.Remove(w.socket)
	uln, err := listenSocket(w.socket)
	switch {
	case errors.Is(err, errNoSocket):
		log.Warn("no socket on this system: on this machine too, the CLI logs in to the server", "reason", err)
		w.socket, uln = "", nil
	case err != nil:
		ln.Close()
		return nil, &tracker.Error{Code: tracker.EUnavailable, Field: tracker.FieldDatabase, Err: err,
			Message: fmt.Sprintf("无法在数据库旁边建立套接字 %s：%s", w.socket, tracker.OSProblem(err))}
	}
	w.unix = &http.Server{Handler: handlerOf(&w.unixHandler), ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout,
		MaxHeaderBytes: maxHeaderBytes, ErrorLog: errLog,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, peerKey{}, peerUser(c))
		}}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	log.Info("gongkai serve listening", "dashboard", scheme+"://"+ln.Addr().String()+"/", "api", scheme+"://"+ln.Addr().String()+"/api/v1", "socket", w.socket)
	if clk.listening != nil {
		clk.listening <- ln.Addr().String()
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); len(cfg.TrustedProxies) == 0 && config.IsLoopback(host) {
		log.Info("listening on this machine only: behind a reverse proxy, name it in [server] trusted_proxies, or every desk counts as the proxy's address (audit, login limits)")
	}
	go w.serve(w.tcp, ln)
	if uln != nil {
		go w.serve(w.unix, uln)
	}
	return w, nil
}

type peerKey struct{}

func handlerOf(p *atomic.Pointer[http.Handler]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*p.Load()).ServeHTTP(w, r) })
}

// use serves svc from now on (a configuration reloaded).
func (w *webServer) use(svc *app.Local) {
	cfg := w.e.config().Server
	var proxies []netip.Prefix
	for _, p := range cfg.TrustedProxies {
		if pr, err := config.ParseProxy(p); err == nil {
			proxies = append(proxies, pr)
		}
	}
	base := api.Config{Service: svc, Auth: svc, Backup: svc, TrustedProxies: proxies, Log: w.log, Version: version, Jobs: w.runs,
		RenderWeekly: func(r *tracker.WeeklyReport, format string) ([]byte, error) { return notify.WeeklyAs(r, format) }}
	apiServer := api.New(base)
	dashboard := web.New(web.Config{Service: svc, Auth: svc, Log: w.log, Version: version,
		Source: apiServer.Source, Secure: apiServer.Secure, AllowLogin: apiServer.AllowLogin,
		RenderWeekly: base.RenderWeekly, RenderEvents: notify.EventsAs, Jobs: w.runs, Mail: w.e.transportName(),
		ProbeMail: func(ctx context.Context) (string, error) { return notify.ProbeFor(ctx, w.e.config(), os.Getenv) },
		Feeds:     svc, PublicURL: cfg.PublicURL})
	tcpMux := http.NewServeMux()
	tcpMux.Handle("/api/", apiServer)
	tcpMux.Handle("/", dashboard)
	var tcp http.Handler = tcpMux
	local := base
	local.Local = func(r *http.Request) string {
		who, _ := r.Context().Value(peerKey{}).(string)
		if who == "" {
			if u, err := user.Current(); err == nil {
				who = u.Username
			}
		}
		return "local:" + who
	}
	local.MaxImport = 1 << 30
	var unix http.Handler = api.New(local)
	w.tcpHandler.Store(&tcp)
	w.unixHandler.Store(&unix)
}

// serve serves ln until the server is shut down; a failure before is
// logged (the other listener, and the jobs, go on).
func (w *webServer) serve(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		w.log.Error("stopped serving", "addr", ln.Addr().String(), "err", err)
	}
}

// shutdown stops taking requests and waits for those in flight.
func (w *webServer) shutdown(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	for _, s := range []*http.Server{w.tcp, w.unix} {
		if err := s.Shutdown(ctx); err != nil {
			log.Warn("requests still running at shutdown", "err", err)
		}
	}
	if w.socket != "" {
		os.Remove(w.socket)
	}
}

// close stops at once (serve returning on an error).
func (w *webServer) close() {
	w.tcp.Close()
	w.unix.Close()
	if w.socket != "" {
		os.Remove(w.socket)
	}
}
