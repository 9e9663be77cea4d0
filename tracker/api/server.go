package api

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// Bounds of requests.
const (
	MaxBody       = 1 << 20  // a request's JSON body
	MaxImportBody = 64 << 20 // an import's file
	// Logins: at most loginBurst attempts per account, and per address,
	// in loginWindow; more are refused (429) without being tried.
	loginBurst  = 10
	loginWindow = time.Minute
)

// Authenticator tells who presents a token: app.Local is one.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (*app.Principal, error)
}

// Config is what a Server is made of.
type Config struct {
	Service app.Service
	Auth    Authenticator
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; a request from elsewhere is the address it came from.
	TrustedProxies []netip.Prefix
	Log            *slog.Logger
	// Now is the clock of the rate limits; nil: time.Now.
	Now func() time.Time
	// Version is said by /api/v1/health.
	Version string
	// Backup writes a consistent copy of the database (app.Local); nil:
	// no download.
	Backup interface {
		BackupTo(ctx context.Context, w io.Writer) error
	}
	// RenderWeekly renders a weekly report as html, xlsx or csv
	// (notify.WeeklyAs); nil: JSON only.
	RenderWeekly func(r *tracker.WeeklyReport, format string) ([]byte, error)
	// Local, when set, makes every request one from the server's own
	// machine, done by whom it names ("local:<OS user>"): the handler
	// of the server's socket, which only its user can open. No token is
	// asked for, and no role checked.
	Local func(r *http.Request) string
	// Jobs are the daemon's jobs' runs (app.Jobs.Runs), for the status;
	// nil: none.
	Jobs func(now time.Time) []app.JobRun
	// MaxImport bounds an import's body; 0: MaxImportBody.
	MaxImport int64
}

// Server is the API's handler.
type Server struct {
	cfg      Config
	patterns []string // every route registered, as "METHOD /path"
	mux      *http.ServeMux
	limits   *limiter
	handler  http.Handler
}

// New returns the API's handler.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), limits: newLimiter(cfg.Now)}
	s.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, s.cfg.Log, r, tracker.FieldErrorf(tracker.EForbidden, "origin", "拒绝来自其他网站的修改请求（跨站请求）"))
	}))
	s.handler = cop.Handler(http.HandlerFunc(s.serve))
	return s
}

// Patterns are the routes, as "METHOD /path".
func (s *Server) Patterns() []string { return s.patterns }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// ServeMux would answer in text; the API answers in JSON.
		if allowed := s.allowedMethods(r); len(allowed) > 0 {
			h.Set("Allow", strings.Join(allowed, ", "))
			writeError(w, s.cfg.Log, r, tracker.FieldErrorf(EMethod, FieldEndpoint, "%s 不接受 %s 请求（可用 %s）", r.URL.Path, r.Method, strings.Join(allowed, "、")))
			return
		}
		writeError(w, s.cfg.Log, r, tracker.FieldErrorf(tracker.ENotFound, FieldEndpoint, "没有这个接口：%s %s", r.Method, r.URL.Path))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// allowedMethods are the methods the path has routes for.
func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			out = append(out, m)
		}
	}
	return out
}

// handlerFunc is a route's work: it writes its answer, or returns the
// error to answer with.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route registers a handler that needs an account (open: anyone) and
// reads at most limit bytes of body.
func (s *Server) route(pattern string, open bool, limit int64, h handlerFunc) {
	s.patterns = append(s.patterns, pattern)
	if limit == MaxImportBody && s.cfg.MaxImport > 0 {
		limit = s.cfg.MaxImport
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var ctx context.Context
		switch {
		case s.cfg.Local != nil:
			ctx = app.WithPrincipal(r.Context(), &app.Principal{Account: s.cfg.Local(r), Local: true, Source: "本机"})
		case open:
			ctx = app.WithSource(r.Context(), s.source(r))
		default:
			p, err := s.authenticate(app.WithSource(r.Context(), s.source(r)), r)
			if err != nil {
				writeError(w, s.cfg.Log, r, err)
				return
			}
			ctx = app.WithPrincipal(r.Context(), p) // its Source is the request's already
		}
		if err := h(w, r.WithContext(ctx)); err != nil {
			writeError(w, s.cfg.Log, r, err)
		}
	})
}

// authenticate finds who presents the request's token.
func (s *Server) authenticate(ctx context.Context, r *http.Request) (*app.Principal, error) {
	auth := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if auth == "" {
		// A browser's session: state-changing requests with it from
		// another site are refused before this (CrossOriginProtection).
		if c, err := r.Cookie(SessionCookie); err == nil {
			secret, ok = c.Value, true
		}
	}
	if !ok || secret == "" {
		return nil, tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "未登录：请求没有带登录凭据（Authorization: Bearer），请先登录")
	}
	if len(secret) > 200 {
		return nil, tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "登录凭据无效或已被撤销，请重新登录")
	}
	return s.cfg.Auth.Authenticate(ctx, strings.TrimSpace(secret))
}

// source is the address a request came from: the connection's, or, from
// a trusted proxy, the last address its X-Forwarded-For names that is
// not itself a trusted proxy.
func (s *Server) source(r *http.Request) string {
	addr, ok := peer(r)
	if !ok {
		return r.RemoteAddr // a Unix socket: "@" or ""
	}
	if !s.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a.String()
		}
	}
	return addr.String()
}

// peer is the address the request's connection came from; false for a
// Unix socket's.
func peer(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// fromProxy reports whether the request's connection is a trusted
// proxy's.
func (s *Server) fromProxy(r *http.Request) bool {
	a, ok := peer(r)
	return ok && s.trusted(a)
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// limiter counts recent attempts per key, to refuse a storm of logins.
// Its memory is bounded: keys are short (an account's name or an
// address), those with no attempt in the window are swept, and beyond
// maxKeys keys new ones are refused until the window has passed.
type limiter struct {
	now       func() time.Time
	mu        sync.Mutex
	hit       map[string][]time.Time
	calls     int
	lastSweep int // calls at the last sweep
}

const maxKeys = 100_000

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, hit: map[string][]time.Time{}}
}

// recent returns key's attempts within the window.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	hits := l.hit[key]
	i := 0
	for i < len(hits) && now.Sub(hits[i]) >= loginWindow {
		i++
	}
	return hits[i:]
}

// sweep forgets the keys with no attempt in the window.
func (l *limiter) sweep(now time.Time) {
	for k := range l.hit {
		if len(l.recent(k, now)) == 0 {
			delete(l.hit, k)
		}
	}
}

// allow reports whether every key is within its bound, and only then
// records the attempt for each.
func (l *limiter) allow(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	// A sweep every 1,024 attempts at most: full, it would cost every
	// attempt a pass over the keys.
	if l.calls++; l.calls-l.lastSweep >= 1024 {
		l.sweep(now)
		l.lastSweep = l.calls
	}
	for _, k := range keys {
		r := l.recent(k, now)
		if len(r) >= loginBurst {
			return false
		}
		if len(r) == 0 && len(l.hit) >= maxKeys {
			return false // a flood of names or addresses: refused until the window passes
		}
	}
	for _, k := range keys {
		l.hit[k] = append(l.recent(k, now), now)
	}
	return true
}

// ctxT shortens the signatures of the operations routes take.
type ctxT = context.Context
