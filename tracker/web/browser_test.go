package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/web/browsertest"
)

// The browser tests drive Debian's chromium through chromedp. Outside CI
// they skip when no browser is found; in CI (CI=true) they fail.

// browser starts a headless chromium for the test, 1366×768.
func browser(t *testing.T) context.Context { return browsertest.Start(t, 1366, 768) }

// tab is a new tab with its own cookies, bounded in time.
func tab(t *testing.T, b context.Context) context.Context { return browsertest.Tab(t, b) }

// run runs steps in the tab; a failure ends the test.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a script in the page (awaiting a promise it returns).
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

// shot saves a screenshot of the page as name.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	browsertest.Save(t, name, png)
}

// login logs role in through the login page, changing the one-time
// password at the first login.
func (o *office) browserLogin(t *testing.T, ctx context.Context, role access.Role) {
	t.Helper()
	run(t, ctx, "open the login page", chromedp.Navigate(o.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID(`account`)))
	one, first := o.onetime[role]
	pw := password
	if first {
		pw = one
	}
	run(t, ctx, "log in", chromedp.SendKeys(chromedp.ID(`account`), o.accounts[role]),
		chromedp.SendKeys(chromedp.ID(`password`), pw), chromedp.Submit(chromedp.ID(`password`)))
	if first {
		delete(o.onetime, role)
		run(t, ctx, "the forced change of password", chromedp.WaitVisible(chromedp.ID(`new_password`)))
		checkPage(t, ctx, "login-must-change")
		shot(t, ctx, "login-must-change")
		run(t, ctx, "set the new password", chromedp.SendKeys(chromedp.ID(`password`), one),
			chromedp.SendKeys(chromedp.ID(`new_password`), password), chromedp.SendKeys(chromedp.ID(`new_password2`), password),
			chromedp.Submit(chromedp.ID(`new_password`)))
	}
	run(t, ctx, "land on a page", chromedp.WaitVisible(chromedp.CSS(`header nav`)))
}

