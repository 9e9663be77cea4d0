package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// SessionCookie is the cookie of a browser's session: the same as the
// API's, so that a page's scripts may call the API as the page's user.
const SessionCookie = "gongkai_session"

// Bounds of requests.
const (
	maxForm   = 64 << 10 // a form's body
	maxUpload = 16 << 20 // an import's file
)

// Authenticator tells who presents a session: app.Local is one.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (*app.Principal, error)
}

// Config is what a Server is made of.
type Config struct {
	Service app.Service
	Auth    Authenticator
	Log     *slog.Logger
	// Now is the clock of the pages' "today" when the service has no
	// other; nil: time.Now.
	Now func() time.Time
	// Source is the address a request came from (the API's rule for
	// trusted proxies); nil: the connection's.
	Source func(r *http.Request) string
	// Secure reports whether the browser reached the server over TLS
	// (directly or through a trusted proxy): the cookie is then Secure.
	Secure func(r *http.Request) bool
	// AllowLogin, when set, is asked before a login is tried: false
	// refuses it as too frequent (the API's limits, shared).
	AllowLogin func(r *http.Request, account string) bool
	// RenderWeekly renders a weekly report as xlsx (notify.WeeklyAs); nil:
	// no download.
	RenderWeekly func(r *tracker.WeeklyReport, format string) ([]byte, error)
	// RenderEvents writes a list of events as xlsx or CSV for people
	// (notify.EventsAs); nil: no export.
	RenderEvents func(list *app.EventList, format string) ([]byte, error)
	Version      string
	// Jobs are the daemon's jobs' runs (app.Jobs.Runs); nil: none shown.
	Jobs func(now time.Time) []app.JobRun
	// ProbeMail connects to the mail server without sending and says
	// what it verified (notify.ProbeFor); Mail says how mail goes out.
	ProbeMail func(ctx context.Context) (string, error)
	Mail      string
	// Feeds are the calendar feeds (app.Local); nil: none.
	Feeds app.Feeds
	// PublicURL is where people reach the dashboard ([server]
	// public_url): the feeds' links; "": the request's own address.
	PublicURL string
}

// Server is the dashboard's handler.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	patterns []string
	handler  http.Handler
	pages    *pages
}

// New returns the dashboard's handler.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Source == nil {
		cfg.Source = func(r *http.Request) string { return r.RemoteAddr }
	}
	if cfg.Secure == nil {
		cfg.Secure = func(r *http.Request) bool { return r.TLS != nil }
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), pages: mustParse()}
	s.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, nil, tracker.FieldErrorf(tracker.EForbidden, "origin", "拒绝来自其他网站的提交（跨站请求）：请从本系统的页面上操作"))
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
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	// Everything the pages use is the server's own: no inline script, no
	// other site.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.fail(w, r, nil, tracker.FieldErrorf(tracker.ENotFound, "path", "没有这个页面：%s", r.URL.Path))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// request is one request to a page: who asks, and when.
type request struct {
	*http.Request
	me    *app.Principal // nil on a public page
	today calendar.Date
}

// can reports whether the viewer may do op.
func (q *request) can(op access.Operation) bool {
	return q.me != nil && (q.me.Local || access.Allowed(q.me.Roles, op))
}

// handler is a page's work: it writes its answer, or returns the error
// to answer with.
type handler func(w http.ResponseWriter, q *request) error

// route registers a page that needs a session whose roles allow op
// (deny by default: the page is refused before it reads anything).
func (s *Server) route(pattern string, op access.Operation, limit int64, h handler) {
	s.handle(pattern, false, limit, func(w http.ResponseWriter, q *request) error {
		if !q.can(op) {
			return access.Check(q.me.Roles, op)
		}
		return h(w, q)
	})
}

// public registers a page anyone may open: those of PublicRoutes.
func (s *Server) public(pattern string, limit int64, h handler) { s.handle(pattern, true, limit, h) }

