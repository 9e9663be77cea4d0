package web

import (
	"net/http"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// monthPage is the 日历's data: a month as weeks of days, Monday first.
type monthPage struct {
	Year        int
	Month       int
	Weeks       [][]monthDay
	Prev, Next  string // yyyy-mm
	SeesEvents  bool
	Provisional bool // some day of the month is an estimate
	Feed        *feedInfo
}

// monthDay is a cell of the grid.
type monthDay struct {
	calendar.Day
	InMonth bool
	Today   bool
	Due     []tracker.EventView
}

// Short is the holiday's name as a cell has room for.
func (d monthDay) Short() string { return calendar.ShortHolidayName(d.Name) }

// calendarPage is GET /calendar?month=YYYY-MM: the month's days, the
// holidays and make-up workdays, the provisional days, and the events
// due on each day.
func (s *Server) calendarPage(w http.ResponseWriter, q *request) error {
	notice := ""
	if q.URL.Query().Get("feed") == "revoked" {
		notice = "订阅地址已停用。"
	}
	return s.calendarWith(w, q, "", notice)
}

// calendarWith renders the month, with a feed's address just made (shown
// once) and a notice.
func (s *Server) calendarWith(w http.ResponseWriter, q *request, feedURL, notice string) error {
	year, month := q.today.Year(), int(q.today.Month())
	if v := q.URL.Query().Get("month"); v != "" {
		t, err := time.Parse("2006-01", v)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return tracker.Invalid("month", "月份 %q 无效：应写作 YYYY-MM，如 2026-10", v)
		}
		year, month = t.Year(), int(t.Month())
	} else if q.Method == http.MethodPost {
		year, month = q.today.Year(), int(q.today.Month())
	}
	cal, err := s.cfg.Service.Calendar(q.Context())
	if err != nil {
		return err
	}
	first := calendar.DateOf(year, time.Month(month), 1)
	last := first.AddDays(calendar.DaysIn(year, time.Month(month)) - 1)
	start := first.AddDays(-((int(first.Weekday()) + 6) % 7))
	end := last.AddDays((7 - int(last.Weekday())) % 7)
	p := &monthPage{Year: year, Month: month,
		Prev: first.AddDays(-1).String()[:7], Next: last.AddDays(1).String()[:7]}
	due := map[calendar.Date][]tracker.EventView{}
	if q.can(access.OpEvents) {
		p.SeesEvents = true
		list, err := s.cfg.Service.Events(q.Context(), app.EventQuery{DueFrom: start, DueTo: end, Order: app.OrderDeadline, Limit: 5000})
		if err != nil {
			return err
		}
		for _, e := range list.Events {
			due[e.Deadline] = append(due[e.Deadline], e)
		}
	}
	var week []monthDay
	for d := start; !d.After(end); d = d.AddDays(1) {
		day, err := cal.Day(d)
		if err != nil {
			return tracker.Invalid("month", "%d 年 %d 月不在日历范围内：%v", year, month, err)
		}
		in := !d.Before(first) && !d.After(last)
		p.Provisional = p.Provisional || in && day.Provisional
		week = append(week, monthDay{Day: day, InMonth: in, Today: d == q.today, Due: due[d]})
		if len(week) == 7 {
			p.Weeks = append(p.Weeks, week)
			week = nil
		}
	}
	if s.cfg.Feeds != nil && p.SeesEvents {
		info, err := s.cfg.Feeds.FeedOf(q.Context())
		if err != nil {
			return err
		}
		p.Feed = &feedInfo{FeedInfo: info, URL: feedURL}
	}
	s.page(w, q, http.StatusOK, "calendar", &view{Title: "日历", Nav: "calendar", Notice: notice, Data: p})
	return nil
}