// checkPage checks the accessibility basics: the language, a label for
// every input, a skip link to the content.
func checkPage(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	lang := eval[string](t, ctx, `document.documentElement.lang`)
	unlabelled := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
			.filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name || e.id)`)
	if lang != "zh-CN" {
		t.Errorf("%s: lang %q, want zh-CN", page, lang)
	}
	if len(unlabelled) > 0 {
		t.Errorf("%s: inputs without a label: %v", page, unlabelled)
	}
}

// text is the text of the first element a selector finds.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Each role logs in (changing its one-time password), lands where it
// should, sees its menu, and every page it opens is screenshotted.
func TestBrowserRoles(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	o.log("3", "2026-10-09", "调整参保登记办理材料")
	o.log("5", "2026-11-19", "新增线上办理渠道")
	o.log("40", "2026-10-22", "缴费基数调整")
	landing := map[access.Role]string{access.Staff: "总览", access.Officer: "总览", access.Supervisor: "总览"}
	for _, r := range []access.Role{access.Staff, access.Officer, access.Supervisor} {
		t.Run(string(r), func(t *testing.T) {
			ctx := tab(t, b)
			o.browserLogin(t, ctx, r)
			if got := text(t, ctx, "h1"); !strings.HasPrefix(got, landing[r]) {
				t.Errorf("%s lands on %q, want %s", r, got, landing[r])
			}
			checkPage(t, ctx, string(r)+" overview")
			shot(t, ctx, "overview-"+string(r))
			run(t, ctx, "the events", chromedp.Navigate(o.srv.URL+"/events"), chromedp.WaitVisible(chromedp.CSS(`table.list`)))
			checkPage(t, ctx, string(r)+" events")
			shot(t, ctx, "events-"+string(r))
		})
	}
}

// An officer logs an event (the preview shows the deadline and the 补登
// warning before submitting), then discloses it on every channel, and
// the event closes.
func TestBrowserLogAndDisclose(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Officer)
	run(t, ctx, "open 登记", chromedp.Navigate(o.srv.URL+"/log"), chromedp.WaitVisible(chromedp.ID(`matter`)))
	checkPage(t, ctx, "log")
	run(t, ctx, "fill the form",
		chromedp.SendKeys(chromedp.ID(`matter`), "3"),
		chromedp.SetValue(chromedp.ID(`date`), "2026-10-09"),
		chromedp.Click(chromedp.CSS(`input[name=kind][value=changed]`)),
		chromedp.SendKeys(chromedp.ID(`summary`), "调整参保登记办理材料"),
		chromedp.WaitVisible(chromedp.ID(`preview-deadline`)))
	if got := text(t, ctx, "#preview-deadline"); got != "2026-11-05（周四）" {
		t.Errorf("preview's deadline %q, want 2026-11-05（周四）", got)
	}
	if got := text(t, ctx, "#preview-late"); !strings.Contains(got, "补登") {
		t.Errorf("preview's warning %q, want 补登", got)
	}
	shot(t, ctx, "log-preview")
	if n := o.eventCount(); n != 0 {
		t.Fatalf("the preview logged %d events", n)
	}
	run(t, ctx, "log it", chromedp.Click(chromedp.CSS(`button.primary`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if got := text(t, ctx, ".notice"); got != "已登记。" {
		t.Errorf("after logging: %q", got)
	}
	checkPage(t, ctx, "event")
	shot(t, ctx, "event-open")
	boxes := eval[int](t, ctx, `document.querySelectorAll('input[name=channel]').length`)
	if boxes != 3 {
		t.Errorf("%d channels offered, want 3", boxes)
	}
	run(t, ctx, "disclose on every channel",
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=channel]').forEach(c => c.checked = true)`),
		chromedp.SetValue(chromedp.ID(`d-date`), "2026-11-16"),
		chromedp.SendKeys(chromedp.ID(`d-url`), "https://www.zgq.gov.cn/xxgk/2026/1116.html"),
		chromedp.Submit(chromedp.ID(`d-url`)), chromedp.WaitNotPresent(chromedp.ID(`d-url`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if got := text(t, ctx, ".notice"); got != "已登记公开。" {
		t.Errorf("after disclosing: %q", got)
	}
	if got := text(t, ctx, ".status-line .band"); got != "逾期公开" {
		t.Errorf("after disclosing on every channel the event is %q, want 逾期公开 (closed)", got)
	}
	shot(t, ctx, "event-closed")
	d, _ := o.svc.Event(o.local(), app.EventRef{ID: 1})
	if d.View.Status != tracker.DoneLate || len(d.Event.Disclosures) != 3 {
		t.Errorf("stored: %s with %d disclosures", d.View.Status, len(d.Event.Disclosures))
	}
}

func (o *office) eventCount() int {
	l, err := o.svc.Events(o.local(), app.EventQuery{})
	if err != nil {
		o.t.Fatal(err)
	}
	return len(l.Events)
}

// A member of staff is not offered waiving, and a waive posted from its
// page anyway is refused.
func TestBrowserStaffWaiveRefused(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	id := o.log("3", "2026-11-02", "调整参保登记办理材料")
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Staff)
	run(t, ctx, "the event", chromedp.Navigate(fmt.Sprintf("%s/events/%d", o.srv.URL, id)), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	forms := eval[int](t, ctx, `document.querySelectorAll('form[action$="/waive"]').length`)
	if forms != 0 {
		t.Errorf("staff offered %d waive forms", forms)
	}
	shot(t, ctx, "event-staff")
	st := eval[int](t, ctx, fmt.Sprintf(`fetch('/events/%d/waive', {method: 'POST',
		headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'version=1&reason=x'}).then(r => r.status)`, id))
	if st != 403 {
		t.Errorf("staff's waive: %d, want 403", st)
	}
	d, _ := o.svc.Event(o.local(), app.EventRef{ID: id})
	if d.View.Status != tracker.Open {
		t.Errorf("the event is %s after a refused waive", d.View.Status)
	}
}

// The 总览's figures are the API's.
func TestBrowserOverviewEqualsAPI(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	o.log("3", "2026-10-09", "逾期 11 个工作日")
	o.log("3", "2026-10-23", "今天到期")
	o.log("3", "2026-10-26", "下周一到期")
	o.log("40", "2026-11-19", "还早")
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Supervisor)
	fromAPI := eval[app.Overview](t, ctx, `fetch('/api/v1/overview').then(r => r.json())`)
	for sel, want := range map[string]int{"#fig-overdue": fromAPI.Overdue, "#fig-today": fromAPI.DueToday,
		"#fig-week": fromAPI.DueThisWeek, "#fig-open": fromAPI.Open} {
		if got := text(t, ctx, sel); got != fmt.Sprint(want) {
			t.Errorf("%s shows %s, the API says %d", sel, got, want)
		}
	}
	if fromAPI.Open != 4 || fromAPI.Overdue != 1 || fromAPI.DueToday != 1 {
		t.Errorf("the API's overview: %+v", fromAPI)
	}
}

