package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// PageSize is the events listed on a page.
const PageSize = 50

// eventFilter is the 事件 page's filters, as the form has them.
type eventFilter struct {
	Status   []string // status codes
	Due      string   // "", today, week
	Level1   string
	Section  string
	Matter   string
	From, To string
	// DueFrom, DueTo bound the deadlines.
	DueFrom, DueTo string
	Text           string
	By             string
	Page           int
}

// eventsPage is the 事件 page's data.
type eventsPage struct {
	Filter   eventFilter
	List     *app.EventList
	Level1s  []string
	Sections []string
	Statuses []tracker.Status
	First    int // the first row's number, from 1
	Prev     url.Values
	Next     url.Values
	Export   url.Values
}

// Has reports whether the filter asks for status st.
func (f eventFilter) Has(st tracker.Status) bool { return slices.Contains(f.Status, string(st)) }

// values are the filter as a query string, for links.
func (f eventFilter) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("status", strings.Join(f.Status, ","))
	set("due", f.Due)
	set("level1", f.Level1)
	set("section", f.Section)
	set("due_from", f.DueFrom)
	set("due_to", f.DueTo)
	set("matter", f.Matter)
	set("from", f.From)
	set("to", f.To)
	set("text", f.Text)
	set("by", f.By)
	return v
}

// readFilter reads the filters of a request: bad values are said as the
// form's fields.
func readFilter(q url.Values) (eventFilter, error) {
	f := eventFilter{Due: q.Get("due"), Level1: q.Get("level1"), Section: q.Get("section"), DueFrom: q.Get("due_from"), DueTo: q.Get("due_to"),
		Matter: strings.TrimSpace(q.Get("matter")),
		From:   q.Get("from"), To: q.Get("to"), Text: q.Get("text"), By: strings.TrimSpace(q.Get("by")), Page: 1}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" && !slices.Contains(f.Status, st) {
				f.Status = append(f.Status, st)
			}
		}
	}
	if len(f.Status) > len(tracker.Statuses) {
		return f, tracker.Invalid(tracker.FieldStatus, "状态选得太多")
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return f, tracker.Invalid("page", "页码 %q 无效：应为正整数", p)
		}
		f.Page = n
	}
	if f.Due != "" && f.Due != "today" && f.Due != "week" {
		return f, tracker.Invalid("due", "到期范围 %q 无效：可选 today、week", f.Due)
	}
	return f, nil
}

// query is the filter as the application layer's query, as of today.
func (s *Server) query(q *request, f eventFilter) (app.EventQuery, error) {
	in := app.EventQuery{Level1: f.Level1, Section: f.Section, Matter: f.Matter, Text: f.Text, By: f.By, Order: app.OrderDeadline}
	for _, st := range f.Status {
		in.Status = append(in.Status, tracker.Status(st))
	}
	for _, d := range []struct {
		field, label, v string
		dst             *calendar.Date
	}{{"from", "起始日期", f.From, &in.From}, {"to", "截止日期", f.To, &in.To},
		{"due_from", "期限起始日期", f.DueFrom, &in.DueFrom}, {"due_to", "期限截止日期", f.DueTo, &in.DueTo}} {
		if d.v == "" {
			continue
		}
		day, err := calendar.ParseDate(d.v)
		if err != nil {
			return in, tracker.Invalid(d.field, "%s %q 无效：%v", d.label, d.v, err)
		}
		*d.dst = day
	}
	// One end of the deadlines given: the other is open.
	switch {
	case in.DueFrom.IsZero() && !in.DueTo.IsZero():
		in.DueFrom = calendar.FirstDate
	case !in.DueFrom.IsZero() && in.DueTo.IsZero():
		in.DueTo = calendar.LastDate
	}
	switch f.Due {
	case "today":
		in.DueWithin = new(int)
	case "week":
		// The working days to this week's Sunday: the events due by then.
		cal, err := s.cfg.Service.Calendar(q.Context())
		if err != nil {
			return in, err
		}
		sunday := q.today.AddDays((7 - int(q.today.Weekday())) % 7)
		n, _, err := cal.WorkdaysBetween(q.today, sunday)
		if err != nil {
			return in, err
		}
		in.DueWithin = &n
	}
	return in, nil
}

// events is GET /events: the list, sorted by deadline, a page at a time.
func (s *Server) events(w http.ResponseWriter, q *request) error {
	f, ferr := readFilter(q.URL.Query())
	p := eventsPage{Filter: f, Statuses: tracker.Statuses, List: &app.EventList{}}
	if cat, err := s.cfg.Service.Matters(q.Context(), app.MatterQuery{}); err == nil {
		for _, m := range cat.Matters {
			if !slices.Contains(p.Level1s, m.Level1) && (q.me.Local || access.ScopeOf(q.me.Roles, q.me.Sections).Reaches(m.Level1)) {
				p.Level1s = append(p.Level1s, m.Level1)
			}
		}
	}
	if secs, err := s.cfg.Service.Sections(q.Context()); err == nil {
		for _, sec := range secs.Sections {
			p.Sections = append(p.Sections, sec.Name)
		}
	}
	v := &view{Title: "事件", Nav: "events", Data: &p}
	err := ferr
	var in app.EventQuery
	if err == nil {
		in, err = s.query(q, f)
	}
	if err == nil {
		in.Offset, in.Limit = (f.Page-1)*PageSize, PageSize
		var list *app.EventList
		if list, err = s.cfg.Service.Events(q.Context(), in); err == nil {
			p.List = list
		}
	}
	if e := tracker.AsError(err); e != nil && status(err) < 500 && e.Code != tracker.EForbidden {
		v.Error = e
		s.page(w, q, status(err), "events", v)
		return nil
	} else if err != nil {
		return err
	}
	p.First = (f.Page-1)*PageSize + 1
	if f.Page > 1 {
		p.Prev = f.values()
		p.Prev.Set("page", strconv.Itoa(f.Page-1))
	}
	if p.List.More {
		p.Next = f.values()
		p.Next.Set("page", strconv.Itoa(f.Page+1))
	}
	p.Export = f.values()
	s.page(w, q, http.StatusOK, "events", v)
	return nil
}

// MaxExport bounds an export's rows.
const MaxExport = 200_000

// export is GET /events/export?format=csv|xlsx: the list with the
// page's filters, whole.
func (s *Server) export(w http.ResponseWriter, q *request) error {
	format := q.URL.Query().Get("format")
	if s.cfg.RenderEvents == nil {
		return tracker.Errorf(tracker.EInvalid, "此服务器没有配置事件导出")
	}
	if format != "csv" && format != "xlsx" {
		return tracker.Invalid("format", "导出格式 %q 无效：可选 csv、xlsx", format)
	}
	f, err := readFilter(q.URL.Query())
	if err != nil {
		return err
	}
	in, err := s.query(q, f)
	if err != nil {
		return err
	}
	in.Limit = MaxExport
	list, err := s.cfg.Service.Events(q.Context(), in)
	if err != nil {
		return err
	}
	if list.More {
		return tracker.Invalid("format", "符合条件的事件超过 %d 件，请缩小范围后再导出", MaxExport)
	}
	data, err := s.cfg.RenderEvents(list, format)
	if err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	name := "events-" + list.AsOf.String() + "." + format
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape("事件-"+list.AsOf.String()+"."+format))
	w.Write(data)
	return nil
}
