package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

//go:embed templates static
var files embed.FS

// view is what every page's template gets.
type view struct {
	Title string
	Nav   string // the menu's item of the page
	Me    *app.Principal
	Menu  []menuItem
	// Error is a failure to show on the page (a form's, with its field).
	Error *tracker.Error
	// Notice is a sentence saying what was done.
	Notice string
	Today  calendar.Date
	Data   any
}

// Field reports whether the page's error is about field: the form marks
// that input.
func (v *view) Field(field string) bool { return v.Error != nil && v.Error.Field == field }

// HasMenu reports whether the viewer's menu has the item key.
func (v *view) HasMenu(key string) bool {
	for _, m := range v.Menu {
		if m.Key == key {
			return true
		}
	}
	return false
}

type menuItem struct {
	Key, Label, Href string
}

// menu is what the viewer may open: an item is shown only to the roles
// its page allows.
var menu = []struct {
	menuItem
	op access.Operation
}{
	{menuItem{"overview", "总览", "/"}, access.OpEvents},
	{menuItem{"events", "事件", "/events"}, access.OpEvents},
	{menuItem{"log", "登记", "/log"}, access.OpLog},
	{menuItem{"calendar", "日历", "/calendar"}, access.OpCalendar},
	{menuItem{"reports", "周报", "/reports"}, access.OpWeeklyReport},
	{menuItem{"catalog", "目录", "/catalog"}, access.OpMatters},
	{menuItem{"audit", "审计", "/audit"}, access.OpAudit},
	{menuItem{"admin", "管理", "/admin"}, access.OpAccounts},
	{menuItem{"outbox", "发件箱", "/admin/outbox"}, opOfficerOutbox},
}

// opOfficerOutbox marks the outbox's own item: for those who may read
// the outbox but not administer (an officer); administrators reach it
// under 管理.
const opOfficerOutbox access.Operation = "menu.outbox"

// menuOf is the menu of a viewer.
func menuOf(q *request) []menuItem {
	var out []menuItem
	for _, m := range menu {
		if m.op == opOfficerOutbox {
			if q.can(access.OpOutbox) && !q.can(access.OpAccounts) {
				out = append(out, m.menuItem)
			}
			continue
		}
		if q.can(m.op) {
			out = append(out, m.menuItem)
		}
	}
	return out
}

// pages are the parsed templates: each page with the layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"date":        func(d calendar.Date) string { return dateText(d) },
	"weekday":     weekdayName,
	"dateWeekday": func(d calendar.Date) string { return dateText(d) + "（" + weekdayName(d) + "）" },
	"status":      func(s tracker.Status) string { return s.Name() },
	"channel":     func(c tracker.Channel) string { return c.Name() },
	"channels":    func(cs []tracker.Channel) string { return tracker.ChannelNames(cs) },
	"kind":        func(k tracker.Kind) string { return k.Name() },
	"band":        bandOf,
	"time":        timeText,
	"action":      tracker.ActionName,
	"join":        strings.Join,
	"percent":     percentText,
	"rateLow":     func(r tracker.Rate) bool { p := r.Percent(); return p >= 0 && p < 90 },
	"add":         func(a, b int) int { return a + b },
	"roleNames":   roleNames,
	"query":       func(v url.Values) template.URL { return template.URL(v.Encode()) },
	"itoa":        strconv.Itoa,
	"dayClass":    dayClass,
	"hasPrefix":   strings.HasPrefix,
	"list":        func(s ...string) []string { return s },
	"stateName":   tracker.StateName,
	"has":         func(s []string, v string) bool { return slices.Contains(s, v) },
	"hasRole":     func(s []access.Role, v access.Role) bool { return slices.Contains(s, v) },
	"explainStep": func(x *calendar.Explanation, st calendar.Step) string { return x.Count(st) },
}

// dayClass is a day's kind as a class of the style sheet.
func dayClass(k calendar.Kind) string {
	return [...]string{"weekday", "weekend", "dayoff", "makeup"}[k]
}

func mustParse() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/parts.html"))
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		p.byName[name] = template.Must(template.Must(base.Clone()).ParseFS(files, n))
	}
	return p
}

// render writes a page: the whole of it, or, to htmx asking for a part,
// the template named by its part.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	s.renderPart(w, r, status, name, "layout.html", v)
}

// renderPart writes one template of a page ("layout.html": the page
// whole).
func (s *Server) renderPart(w http.ResponseWriter, r *http.Request, status int, name, part string, v *view) {
	t, ok := s.pages.byName[name]
	if !ok {
		panic("no template " + name)
	}
	if v.Today.IsZero() {
		v.Today = calendar.Today(s.cfg.Now())
	}
	if v.Me != nil && v.Menu == nil {
		v.Menu = menuOf(&request{Request: r, me: v.Me})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, part, v); err != nil {
		s.cfg.Log.Error("page rendering failed", "page", name, "error", err)
		http.Error(w, "页面生成失败，请联系系统管理员", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// page renders a page for a request.
func (s *Server) page(w http.ResponseWriter, q *request, status int, name string, v *view) {
	v.Me, v.Today = q.me, q.today
	s.render(w, q.Request, status, name, v)
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func weekdayName(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return weekdays[d.Weekday()]
}

func dateText(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// timeText is an instant in Beijing time, to the minute.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
}

func percentText(r tracker.Rate) string {
	p := r.Percent()
	if p < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", p)
}

func roleNames(rs []access.Role) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name())
	}
	return strings.Join(out, "、")
}

// band is how a deadline stands, as a colour band with its words: never
// the colour alone.
type band struct {
	Class, Label, Detail string
	// Provisional: the deadline falls on a year whose schedule is an
	// estimate (its own band beside the other).
	Provisional bool
}

// bandOf is the band of an event's view as of its day.
func bandOf(v tracker.EventView, asOf calendar.Date) band {
	if v.WorkdaysLeft == nil {
		if v.Status == tracker.Done || v.Status == tracker.DoneLate || v.Status == tracker.Waived {
			return band{Class: "closed", Label: v.Status.Name(), Detail: ""}
		}
		return band{Class: "cancelled", Label: v.Status.Name(), Detail: ""}
	}
	n := *v.WorkdaysLeft
	var b band
	switch {
	case asOf.After(v.Deadline):
		b = band{Class: "overdue", Label: "已逾期", Detail: fmt.Sprintf("逾期 %d 个工作日", -n)}
	case asOf == v.Deadline:
		b = band{Class: "today", Label: "今天到期", Detail: ""}
	case n <= 1:
		b = band{Class: "soon1", Label: "即将到期", Detail: fmt.Sprintf("还有 %d 个工作日", n)}
	case n <= 5:
		b = band{Class: "soon5", Label: "5 日内到期", Detail: fmt.Sprintf("还有 %d 个工作日", n)}
	default:
		b = band{Class: "ontrack", Label: "正常", Detail: fmt.Sprintf("还有 %d 个工作日", n)}
	}
	b.Provisional = v.Provisional
	return b
}