// A form posted from another site is refused.
func TestBrowserForeignOrigin(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	id := o.log("3", "2026-11-02", "调整参保登记办理材料")
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Officer)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/events/%d/waive">
<input name="version" value="1"><input name="reason" value="被别的网站提交"></form>
<script>document.getElementById('f').submit()</script>`, strings.Replace(o.srv.URL, "127.0.0.1", "localhost", 1), id)
	}))
	defer evil.Close()
	// The dashboard as localhost, the other site as 127.0.0.1: two sites.
	o.browserLoginAt(t, ctx, strings.Replace(o.srv.URL, "127.0.0.1", "localhost", 1))
	run(t, ctx, "visit the other site", chromedp.Navigate(evil.URL), chromedp.WaitVisible(chromedp.CSS(`.error`)))
	if got := text(t, ctx, ".error"); !strings.Contains(got, "跨站") {
		t.Errorf("a foreign form's answer: %q", got)
	}
	d, _ := o.svc.Event(o.local(), app.EventRef{ID: id})
	if d.View.Status != tracker.Open {
		t.Errorf("a foreign form waived the event: %s", d.View.Status)
	}
}

// browserLoginAt logs the officer in again on another name of the
// server.
func (o *office) browserLoginAt(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	run(t, ctx, "log in at "+base, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID(`account`)),
		chromedp.SendKeys(chromedp.ID(`account`), o.accounts[access.Officer]),
		chromedp.SendKeys(chromedp.ID(`password`), password), chromedp.Submit(chromedp.ID(`password`)),
		chromedp.WaitVisible(chromedp.CSS(`header nav`)))
}

// Five wrong passwords lock the account: the right one is then refused
// too, and the page says why.
func TestBrowserLockout(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Officer)
	run(t, ctx, "log out", chromedp.Click(chromedp.CSS(`button.link`)), chromedp.WaitVisible(chromedp.ID(`account`)))
	try := func(pw string) string {
		run(t, ctx, "try a password", chromedp.Navigate(o.srv.URL+"/login"), chromedp.WaitVisible(chromedp.ID(`account`)),
			chromedp.SendKeys(chromedp.ID(`account`), o.accounts[access.Officer]),
			chromedp.SendKeys(chromedp.ID(`password`), pw), chromedp.Submit(chromedp.ID(`password`)),
			chromedp.WaitVisible(chromedp.CSS(`.error`)))
		return text(t, ctx, ".error")
	}
	for i := range 5 {
		if got := try(fmt.Sprintf("Wrong-%d-password", i)); !strings.Contains(got, "账号或密码错误") && !strings.Contains(got, "锁定") {
			t.Errorf("wrong password %d: %q", i+1, got)
		}
	}
	if got := try(password); !strings.Contains(got, "锁定") {
		t.Errorf("the right password after 5 wrong ones: %q, want the account locked", got)
	}
	shot(t, ctx, "login-locked")
}

// A session unused for more than 30 minutes ends: the next page is the
// login page, which says why.
func TestBrowserIdleTimeout(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Supervisor)
	o.advance(31 * time.Minute)
	run(t, ctx, "come back", chromedp.Navigate(o.srv.URL+"/events"), chromedp.WaitVisible(chromedp.ID(`account`)))
	if got := text(t, ctx, ".notice"); !strings.Contains(got, "30 分钟未操作") {
		t.Errorf("after 31 minutes: %q", got)
	}
	shot(t, ctx, "login-idle")
	// Logged in again, the page asked for before comes back.
	run(t, ctx, "log in again", chromedp.SendKeys(chromedp.ID(`account`), o.accounts[access.Supervisor]),
		chromedp.SendKeys(chromedp.ID(`password`), password), chromedp.Submit(chromedp.ID(`password`)),
		chromedp.WaitNotPresent(chromedp.ID(`account`)), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if got := text(t, ctx, "h1"); got != "事件" {
		t.Errorf("after logging in again: %q, want the events page asked for", got)
	}
}

// The login works by keyboard alone: Tab from the top reaches the skip
// link, the account and the password; Enter logs in.
func TestBrowserKeyboard(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	ctx := tab(t, b)
	o.browserLogin(t, ctx, access.Officer) // the password changed
	run(t, ctx, "log out", chromedp.Click(chromedp.CSS(`button.link`)), chromedp.WaitVisible(chromedp.ID(`account`)))
	focused := eval[string](t, ctx, `document.activeElement.id`)
	if focused != "account" {
		t.Errorf("the login page's focus: %q, want the account", focused)
	}
	run(t, ctx, "type and tab", chromedp.KeyEvent(o.accounts[access.Officer]), chromedp.KeyEvent(kb.Tab))
	focused = eval[string](t, ctx, `document.activeElement.id`)
	if focused != "password" {
		t.Errorf("after Tab: %q, want the password", focused)
	}
	run(t, ctx, "type and enter", chromedp.KeyEvent(password), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`header nav`)))
	// From the top of a page, Tab reaches the skip link first.
	run(t, ctx, "tab from the top", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent(kb.Tab))
	focused = eval[string](t, ctx, `document.activeElement.className`)
	if focused != "skip" {
		t.Errorf("the first Tab stop: %q, want the skip link", focused)
	}
}

// Every page, opened by a role that may, checked for the basics and
// screenshotted at 1366×768.
func TestBrowserEveryPage(t *testing.T) {
	b := browser(t)
	o := newOffice(t)
	o.log("3", "2026-10-09", "调整参保登记办理材料")
	o.log("3", "2026-10-23", "公布新的参保登记办理流程")
	o.log("40", "2026-11-02", "缴费基数调整")
	o.log("12", "2026-11-19", "工伤认定流程更新")
	if _, err := o.svc.SendWeeklyReport(o.local(), app.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		role       access.Role
		name, path string
	}{
		{access.Officer, "calendar", "/calendar?month=2026-11"},
		{access.Officer, "calendar-october", "/calendar?month=2026-10"},
		{access.Officer, "catalog", "/catalog"},
		{access.Officer, "matter", "/catalog/3"},
		{access.Officer, "log", "/log"},
		{access.Officer, "events-overdue", "/events?status=overdue"},
		{access.Officer, "event", "/events/1"},
		{access.Officer, "outbox-officer", "/admin/outbox"},
		{access.Officer, "password", "/password"},
		{access.Supervisor, "reports", "/reports"},
		{access.Supervisor, "report", "/reports/2026-11-20"},
		{access.Auditor, "audit", "/audit"},
		{access.Auditor, "audit-logins", "/audit/logins"},
		{access.Auditor, "audit-verify", "/audit/verify"},
		{access.Admin, "admin-status", "/admin"},
		{access.Admin, "admin-accounts", "/admin/accounts"},
		{access.Admin, "admin-imports", "/admin/imports"},
		{access.Admin, "admin-outbox", "/admin/outbox"},
	}
	tabs := map[access.Role]context.Context{}
	for _, p := range pages {
		ctx, ok := tabs[p.role]
		if !ok {
			ctx = tab(t, b)
			o.browserLogin(t, ctx, p.role)
			tabs[p.role] = ctx
			if p.role == access.Admin || p.role == access.Auditor {
				checkPage(t, ctx, string(p.role)+"'s first page")
				shot(t, ctx, "home-"+string(p.role))
			}
		}
		run(t, ctx, "open "+p.path, chromedp.Navigate(o.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`h1`)))
		if got := text(t, ctx, "h1"); strings.Contains(got, "出错") {
			t.Errorf("%s as %s: %q", p.path, p.role, text(t, ctx, "main"))
		}
		checkPage(t, ctx, p.name)
		shot(t, ctx, p.name)
	}
	// On a wall screen (1920×1080): the overview with nothing cut off
	// sideways.
	ctx := tabs[access.Supervisor]
	run(t, ctx, "a wall screen", chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(o.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the overview is wider than a 1920-pixel screen")
	}
	shot(t, ctx, "overview-1920")
	run(t, ctx, "back to a laptop", chromedp.EmulateViewport(1366, 768), chromedp.Navigate(o.srv.URL+"/events"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the events are wider than a 1366-pixel screen")
	}
}
