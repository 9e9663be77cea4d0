package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/api"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

const password = "Gongkai-2026!"

// office is a server over a new database with an account of each role
// (staff of 社保股), each logged in.
type office struct {
	t      *testing.T
	svc    *app.Local
	srv    *httptest.Server
	now    time.Time
	tokens map[access.Role]string
}

func newOffice(t *testing.T) *office {
	t.Helper()
	file := &boltstore.File{Path: filepath.Join(t.TempDir(), "g.db")}
	h, err := access.NewHasher(access.Params{Memory: 64, Time: 1, Threads: 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	o := &office{t: t, now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), tokens: map[access.Role]string{}}
	o.svc = app.NewLocal(app.Config{Store: file, Maintenance: file, Hasher: h, Now: func() time.Time { return o.now }})
	local := app.WithActor(context.Background(), "local:root")
	if _, err := o.svc.Init(local); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.PutSection(local, app.SectionInput{Name: "社保股", Level1: []string{"社会保险参保登记"}, New: true}); err != nil {
		t.Fatal(err)
	}
	o.srv = httptest.NewServer(conformance(t, api.New(api.Config{Service: o.svc, Auth: o.svc, Backup: o.svc, Now: func() time.Time { return o.now },
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})))
	t.Cleanup(o.srv.Close)
	for _, r := range access.Roles {
		var sections []string
		if r == access.Staff {
			sections = []string{"社保股"}
		}
		created, err := o.svc.CreateAccount(local, app.AccountInput{Name: "u" + string(r), Roles: []access.Role{r}, Sections: sections})
		if err != nil {
			t.Fatal(err)
		}
		var res app.LoginResult
		o.mustDo("", "POST", "/api/v1/login", map[string]any{"account": "u" + string(r), "password": created.Password, "new_password": password}, 200, &res)
		o.tokens[r] = res.Token
	}
	return o
}

// do sends a request with a token ("" for none) and a JSON body (a
// string is sent as it is), and returns the status and body.
func (o *office) do(token, method, path string, body any, header ...string) (int, []byte, http.Header) {
	o.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			o.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, o.srv.URL+path, rd)
	if err != nil {
		o.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (o *office) mustDo(token, method, path string, body any, status int, out any) {
	o.t.Helper()
	got, b, _ := o.do(token, method, path, body)
	if got != status {
		o.t.Fatalf("%s %s: %d %s, want %d", method, path, got, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			o.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
}

// wantError checks an error body: its code and field.
func wantError(t *testing.T, what string, status int, b []byte, wantStatus int, code, field string) {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(b, &e); err != nil || status != wantStatus || e.Code != code || e.Field != field || e.Message == "" {
		t.Errorf("%s: %d %s; want %d with code %q field %q", what, status, b, wantStatus, code, field)
	}
}

// lastAction is the last audit entry's action.
func (o *office) lastAction() string {
	l, err := o.svc.Audit(app.WithActor(context.Background(), "local:root"), app.AuditQuery{})
	if err != nil || len(l.Entries) == 0 {
		o.t.Fatal(err)
	}
	return l.Entries[len(l.Entries)-1].Action
}

// auditCount is how many audit entries the log holds.
func (o *office) auditCount() int {
	l, err := o.svc.Audit(app.WithActor(context.Background(), "local:root"), app.AuditQuery{})
	if err != nil {
		o.t.Fatal(err)
	}
	return len(l.Entries)
}

// Every route, as nobody and as each role: 401 without a token, 403 for
// a role the table refuses, anything else for one it allows; a refused
// request writes nothing.
func TestEveryRoutePerRole(t *testing.T) {
	o := newOffice(t)
	// An event to act on, logged by the officer.
	var ev app.EventDetail
	o.mustDo(o.tokens[access.Officer], "POST", "/api/v1/events", map[string]any{"matter": "3", "kind": "changed", "summary": "调整参保登记办理材料"}, 201, &ev)
	id := ev.View.ID
	routes := []struct {
		method, path string
		body         any
		op           access.Operation
	}{
		{"GET", "/api/v1/whoami", nil, access.OpOwnAccount},
		{"GET", "/api/v1/tokens", nil, access.OpOwnAccount},
		{"POST", "/api/v1/password", map[string]string{"current": "x", "new": "y"}, access.OpOwnAccount},
		{"DELETE", "/api/v1/tokens/000000000000", nil, access.OpOwnAccount},
		{"GET", "/api/v1/events", nil, access.OpEvents},
		{"GET", "/api/v1/overview", nil, access.OpEvents},
		{"GET", fmt.Sprintf("/api/v1/events/%d", id), nil, access.OpEvent},
		{"POST", "/api/v1/events", map[string]any{"matter": "3", "kind": "changed", "summary": "x"}, access.OpLog},
		{"POST", fmt.Sprintf("/api/v1/events/%d/disclose", id), map[string]any{"channels": []string{"nochannel"}}, access.OpDisclose},
		{"POST", fmt.Sprintf("/api/v1/events/%d/waive", id), map[string]any{"reason": ""}, access.OpWaive},
		{"POST", fmt.Sprintf("/api/v1/events/%d/amend", id), map[string]any{"reason": ""}, access.OpAmend},
		{"POST", fmt.Sprintf("/api/v1/events/%d/retract", id), map[string]any{"channel": "web", "reason": ""}, access.OpRetract},
		{"POST", fmt.Sprintf("/api/v1/events/%d/reopen", id), map[string]any{"reason": ""}, access.OpReopen},
		{"POST", fmt.Sprintf("/api/v1/events/%d/cancel", id), map[string]any{"reason": ""}, access.OpCancel},
		{"POST", fmt.Sprintf("/api/v1/events/%d/restore", id), map[string]any{"reason": ""}, access.OpRestore},
		{"GET", "/api/v1/matters", nil, access.OpMatters},
		{"GET", "/api/v1/matters/3", nil, access.OpMatters},
		{"GET", "/api/v1/audit", nil, access.OpAudit},
		{"GET", "/api/v1/audit/logins", nil, access.OpLogins},
		{"GET", "/api/v1/audit/verify", nil, access.OpVerifyAudit},
		{"GET", "/api/v1/outbox", nil, access.OpOutbox},
		{"GET", "/api/v1/accounts", nil, access.OpAccounts},
		{"POST", "/api/v1/accounts", map[string]any{"name": "", "roles": []string{}}, access.OpAccounts},
		{"PATCH", "/api/v1/accounts/nosuch", map[string]any{}, access.OpAccounts},
		{"POST", "/api/v1/accounts/nosuch/disable", nil, access.OpAccounts},
		{"POST", "/api/v1/accounts/nosuch/enable", nil, access.OpAccounts},
		{"POST", "/api/v1/accounts/nosuch/unlock", nil, access.OpAccounts},
		{"POST", "/api/v1/accounts/nosuch/reset-password", nil, access.OpAccounts},
		{"GET", "/api/v1/sections", nil, access.OpMatters},
		{"POST", "/api/v1/sections", map[string]any{"name": "x", "level1": []string{}}, access.OpSections},
		{"PUT", "/api/v1/sections/nosuch", map[string]any{"level1": []string{"社会保险参保登记"}}, access.OpSections},
		{"POST", "/api/v1/events/import", map[string]any{"file": "台账.csv", "rows": []any{}, "dry_run": true}, access.OpImportEvents},
		{"POST", "/api/v1/catalog/import", map[string]any{"name": "目录.csv", "data": "", "dry_run": true}, access.OpImportCatalog},
		{"GET", "/api/v1/calendar", nil, access.OpCalendar},
		{"GET", "/api/v1/calendar/add?date=2026-11-02", nil, access.OpCalendar},
		{"GET", "/api/v1/calendar/explain?date=2026-11-02&days=20", nil, access.OpCalendar},
		{"GET", "/api/v1/calendar/between?from=2026-11-02&to=2026-11-30", nil, access.OpCalendar},
		{"GET", "/api/v1/calendar/status", nil, access.OpCalendar},
		{"POST", "/api/v1/calendar/import", map[string]any{"name": "2028.json", "data": "", "dry_run": true}, access.OpImportCalendar},
		{"POST", "/api/v1/reminders/run", map[string]any{"dry_run": true}, access.OpRemindRun},
		{"GET", "/api/v1/reports/weekly", nil, access.OpWeeklyReport},
		{"GET", "/api/v1/reports/sent", nil, access.OpWeeklyReport},
		{"GET", "/api/v1/reports/sent/2026-11-23", nil, access.OpWeeklyReport},
		{"POST", "/api/v1/reports/weekly/send", map[string]any{"day": "2026-11-23"}, access.OpSendWeeklyReport},
		{"POST", "/api/v1/outbox/flush", map[string]any{}, access.OpFlushOutbox},
		{"POST", "/api/v1/outbox/99/retry", map[string]any{}, access.OpRetryMessage},
		{"GET", "/api/v1/check", nil, access.OpCheck},
		{"GET", "/api/v1/status", nil, access.OpStatus},
		{"POST", "/api/v1/init", nil, access.OpInit},
		{"GET", "/api/v1/dump", nil, access.OpDump},
		{"GET", "/api/v1/backup", nil, access.OpBackup},
		// Last: it ends each role's session.
		{"POST", "/api/v1/logout", nil, access.OpOwnAccount},
	}
	// Every route the server has is in this table, but the three open to
	// anyone.
	inTable := map[string]bool{"GET /api/v1/health": true, "GET /api/v1/openapi.json": true, "POST /api/v1/login": true}
	for _, rt := range routes {
		path, _, _ := strings.Cut(rt.path, "?")
		path = regexp.MustCompile(`/\d+(/|$)`).ReplaceAllString(path, "/{id}$1")
		path = strings.Replace(path, "/matters/{id}", "/matters/{query}", 1)
		path = strings.Replace(path, "/accounts/nosuch", "/accounts/{name}", 1)
		path = strings.Replace(path, "/sections/nosuch", "/sections/{name}", 1)
		path = strings.Replace(path, "/tokens/000000000000", "/tokens/{id}", 1)
		path = strings.Replace(path, "/sent/2026-11-23", "/sent/{day}", 1)
		inTable[rt.method+" "+path] = true
	}
	for _, p := range api.New(api.Config{Service: &api.Client{}}).Patterns() {
		if !inTable[p] {
			t.Errorf("route %s is not in the per-role table", p)
		}
	}
	for _, rt := range routes {
		before := o.auditCount()
		status, b, _ := o.do("", rt.method, rt.path, rt.body)
		wantError(t, rt.method+" "+rt.path+" without a token", status, b, 401, tracker.EUnauthenticated, tracker.FieldToken)
		if after := o.auditCount(); after != before {
			t.Errorf("%s %s without a token: %d audit entries written", rt.method, rt.path, after-before)
		}
		for _, role := range access.Roles {
			before := o.auditCount()
			status, b, _ := o.do(o.tokens[role], rt.method, rt.path, rt.body)
			if after := o.auditCount(); status >= 400 && after != before && !(rt.path == "/api/v1/password" && o.lastAction() == tracker.AuditLoginFailed) {
				// (A wrong current password is a failed login, and is
				// recorded as one.)
				t.Errorf("%s %s as %s: refused (%d) and yet %d audit entries written", rt.method, rt.path, role, status, after-before)
			}
			allowed := access.Allowed([]access.Role{role}, rt.op)
			if rt.path == "/api/v1/sections" && rt.method == "GET" {
				allowed = allowed || access.Allowed([]access.Role{role}, access.OpSections)
			}
			switch {
			case !allowed && status != 403:
				t.Errorf("%s %s as %s: %d %s, want 403", rt.method, rt.path, role, status, b)
			case !allowed:
				wantError(t, rt.method+" "+rt.path+" as "+string(role), status, b, 403, tracker.EForbidden, "role")
			case status == 401 || status == 403:
				t.Errorf("%s %s as %s: %d %s, but the role may", rt.method, rt.path, role, status, b)
			}
		}
	}
}

func TestAPIErrors(t *testing.T) {
	o := newOffice(t)
	officer := o.tokens[access.Officer]
	for _, tc := range []struct {
		what         string
		method, path string
		body         any
		header       []string
		status       int
		code, field  string
	}{
		{"malformed JSON", "POST", "/api/v1/events", `{"matter": "3",`, nil, 400, tracker.EInvalid, "body"},
		{"a number for a string", "POST", "/api/v1/events", `{"matter": 3}`, nil, 400, tracker.EInvalid, "matter"},
		{"an unknown field", "POST", "/api/v1/events", `{"matter": "3", "owner": "x"}`, nil, 400, tracker.EInvalid, "owner"},
		{"a bad date", "POST", "/api/v1/events", `{"matter": "3", "kind": "changed", "summary": "x", "date": "2026-02-30"}`, nil, 400, tracker.EInvalid, "body"},
		{"two objects", "POST", "/api/v1/events", `{} {}`, nil, 400, tracker.EInvalid, "body"},
		{"an empty body", "POST", "/api/v1/events", ``, nil, 400, tracker.EInvalid, "body"},
		{"an unknown matter", "POST", "/api/v1/events", `{"matter": "999", "kind": "changed", "summary": "x"}`, nil, 404, tracker.ENotFound, "matter"},
		{"too large", "POST", "/api/v1/events", `{"summary": "` + strings.Repeat("长", api.MaxBody) + `"}`, nil, 413, api.ETooLarge, "body"},
		{"not JSON", "POST", "/api/v1/events", `matter=3`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, api.EUnsupported, "body"},
		{"an event id", "GET", "/api/v1/events/abc", nil, nil, 400, tracker.EInvalid, "event"},
		{"no such event", "GET", "/api/v1/events/99", nil, nil, 404, tracker.ENotFound, "event"},
		{"no such route", "GET", "/api/v1/nothing", nil, nil, 404, tracker.ENotFound, "path"},
		{"a path trick", "GET", "/api/v1/events/..%2faccounts", nil, nil, 400, tracker.EInvalid, "event"},
		{"a method", "DELETE", "/api/v1/events", nil, nil, 405, api.EMethod, "path"},
		{"a query", "GET", "/api/v1/events?open=perhaps", nil, nil, 400, tracker.EInvalid, "open"},
		{"a page", "GET", "/api/v1/events?limit=5000", nil, nil, 400, tracker.EInvalid, "limit"},
		{"no date to count from", "GET", "/api/v1/calendar/add", nil, nil, 400, tracker.EInvalid, "date"},
		{"days", "GET", "/api/v1/calendar/explain?date=2026-11-02&days=many", nil, nil, 400, tracker.EInvalid, "days"},
		{"a foreign origin", "POST", "/api/v1/events", `{}`, []string{"Origin", "https://evil.example.com", "Sec-Fetch-Site", "cross-site"}, 403, tracker.EForbidden, "origin"},
		{"a bad If-Match", "POST", "/api/v1/events/1/waive", `{"reason": "x"}`, []string{"If-Match", "*"}, 400, tracker.EInvalid, "if-match"},
	} {
		before := o.auditCount()
		status, b, _ := o.do(officer, tc.method, tc.path, tc.body, tc.header...)
		wantError(t, tc.what, status, b, tc.status, tc.code, tc.field)
		if o.auditCount() != before {
			t.Errorf("%s: written", tc.what)
		}
	}
	// A bad token, a token too long.
	status, b, _ := o.do("gk_nosuch", "GET", "/api/v1/whoami", nil)
	wantError(t, "an unknown token", status, b, 401, tracker.EUnauthenticated, "token")
	status, b, _ = o.do(strings.Repeat("x", 10000), "GET", "/api/v1/whoami", nil)
	wantError(t, "a long token", status, b, 401, tracker.EUnauthenticated, "token")
}

// Two officers change the same event: the second, against the version
// both read, gets 409 and nothing is lost.
func TestConflictingChanges(t *testing.T) {
	o := newOffice(t)
	officer := o.tokens[access.Officer]
	var ev app.EventDetail
	o.mustDo(officer, "POST", "/api/v1/events", map[string]any{"matter": "3", "kind": "changed", "summary": "调整参保登记办理材料"}, 201, &ev)
	path := fmt.Sprintf("/api/v1/events/%d", ev.View.ID)
	_, _, h := o.do(officer, "GET", path, nil)
	tag := h.Get("ETag")
	if tag != `"v1"` {
		t.Fatalf("ETag %q", tag)
	}
	status, b, h2 := o.do(officer, "POST", path+"/disclose", map[string]any{"channels": []string{"web"}, "url": "https://www.zgq.gov.cn/1"}, "If-Match", tag)
	if status != 200 || h2.Get("ETag") != `"v2"` {
		t.Fatalf("first change: %d %s %s", status, b, h2.Get("ETag"))
	}
	before := o.auditCount()
	status, b, _ = o.do(officer, "POST", path+"/waive", map[string]any{"reason": "涉及隐私"}, "If-Match", tag)
	wantError(t, "the second change", status, b, 409, tracker.EConflict, "version")
	if o.auditCount() != before {
		t.Error("the refused change wrote")
	}
	var d app.EventDetail
	o.mustDo(officer, "GET", path, nil, 200, &d)
	if len(d.Event.Disclosures) != 1 || d.Event.State != tracker.Open {
		t.Errorf("after: %+v", d.Event)
	}
}

func TestLoginOverHTTP(t *testing.T) {
	o := newOffice(t)
	// Five wrong passwords lock the account: 423.
	var status int
	var b []byte
	for range 5 {
		status, b, _ = o.do("", "POST", "/api/v1/login", map[string]string{"account": "uofficer", "password": "wrong"})
	}
	wantError(t, "the fifth failure", status, b, 423, tracker.ELocked, "account")
	// More than ten attempts a minute on one account: 429 before any
	// password is tried.
	for range 5 {
		status, b, _ = o.do("", "POST", "/api/v1/login", map[string]string{"account": "uofficer", "password": "wrong"})
	}
	wantError(t, "the eleventh attempt", status, b, 429, api.ETooMany, "account")
	// A minute later, and the lock over, the right password.
	o.now = o.now.Add(16 * time.Minute)
	var res app.LoginResult
	o.mustDo("", "POST", "/api/v1/login", map[string]string{"account": "uofficer", "password": password}, 200, &res)
	// A proxy the server trusts names the client; the login history
	// says so.
	o.do("", "POST", "/api/v1/login", map[string]string{"account": "ustaff", "password": "wrong"}, "X-Forwarded-For", "10.1.2.3")
	var logins app.AuditList
	o.mustDo(o.tokens[access.Auditor], "GET", "/api/v1/audit/logins", nil, 200, &logins)
	last := logins.Entries[len(logins.Entries)-1]
	if !strings.Contains(last.Text, "10.1.2.3") || last.Action != tracker.AuditLoginFailed {
		t.Errorf("the last login entry: %s %s", last.Action, last.Text)
	}
	// Logout revokes the token at once.
	if status, b, _ := o.do(res.Token, "POST", "/api/v1/logout", nil); status != 204 {
		t.Fatalf("logout: %d %s", status, b)
	}
	status, b, _ = o.do(res.Token, "GET", "/api/v1/whoami", nil)
	wantError(t, "after logout", status, b, 401, tracker.EUnauthenticated, "token")
	// An account that must change its password may do nothing else.
	local := app.WithActor(context.Background(), "local:root")
	reset, err := o.svc.ResetPassword(local, "ustaff")
	if err != nil {
		t.Fatal(err)
	}
	status, b, _ = o.do("", "POST", "/api/v1/login", map[string]string{"account": "ustaff", "password": reset.Password})
	wantError(t, "a one-time password", status, b, 403, tracker.EMustChange, "new_password")
	status, b, _ = o.do(o.tokens[access.Staff], "GET", "/api/v1/events", nil)
	wantError(t, "a token revoked by the reset", status, b, 401, tracker.EUnauthenticated, "token")
}

// A browser's session: a cookie its scripts cannot read (HttpOnly,
// SameSite=Lax, Secure behind a proxy that did TLS), not in the body;
// requests with it are the account's; a foreign site's POST with it is
// refused; logout ends it and clears the cookie.
func TestWebSessionCookie(t *testing.T) {
	o := newOffice(t)
	body := strings.NewReader(`{"account":"uofficer","password":"` + password + `","kind":"web"}`)
	req, _ := http.NewRequest("POST", o.srv.URL+"/api/v1/login", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Proto", "https") // from 127.0.0.1, a trusted proxy here
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var res app.LoginResult
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == api.SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Value == "" {
		t.Fatalf("cookie: %+v", cookie)
	}
	if res.Token != "" {
		t.Error("a web session's secret is in the body too")
	}
	with := func(method, path, origin string) int {
		req, _ := http.NewRequest(method, o.srv.URL+path, strings.NewReader(`{"matter":"3","kind":"changed","summary":"网页登记"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: cookie.Value})
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := with("GET", "/api/v1/whoami", ""); got != 200 {
		t.Errorf("whoami with the cookie: %d", got)
	}
	before := o.auditCount()
	if got := with("POST", "/api/v1/events", "https://evil.example.com"); got != 403 || o.auditCount() != before {
		t.Errorf("a foreign site's POST with the cookie: %d", got)
	}
	if got := with("POST", "/api/v1/events", ""); got != 201 {
		t.Errorf("the same site's POST: %d", got)
	}
	if got := with("POST", "/api/v1/logout", ""); got != 204 {
		t.Errorf("logout: %d", got)
	}
	if got := with("GET", "/api/v1/whoami", ""); got != 401 {
		t.Errorf("after logout: %d", got)
	}
}