func (s *Server) handle(pattern string, public bool, limit int64, h handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if limit > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		q := &request{Request: r, today: calendar.Today(s.cfg.Now())}
		ctx := app.WithSource(r.Context(), s.cfg.Source(r))
		if !public {
			p, err := s.session(ctx, r)
			if err != nil {
				s.toLogin(w, r, err)
				return
			}
			q.me = p
			ctx = app.WithPrincipal(r.Context(), p)
			if p.MustChange && r.URL.Path != "/password" && r.URL.Path != "/logout" {
				s.redirect(w, r, "/password")
				return
			}
		}
		q.Request = r.WithContext(ctx)
		if err := h(w, q); err != nil {
			s.fail(w, q.Request, q.me, err)
		}
	})
}

// PublicRoutes are the routes that need no session.
var PublicRoutes = []string{"GET /login", "POST /login", "GET /static/", "GET /ical/{secret}"}

// session finds who the request's cookie belongs to.
func (s *Server) session(ctx context.Context, r *http.Request) (*app.Principal, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 200 {
		return nil, tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "请先登录")
	}
	return s.cfg.Auth.Authenticate(ctx, c.Value)
}

// toLogin sends one without a valid session to the login page, saying
// why (an ended session: the idle timeout), and then back.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request, err error) {
	v := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		v.Set("next", r.URL.RequestURI())
	}
	if _, cerr := r.Cookie(SessionCookie); cerr == nil {
		// A cookie that no longer works: say why, and drop it.
		if e := tracker.AsError(err); e != nil && e.Code == tracker.EUnauthenticated {
			v.Set("why", "ended")
			if strings.Contains(e.Message, "未操作") {
				v.Set("why", "idle")
			}
		}
		s.dropCookie(w, r)
	}
	target := "/login"
	if len(v) > 0 {
		target += "?" + v.Encode()
	}
	s.redirect(w, r, target)
}

// redirect sends the browser to target: htmx's requests by its header,
// others by a 303.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// setCookie gives the browser its session: a cookie of the browser's
// session, which the server ends (idle, or after its life) whatever the
// browser's clock says.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, value string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.cfg.Secure(r)})
}

func (s *Server) dropCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.cfg.Secure(r), MaxAge: -1})
}

// statusOf is the HTTP status of each error code.
var statusOf = map[string]int{
	tracker.EInvalid:         http.StatusBadRequest,
	tracker.EUnauthenticated: http.StatusUnauthorized,
	tracker.EForbidden:       http.StatusForbidden,
	tracker.EMustChange:      http.StatusForbidden,
	tracker.ENotFound:        http.StatusNotFound,
	tracker.EConflict:        http.StatusConflict,
	tracker.ELocked:          http.StatusLocked,
	tracker.EBusy:            http.StatusServiceUnavailable,
	tracker.EUnavailable:     http.StatusServiceUnavailable,
	eTooMany:                 http.StatusTooManyRequests,
	eTooLarge:                http.StatusRequestEntityTooLarge,
}

const (
	eTooMany  = "too_many_requests"
	eTooLarge = "too_large"
)

// status is the HTTP status of err.
func status(err error) int {
	if e := tracker.AsError(err); e != nil {
		if st, ok := statusOf[e.Code]; ok {
			return st
		}
	}
	return http.StatusInternalServerError
}

// message is what people read of err: the domain's sentence, or, for a
// failure of the machine, a sentence whose detail goes to the log.
func (s *Server) message(r *http.Request, err error) *tracker.Error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tracker.FieldErrorf(eTooLarge, "body", "提交的内容太大：至多 %d 字节", tooBig.Limit)
	}
	if e := tracker.AsError(err); e != nil {
		if status(err) >= 500 {
			s.cfg.Log.Error("page failed", "method", r.Method, "path", r.URL.Path, "error", err)
		}
		return e
	}
	s.cfg.Log.Error("page failed", "method", r.Method, "path", r.URL.Path, "error", err)
	return &tracker.Error{Code: "internal", Message: "服务器内部错误，请联系系统管理员查看服务器日志"}
}

// fail answers with an error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, me *app.Principal, err error) {
	e := s.message(r, err)
	st := status(e)
	s.render(w, r, st, "error", &view{Title: "出错了", Me: me, Error: e, Data: st})
}
