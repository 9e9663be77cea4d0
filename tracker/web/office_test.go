package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"gongkai/calendar"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/api"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
	"gongkai/tracker/web"
)

// password is every test account's own password, once changed.
const password = "Gongkai-2026!"

// office is the server as gongkai serve makes it, the API and the
// dashboard on one address, over a new database with an account of each
// role (staff of 社保股), on an injected clock.
type office struct {
	t        *testing.T
	svc      *app.Local
	srv      *httptest.Server
	mu       sync.Mutex
	now      time.Time
	onetime  map[access.Role]string // the one-time passwords, before the first login
	accounts map[access.Role]string
}

func (o *office) clock() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.now
}

// advance moves the clock.
func (o *office) advance(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.now = o.now.Add(d)
}

func newOffice(t *testing.T) *office {
	t.Helper()
	file := &boltstore.File{Path: filepath.Join(t.TempDir(), "g.db")}
	h, err := access.NewHasher(access.Params{Memory: 64, Time: 1, Threads: 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	// Friday 2026-11-20, 10:00 in Beijing.
	o := &office{t: t, now: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), onetime: map[access.Role]string{}, accounts: map[access.Role]string{}}
	o.svc = app.NewLocal(app.Config{Store: file, Maintenance: file, Hasher: h, Now: o.clock, Renderer: notify.Renderer{},
		Settings: app.Settings{Recipients: app.Recipients{Officers: []string{"officer@example.gov.cn"}, Supervisors: []string{"leader@example.gov.cn"}}}})
	local := o.local()
	if _, err := o.svc.Init(local); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.PutSection(local, app.SectionInput{Name: "社保股", Level1: []string{"社会保险参保登记"}, New: true}); err != nil {
		t.Fatal(err)
	}
	var mail *notify.SMTP
	a := api.New(api.Config{Service: o.svc, Auth: o.svc, Now: o.clock})
	mux := http.NewServeMux()
	mux.Handle("/api/", a)
	mux.Handle("/", web.New(web.Config{Service: o.svc, Auth: o.svc, Now: o.clock, Log: slog.New(slog.NewTextHandler(testLog{t}, nil)), Source: a.Source, Secure: a.Secure,
		AllowLogin: a.AllowLogin, RenderEvents: notify.EventsAs, RenderWeekly: notify.WeeklyAs,
		Feeds: o.svc, Mail: "邮件服务器 127.0.0.1", ProbeMail: func(ctx context.Context) (string, error) {
			if err := mail.Probe(ctx); err != nil {
				return "", err
			}
			return "已连接邮件服务器（未发信）", nil
		}}))
	mail = &notify.SMTP{Host: "127.0.0.1", Port: smtpServer(t), TLS: "none", HelloName: "gongkai.test", Timeout: 5 * time.Second}
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	for _, r := range access.Roles {
		var sections []string
		if r == access.Staff {
			sections = []string{"社保股"}
		}
		name := "u" + string(r)
		created, err := o.svc.CreateAccount(local, app.AccountInput{Name: name, Display: displayOf[r], Roles: []access.Role{r}, Sections: sections})
		if err != nil {
			t.Fatal(err)
		}
		o.onetime[r], o.accounts[r] = created.Password, name
	}
	return o
}

// testLog writes the server's log into the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

var displayOf = map[access.Role]string{access.Staff: "李经办", access.Officer: "王专员", access.Supervisor: "赵局长",
	access.Admin: "钱管理", access.Auditor: "孙审计"}

// local is the server's own machine, which may do anything.
func (o *office) local() context.Context { return app.WithActor(context.Background(), "local:root") }

// log logs an event of matter on date, on the server's machine.
func (o *office) log(matter, date, summary string) uint64 {
	o.t.Helper()
	d, err := calendar.ParseDate(date)
	if err != nil {
		o.t.Fatal(err)
	}
	ev, err := o.svc.Log(o.local(), app.LogInput{Matter: matter, Kind: tracker.Changed, Date: d, Summary: summary})
	if err != nil {
		o.t.Fatal(err)
	}
	return ev.View.ID
}

// client is a browser without script: a cookie jar that does not follow
// redirects, logged in as role (its password changed at the first login).
func (o *office) client(role access.Role) *http.Client {
	o.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pw := password
	form := url.Values{"account": {o.accounts[role]}, "password": {pw}}
	if one, ok := o.onetime[role]; ok {
		form = url.Values{"account": {o.accounts[role]}, "password": {one}, "new_password": {pw}, "new_password2": {pw}}
		delete(o.onetime, role)
	}
	resp, err := c.PostForm(o.srv.URL+"/login", form)
	if err != nil {
		o.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		o.t.Fatalf("login as %s: %d", role, resp.StatusCode)
	}
	return c
}

// get fetches a path and returns the status, the body and where a
// redirect goes.
func get(t *testing.T, c *http.Client, u string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String(), resp.Header.Get("Location")
}

// smtpServer serves SMTP on a loopback port (go-smtp's server: no TLS, no
// login), for the mail server check; it returns the port.
func smtpServer(t *testing.T) int {
	t.Helper()
	srv := smtp.NewServer(smtpBackend{})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

type smtpBackend struct{}

func (smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession{}, nil }

type smtpSession struct{}

func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (smtpSession) Data(io.Reader) error                 { return nil }
func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }
