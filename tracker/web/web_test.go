package web_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/web"
)

// Every page, without a session and as each role: without one, to the
// login page; a role the page's operation refuses, 403 and nothing
// written; a role it allows, anything else.
func TestEveryPagePerRole(t *testing.T) {
	o := newOffice(t)
	id := o.log("3", "2026-11-02", "调整参保登记办理材料")
	clients := map[access.Role]*http.Client{}
	for _, r := range access.Roles {
		clients[r] = o.client(r)
	}
	ev := fmt.Sprint(id)
	// Forms that the application layer refuses as they are (no reason, a
	// version long past), so an allowed role changes nothing either.
	bad := url.Values{"version": {"99"}, "reason": {""}, "channel": {"web"}}
	pages := []struct {
		method, path string
		form         url.Values
		op           access.Operation
	}{
		{"GET", "/", nil, access.OpOwnAccount},
		{"GET", "/password", nil, access.OpOwnAccount},
		{"POST", "/password", url.Values{"current": {"x"}, "new": {"y"}, "new2": {"y"}}, access.OpOwnAccount},
		{"GET", "/events", nil, access.OpEvents},
		{"GET", "/events/export?format=csv", nil, access.OpEvents},
		{"GET", "/events/" + ev, nil, access.OpEvent},
		{"POST", "/events/" + ev + "/disclose", bad, access.OpDisclose},
		{"POST", "/events/" + ev + "/waive", bad, access.OpWaive},
		{"POST", "/events/" + ev + "/amend", bad, access.OpAmend},
		{"POST", "/events/" + ev + "/retract", bad, access.OpRetract},
		{"POST", "/events/" + ev + "/reopen", bad, access.OpReopen},
		{"POST", "/events/" + ev + "/cancel", bad, access.OpCancel},
		{"POST", "/events/" + ev + "/restore", bad, access.OpRestore},
		{"GET", "/catalog", nil, access.OpMatters},
		{"GET", "/catalog/3", nil, access.OpMatters},
		{"GET", "/calendar?month=2026-10", nil, access.OpCalendar},
		{"POST", "/calendar/feed", url.Values{}, access.OpEvents},
		{"POST", "/calendar/feed/revoke", url.Values{}, access.OpEvents},
		{"GET", "/reports", nil, access.OpWeeklyReport},
		{"GET", "/reports/2026-11-20", nil, access.OpWeeklyReport},
		{"GET", "/reports/2026-11-20/mail", nil, access.OpWeeklyReport},
		{"GET", "/reports/2026-11-20/files/" + url.PathEscape("周报.xlsx"), nil, access.OpWeeklyReport},
		{"GET", "/audit", nil, access.OpAudit},
		{"GET", "/audit/logins", nil, access.OpLogins},
		{"GET", "/audit/verify", nil, access.OpVerifyAudit},
		{"GET", "/admin", nil, access.OpStatus},
		{"POST", "/admin/mail-check", url.Values{}, access.OpStatus},
		{"GET", "/admin/outbox", nil, access.OpOutbox},
		{"POST", "/admin/outbox/99/retry", url.Values{}, access.OpRetryMessage},
		{"GET", "/admin/accounts", nil, access.OpAccounts},
		{"POST", "/admin/accounts", url.Values{"name": {""}}, access.OpAccounts},
		{"POST", "/admin/accounts/nosuch", url.Values{}, access.OpAccounts},
		{"POST", "/admin/accounts/nosuch/disable", url.Values{}, access.OpAccounts},
		{"POST", "/admin/accounts/nosuch/enable", url.Values{}, access.OpAccounts},
		{"POST", "/admin/accounts/nosuch/unlock", url.Values{}, access.OpAccounts},
		{"POST", "/admin/accounts/nosuch/reset-password", url.Values{}, access.OpAccounts},
		{"POST", "/admin/sections", url.Values{"name": {""}}, access.OpSections},
		{"POST", "/admin/sections/nosuch", url.Values{"level1": {"社会保险参保登记"}}, access.OpSections},
		{"GET", "/admin/imports", nil, access.OpImportCalendar},
		{"POST", "/admin/imports/calendar", url.Values{}, access.OpImportCalendar},
		{"POST", "/admin/imports/catalog", url.Values{}, access.OpImportCatalog},
		{"GET", "/log", nil, access.OpLog},
		{"GET", "/log/preview?matter=3&date=2026-11-02&kind=changed", nil, access.OpLog},
		{"POST", "/log", url.Values{"matter": {"3"}, "kind": {"changed"}, "date": {"2026-11-30"}, "summary": {"x"}}, access.OpLog},
		// Last: it ends each role's session.
		{"POST", "/logout", url.Values{}, access.OpOwnAccount},
	}
	inTable := map[string]bool{}
	for _, p := range web.PublicRoutes {
		inTable[p] = true
	}
	for _, p := range pages {
		path, _, _ := strings.Cut(p.path, "?")
		path = regexp.MustCompile(`/reports/[-\d]+`).ReplaceAllString(path, "/reports/{day}")
		path = regexp.MustCompile(`/files/.*`).ReplaceAllString(path, "/files/{name}")
		path = regexp.MustCompile(`/catalog/\d+`).ReplaceAllString(path, "/catalog/{seq}")
		path = strings.ReplaceAll(path, "/nosuch", "/{name}")
		path = regexp.MustCompile(`/\d+(/|$)`).ReplaceAllString(path, "/{id}$1")
		if path == "/" {
			path = "/{$}"
		}
		inTable[p.method+" "+path] = true
	}
	for _, p := range web.New(web.Config{}).Patterns() {
		if !inTable[p] {
			t.Errorf("page %s is not in the per-role table", p)
		}
	}
	send := func(c *http.Client, method, path string, form url.Values) (int, string, string) {
		if method == "GET" {
			return get(t, c, o.srv.URL+path)
		}
		resp, err := c.PostForm(o.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := make([]byte, 64<<10)
		n, _ := resp.Body.Read(b)
		return resp.StatusCode, string(b[:n]), resp.Header.Get("Location")
	}
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range pages {
		before := o.auditCount()
		st, _, loc := send(anon, p.method, p.path, p.form)
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s %s without a session: %d to %q, want 303 to /login", p.method, p.path, st, loc)
		}
		for _, r := range access.Roles {
			st, body, _ := send(clients[r], p.method, p.path, p.form)
			allowed := access.Allowed([]access.Role{r}, p.op)
			switch {
			case !allowed && st != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403", p.method, p.path, r, st)
			case !allowed && !strings.Contains(body, "角色"):
				t.Errorf("%s %s as %s: the page does not say which role it needs:\n%s", p.method, p.path, r, body)
			case allowed && (st == http.StatusForbidden || st == http.StatusUnauthorized || st >= 500):
				t.Errorf("%s %s as %s: %d, want it allowed", p.method, p.path, r, st)
			}
		}
		if p.method == "POST" && p.path != "/password" && p.path != "/logout" && !strings.HasPrefix(p.path, "/calendar/feed") {
			if after := o.auditCount(); after != before {
				t.Errorf("%s %s: refused or bad, yet %d audit entries written", p.method, p.path, after-before)
			}
		}
	}
}

