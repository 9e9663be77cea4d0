package api

import (
	"net/http"
	"net/url"
	"strconv"

	"gongkai/calendar"
	"gongkai/tracker"
)

// The calendar's sums, on the server's calendar in force: what the
// calendar commands answer, for scripts.

// CalendarAdd is a date moved by working days.
type CalendarAdd struct {
	Date        calendar.Date `json:"date"`
	Days        int           `json:"days"`
	Result      calendar.Date `json:"result"`
	Provisional bool          `json:"provisional"`
}

// CalendarExplanation is CalendarAdd with every day passed.
type CalendarExplanation struct {
	CalendarAdd
	How     string         `json:"how"`
	Outcome string         `json:"outcome"`
	Steps   []CalendarStep `json:"steps"`
}

// CalendarStep is a day passed: counted (Ordinal ≠ 0) or skipped.
type CalendarStep struct {
	Date        calendar.Date `json:"date"`
	Workday     bool          `json:"workday"`
	Description string        `json:"description"`
	Provisional bool          `json:"provisional"`
	Ordinal     int           `json:"ordinal"`
}

// CalendarBetween counts the working days between two dates.
type CalendarBetween struct {
	From        calendar.Date `json:"from"`
	To          calendar.Date `json:"to"`
	Workdays    int           `json:"workdays"`
	Provisional bool          `json:"provisional"`
}

// CalendarStatus says, year by year, which schedules are official.
type CalendarStatus struct {
	Years []CalendarYear `json:"years"`
	// Pending are this year and next when their notice is still awaited
	// (0: not).
	PendingThisYear int `json:"pending_this_year"`
	PendingNextYear int `json:"pending_next_year"`
}

// CalendarYear is one span of years: official (a notice known) or
// estimated.
type CalendarYear struct {
	From     int    `json:"from"`
	To       int    `json:"to"`
	Official bool   `json:"official"`
	Label    string `json:"label"`
}

func requiredDate(q url.Values, name string) (calendar.Date, error) {
	if q.Get(name) == "" {
		return calendar.Date{}, tracker.FieldErrorf(tracker.EInvalid, name, "缺少 %s（YYYY-MM-DD）", name)
	}
	return dateParam(q, name)
}

func daysParam(q url.Values) (int, error) {
	n := 20
	if v := q.Get("days"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < -10000 || n > 10000 {
			return 0, tracker.FieldErrorf(tracker.EInvalid, "days", "工作日数 %q 无效：应为 -10000 至 10000 的整数", v)
		}
	}
	return n, nil
}

// countFrom reads a count's date and working days, and the calendar in
// force.
func (s *Server) countFrom(r *http.Request) (d calendar.Date, n int, c *calendar.Calendar, err error) {
	q := r.URL.Query()
	if d, err = requiredDate(q, "date"); err != nil {
		return
	}
	if n, err = daysParam(q); err != nil {
		return
	}
	c, err = s.cfg.Service.Calendar(r.Context())
	return
}

func (s *Server) calendarRoutes() {
	cal := func(r *http.Request) (*calendar.Calendar, error) { return s.cfg.Service.Calendar(r.Context()) }
	s.route("GET /api/v1/calendar/add", false, 0, get(func(r *http.Request) (any, error) {
		d, n, c, err := s.countFrom(r)
		if err != nil {
			return nil, err
		}
		res, prov, err := c.AddWorkdays(d, n)
		if err != nil {
			return nil, tracker.FieldErrorf(tracker.EInvalid, "date", "%v", err)
		}
		return CalendarAdd{Date: d, Days: n, Result: res, Provisional: prov}, nil
	}))
	s.route("GET /api/v1/calendar/explain", false, 0, get(func(r *http.Request) (any, error) {
		d, n, c, err := s.countFrom(r)
		if err != nil {
			return nil, err
		}
		x, err := c.Explanation(d, n)
		if err != nil {
			return nil, tracker.FieldErrorf(tracker.EInvalid, "date", "%v", err)
		}
		out := CalendarExplanation{CalendarAdd: CalendarAdd{Date: d, Days: n, Result: x.Result, Provisional: x.Provisional},
			How: x.How(), Outcome: x.Outcome(), Steps: []CalendarStep{}}
		for _, st := range x.Steps {
			out.Steps = append(out.Steps, CalendarStep{Date: st.Date, Workday: st.Workday(), Description: st.Description(),
				Provisional: st.Provisional, Ordinal: st.Ordinal})
		}
		return out, nil
	}))
	s.route("GET /api/v1/calendar/between", false, 0, get(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		from, err := requiredDate(q, "from")
		if err != nil {
			return nil, err
		}
		to, err := requiredDate(q, "to")
		if err != nil {
			return nil, err
		}
		c, err := cal(r)
		if err != nil {
			return nil, err
		}
		n, prov, err := c.WorkdaysBetween(from, to)
		if err != nil {
			return nil, tracker.FieldErrorf(tracker.EInvalid, "from", "%v", err)
		}
		return CalendarBetween{From: from, To: to, Workdays: n, Provisional: prov}, nil
	}))
	s.route("GET /api/v1/calendar/status", false, 0, get(func(r *http.Request) (any, error) {
		c, err := cal(r)
		if err != nil {
			return nil, err
		}
		today, err := dateParam(r.URL.Query(), "today")
		if err != nil {
			return nil, err
		}
		if today.IsZero() {
			today = calendar.Today(s.cfg.Now())
		}
		out := CalendarStatus{Years: []CalendarYear{}}
		for _, sp := range c.Spans() {
			out.Years = append(out.Years, CalendarYear{From: sp.From, To: sp.To, Official: sp.Official, Label: sp.Label()})
		}
		out.PendingThisYear, out.PendingNextYear = c.Pending(today)
		return out, nil
	}))
}