// auditCount is how many audit entries the log holds.
func (o *office) auditCount() int {
	l, err := o.svc.Audit(o.local(), app.AuditQuery{})
	if err != nil {
		o.t.Fatal(err)
	}
	return len(l.Entries)
}

// A member of staff is not offered the waive action, and a waive posted
// anyway is refused, the event unchanged; an officer's goes through.
func TestStaffMayNotWaive(t *testing.T) {
	o := newOffice(t)
	id := o.log("3", "2026-11-02", "调整参保登记办理材料")
	staff := o.client(access.Staff)
	st, body, _ := get(t, staff, fmt.Sprintf("%s/events/%d", o.srv.URL, id))
	if st != 200 || strings.Contains(body, "/waive") || strings.Contains(body, "免于公开</summary>") {
		t.Errorf("staff's event page: %d, offers waive: %v", st, strings.Contains(body, "/waive"))
	}
	resp, err := staff.PostForm(fmt.Sprintf("%s/events/%d/waive", o.srv.URL, id), url.Values{"version": {"1"}, "reason": {"不予公开"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d, _ := o.svc.Event(o.local(), app.EventRef{ID: id})
	if resp.StatusCode != 403 || d.View.Status != tracker.Open {
		t.Errorf("staff's waive: %d, event %s; want 403 and open", resp.StatusCode, d.View.Status)
	}
	officer := o.client(access.Officer)
	st, body, _ = get(t, officer, fmt.Sprintf("%s/events/%d", o.srv.URL, id))
	if st != 200 || !strings.Contains(body, fmt.Sprintf("/events/%d/waive", id)) {
		t.Errorf("officer's event page: %d, no waive form", st)
	}
	resp, err = officer.PostForm(fmt.Sprintf("%s/events/%d/waive", o.srv.URL, id), url.Values{"version": {"1"}, "reason": {"涉及个人隐私"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d, _ = o.svc.Event(o.local(), app.EventRef{ID: id})
	if resp.StatusCode != 303 || d.View.Status != tracker.Waived {
		t.Errorf("officer's waive: %d, event %s; want 303 and waived", resp.StatusCode, d.View.Status)
	}
}

// A change made against a version another change has passed is refused
// and shown, not applied.
func TestLostRace(t *testing.T) {
	o := newOffice(t)
	id := o.log("3", "2026-11-02", "调整参保登记办理材料")
	officer := o.client(access.Officer)
	// Someone else amends it after the page was read at version 1.
	s := "调整参保登记办理材料（第二稿）"
	if _, err := o.svc.Amend(o.local(), app.AmendInput{Event: id, Summary: &s, Reason: "改摘要"}); err != nil {
		t.Fatal(err)
	}
	resp, err := officer.PostForm(fmt.Sprintf("%s/events/%d/waive", o.srv.URL, id), url.Values{"version": {"1"}, "reason": {"涉及个人隐私"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := make([]byte, 256<<10)
	n, _ := resp.Body.Read(b)
	body := string(b[:n])
	d, _ := o.svc.Event(o.local(), app.EventRef{ID: id})
	if resp.StatusCode != 409 || d.View.Status != tracker.Open || !strings.Contains(body, "已被修改") || !strings.Contains(body, "第二稿") {
		t.Errorf("a waive against version 1 after an amendment: %d, event %s; want 409, open, the page saying so with the new summary", resp.StatusCode, d.View.Status)
	}
}

// The overview counts what the viewer reaches: a member of staff of a
// section that owns none of the events counts none.
func TestOverviewScope(t *testing.T) {
	o := newOffice(t)
	o.log("3", "2026-10-09", "逾期的事件")
	o.log("40", "2026-10-09", "另一个一级事项的逾期事件")
	_, body, _ := get(t, o.client(access.Officer), o.srv.URL+"/")
	if !strings.Contains(body, `id="fig-overdue">2<`) {
		t.Errorf("officer's overview does not count 2 overdue")
	}
	_, body, _ = get(t, o.client(access.Staff), o.srv.URL+"/")
	if !strings.Contains(body, `id="fig-overdue">1<`) || strings.Contains(body, "另一个一级事项") {
		t.Errorf("staff's overview counts beyond 社保股's events")
	}
}

// The menu shows each role the pages it may open, and no others.
func TestMenuPerRole(t *testing.T) {
	o := newOffice(t)
	want := map[access.Role][]string{
		access.Staff:      {"总览", "事件", "登记"},
		access.Officer:    {"总览", "事件", "登记"},
		access.Supervisor: {"总览", "事件"},
	}
	re := regexp.MustCompile(`<li><a href="[^"]*"[^>]*>([^<]+)</a></li>`)
	for r, w := range want {
		_, body, _ := get(t, o.client(r), o.srv.URL+"/")
		var got []string
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		for _, item := range []string{"总览", "事件", "登记"} {
			if slices.Contains(got, item) != slices.Contains(w, item) {
				t.Errorf("%s's menu %v; want %v", r, got, w)
				break
			}
		}
	}
}

// The vendored htmx is the file its note names, by hash; and the pages
// load nothing from elsewhere.
func TestVendoredFiles(t *testing.T) {
	b, err := os.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	note, err := os.ReadFile("static/VENDOR.md")
	if err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(b))
	if !strings.Contains(string(note), sum) {
		t.Errorf("static/htmx.min.js has SHA-256 %s, which static/VENDOR.md does not note", sum)
	}
	tmpl, _ := filepath.Glob("templates/*.html")
	for _, f := range tmpl {
		b, _ := os.ReadFile(f)
		if m := regexp.MustCompile(`(src|href)="(https?:)?//`).Find(b); m != nil {
			t.Errorf("%s loads from another site: %s", f, m)
		}
	}
}

// The weekly reports read as they went out, with their workbook.
func TestSentReportPages(t *testing.T) {
	o := newOffice(t)
	id := o.log("3", "2026-10-09", "原来的摘要")
	if _, err := o.svc.SendWeeklyReport(o.local(), app.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	s := "更正后的摘要"
	if _, err := o.svc.Amend(o.local(), app.AmendInput{Event: id, Summary: &s, Reason: "改"}); err != nil {
		t.Fatal(err)
	}
	c := o.client(access.Supervisor)
	st, body, _ := get(t, c, o.srv.URL+"/reports")
	if st != 200 || !strings.Contains(body, `href="/reports/2026-11-20"`) {
		t.Fatalf("reports: %d, no link to the report of 2026-11-20", st)
	}
	st, body, _ = get(t, c, o.srv.URL+"/reports/2026-11-20")
	link := regexp.MustCompile(`href="(/reports/2026-11-20/files/[^"]+\.xlsx)"`).FindStringSubmatch(body)
	if st != 200 || link == nil || !strings.Contains(body, `src="/reports/2026-11-20/mail"`) {
		t.Fatalf("report page: %d, xlsx link %v", st, link)
	}
	resp, err := c.Get(o.srv.URL + link[1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the workbook: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	st, body, _ = get(t, c, o.srv.URL+"/reports/2026-11-20/mail")
	if st != 200 || !strings.Contains(body, "原来的摘要") || strings.Contains(body, "更正后的摘要") {
		t.Errorf("the report's mail: %d; it should read as it went out", st)
	}
	if st, _, _ := get(t, c, o.srv.URL+"/reports/2026-11-13"); st != 404 {
		t.Errorf("a week without a report: %d, want 404", st)
	}
}

// postMultipart posts a form with a file.
func postMultipart(t *testing.T, c *http.Client, u string, fields map[string]string, file, name string, data []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, _ := mw.CreateFormFile(file, name)
		fw.Write(data)
	}
	mw.Close()
	resp, err := c.Post(u, mw.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// An administrator makes a section and an account on the web; the
// account's one-time password, shown once, logs it in.
func TestAdminAccounts(t *testing.T) {
	o := newOffice(t)
	admin := o.client(access.Admin)
	st, _, loc := post(t, admin, o.srv.URL+"/admin/sections", url.Values{"name": {"养老股"}, "level1": {"养老保险服务"}})
	if st != 303 || loc != "/admin/accounts?done=section" {
		t.Fatalf("new section: %d to %q", st, loc)
	}
	// Refused: admin and auditor on one account. Nothing is made.
	st, body, _ := post(t, admin, o.srv.URL+"/admin/accounts", url.Values{"name": {"zhangsan"}, "role": {"admin", "auditor"}})
	if st != 400 || !strings.Contains(body, "role=\"alert\"") {
		t.Errorf("admin+auditor: %d", st)
	}
	if l, _ := o.svc.Accounts(o.local()); len(l.Accounts) != len(access.Roles) {
		t.Errorf("a refused account was made: %d accounts", len(l.Accounts))
	}
	st, body, _ = post(t, admin, o.srv.URL+"/admin/accounts", url.Values{"name": {"zhangsan"}, "display": {"张三"}, "role": {"staff"}, "section": {"养老股"}})
	pw := regexp.MustCompile(`id="one-time-password">([^<]+)<`).FindStringSubmatch(body)
	if st != 200 || pw == nil {
		t.Fatalf("new account: %d, no one-time password shown", st)
	}
	o.accounts["zhangsan"], o.onetime["zhangsan"] = "zhangsan", html.UnescapeString(pw[1])
	c := o.client("zhangsan")
	st, body, _ = get(t, c, o.srv.URL+"/")
	if st != 200 || !strings.Contains(body, "张三") {
		t.Errorf("the new account's first page: %d", st)
	}
	// Disabled, its session ends.
	if st, _, _ := post(t, admin, o.srv.URL+"/admin/accounts/zhangsan/disable", url.Values{}); st != 303 {
		t.Errorf("disable: %d", st)
	}
	if st, _, loc := get(t, c, o.srv.URL+"/"); st != 303 || !strings.HasPrefix(loc, "/login") {
		t.Errorf("a disabled account's session: %d to %q", st, loc)
	}
}

// A calendar import is tried first, changing nothing, then applied.
func TestAdminCalendarImport(t *testing.T) {
	o := newOffice(t)
	admin := o.client(access.Admin)
	data, err := os.ReadFile("testdata/2028.json")
	if err != nil {
		t.Fatal(err)
	}
	official := func() bool {
		cal, err := o.svc.Calendar(o.local())
		if err != nil {
			t.Fatal(err)
		}
		y, err := cal.Year(2028)
		return err == nil && y.Official
	}
	st, body := postMultipart(t, admin, o.srv.URL+"/admin/imports/calendar", nil, "file", "2028.json", data)
	if st != 200 || !strings.Contains(body, "试导入（尚未生效）") || !strings.Contains(body, "确认导入") || official() {
		t.Fatalf("dry run: %d, 2028 official: %v", st, official())
	}
	enc := regexp.MustCompile(`name="data" value="([^"]+)"`).FindStringSubmatch(body)
	if enc == nil {
		t.Fatal("the dry run's form does not carry the file")
	}
	st, body = postMultipart(t, admin, o.srv.URL+"/admin/imports/calendar", map[string]string{"name": "2028.json", "data": html.UnescapeString(enc[1]), "apply": "1"}, "", "", nil)
	if st != 200 || !strings.Contains(body, "已导入") || !official() {
		t.Errorf("apply: %d, 2028 official: %v", st, official())
	}
	// A file that is no schedule: said, nothing imported.
	st, body = postMultipart(t, admin, o.srv.URL+"/admin/imports/catalog", nil, "file", "目录.toml", []byte("不是目录"))
	if st != 400 || !strings.Contains(body, "目录.toml") {
		t.Errorf("a bad catalogue: %d", st)
	}
}

// The status says the last backup, the jobs and the mail server check.
func TestAdminStatus(t *testing.T) {
	o := newOffice(t)
	admin := o.client(access.Admin)
	if err := o.svc.BackupTo(app.WithPrincipal(o.local(), &app.Principal{Account: "uadmin", Local: true}), io.Discard); err != nil {
		t.Fatal(err)
	}
	st, body, _ := get(t, admin, o.srv.URL+"/admin")
	if st != 200 || !strings.Contains(body, "uadmin，写到 下载") || !strings.Contains(body, "g.db</code>") {
		t.Errorf("status: %d, no last backup or no database file", st)
	}
	st, body, _ = post(t, admin, o.srv.URL+"/admin/mail-check", url.Values{})
	if st != 200 || !strings.Contains(body, "已连接邮件服务器") {
		t.Errorf("mail check: %d", st)
	}
	if l, _ := o.svc.Audit(o.local(), app.AuditQuery{Action: "backup"}); len(l.Entries) != 1 || l.Entries[0].Actor != "uadmin" {
		t.Errorf("the backup's audit entry: %+v", l)
	}
}

// A calendar feed: made on the calendar page (its address shown once),
// read with no session by a calendar program, listing the deadlines its
// account reaches; it logs in to nothing; revoked, it is gone.
func TestCalendarFeed(t *testing.T) {
	o := newOffice(t)
	o.log("3", "2026-10-23", "今天到期的事件")
	o.log("40", "2026-11-02", "另一个一级事项的事件")
	staff := o.client(access.Staff)
	st, body, _ := post(t, staff, o.srv.URL+"/calendar/feed", url.Values{})
	m := regexp.MustCompile(`id="feed-url">([^<]+)<`).FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("make a feed: %d, no address shown", st)
	}
	feed := html.UnescapeString(m[1])
	anon := &http.Client{}
	resp, err := anon.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := strings.ReplaceAll(string(ics), "\r\n ", "") // unfolded
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(text, "DTSTART;VALUE=DATE:20261120") || !strings.Contains(text, "SUMMARY:公开期限：今天到期的事件") ||
		strings.Contains(text, "另一个一级事项") {
		t.Errorf("the feed (%d):\n%s", resp.StatusCode, ics)
	}
	for _, l := range strings.Split(string(ics), "\r\n") {
		if len(l) > 75 {
			t.Errorf("a line longer than 75 octets: %q", l)
		}
	}
	// Its secret is no session and no token.
	secret := strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")
	req, _ := http.NewRequest("GET", o.srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if resp, err := anon.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("the feed's secret as a token: %v %v, want 401", resp.StatusCode, err)
	}
	req, _ = http.NewRequest("GET", o.srv.URL+"/events", nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != 303 {
		t.Errorf("the feed's secret as a session: %v %v, want a redirect to the login", resp.StatusCode, err)
	}
	// Revoked: gone.
	if st, _, _ := post(t, staff, o.srv.URL+"/calendar/feed/revoke", url.Values{}); st != 303 {
		t.Errorf("revoke: %d", st)
	}
	if resp, err := anon.Get(feed); err != nil || resp.StatusCode != 404 {
		t.Errorf("a revoked feed: %v %v, want 404", resp.StatusCode, err)
	}
	if resp, err := anon.Get(o.srv.URL + "/ical/nosuchsecret.ics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("an unknown feed: %v %v, want 404", resp.StatusCode, err)
	}
}

// The month's grid lists each event on its deadline, by its summary, and
// marks the holidays and make-up workdays.
func TestCalendarPage(t *testing.T) {
	o := newOffice(t)
	o.log("3", "2026-10-09", "调整参保登记办理材料") // due 2026-11-05
	c := o.client(access.Officer)
	st, body, _ := get(t, c, o.srv.URL+"/calendar?month=2026-11")
	if st != 200 || !strings.Contains(body, "调整参保登记办理材料</a>") {
		t.Errorf("November: %d, the event due on the 5th is not listed by its summary", st)
	}
	st, body, _ = get(t, c, o.srv.URL+"/calendar?month=2026-10")
	if st != 200 || strings.Count(body, "休 国庆") != 7 || strings.Count(body, "班 国庆") != 1 {
		t.Errorf("October: %d, %d days off and %d make-up workdays of 国庆, want 7 and 1", st, strings.Count(body, "休 国庆"), strings.Count(body, "班 国庆"))
	}
	if st, _, _ := get(t, c, o.srv.URL+"/calendar?month=2026-13"); st != 400 {
		t.Errorf("month 13: %d, want 400", st)
	}
}

// The events' filters: a section's, a range of deadlines; a bad date is
// said beside its field.
func TestEventFilters(t *testing.T) {
	o := newOffice(t)
	o.log("3", "2026-10-09", "社保股的事件")   // due 2026-11-05
	o.log("40", "2026-10-22", "养老保险的事件") // due 2026-11-19
	c := o.client(access.Officer)
	_, body, _ := get(t, c, o.srv.URL+"/events?section="+url.QueryEscape("社保股"))
	if !strings.Contains(body, "社保股的事件") || strings.Contains(body, "养老保险的事件") {
		t.Errorf("section 社保股 lists the wrong events")
	}
	_, body, _ = get(t, c, o.srv.URL+"/events?due_from=2026-11-10")
	if strings.Contains(body, "社保股的事件") || !strings.Contains(body, "养老保险的事件") {
		t.Errorf("deadlines from 2026-11-10 list the wrong events")
	}
	st, body, _ := get(t, c, o.srv.URL+"/events?due_to=2026-13-01")
	if st != 400 || !strings.Contains(body, `id="f-due-to" name="due_to" type="date" value="2026-13-01" aria-invalid="true"`) {
		t.Errorf("a bad deadline: %d, its field not marked", st)
	}
	if st, _, _ := get(t, c, o.srv.URL+"/events?section="+url.QueryEscape("没有的股")); st != 404 && st != 400 {
		t.Errorf("an unknown section: %d", st)
	}
}

// The list exports as CSV for people (with a byte-order mark for Excel and
// WPS, no cell run as a formula) and as a workbook, the page's filters
// applied, every row.
func TestEventExport(t *testing.T) {
	o := newOffice(t)
	o.log("3", "2026-10-09", "社保股的事件")
	o.log("40", "2026-10-22", "养老保险的事件")
	o.log("3", "2026-10-12", `=HYPERLINK("http://x","点我")`)
	c := o.client(access.Supervisor)
	resp, err := c.Get(o.srv.URL + "/events/export?format=csv&section=" + url.QueryEscape("社保股"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "\ufeff事项,摘要,") || len(lines) != 3 || !strings.Contains(lines[1], "社保股的事件") ||
		!strings.Contains(lines[2], `"'=HYPERLINK(""http://x"",""点我"")"`) {
		t.Errorf("CSV: %d\n%s", resp.StatusCode, b)
	}
	resp, err = c.Get(o.srv.URL + "/events/export?format=xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatalf("the workbook: %v", err)
	}
	rows, err := f.GetRows("事件")
	if err != nil || len(rows) != 5 || !strings.HasPrefix(rows[0][0], "政务公开事件清单（区人社局，截至 ") || rows[1][0] != "事项" {
		t.Errorf("the workbook's rows: %v %v", rows, err)
	}
	if st, _, _ := get(t, c, o.srv.URL+"/events/export?format=pdf"); st != 400 {
		t.Errorf("format pdf: %d, want 400", st)
	}
}
