package web

import (
	"html/template"
	"net/http"

	"gongkai/calendar"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// overviewPage is the 总览's data.
type overviewPage struct {
	*app.Overview
	Rates, Trend, Ageing template.HTML
	PendingNote          string
}

// overview is GET /: the office at a glance; a viewer who sees no events
// goes to the first page the menu offers.
func (s *Server) overview(w http.ResponseWriter, q *request) error {
	if !q.can(access.OpEvents) {
		// The page of one's work: an administrator's status, an
		// auditor's log.
		switch {
		case q.can(access.OpAccounts):
			s.redirect(w, q.Request, "/admin")
			return nil
		case q.can(access.OpAudit):
			s.redirect(w, q.Request, "/audit")
			return nil
		}
		if m := menuOf(q); len(m) > 0 {
			s.redirect(w, q.Request, m[0].Href)
			return nil
		}
		s.redirect(w, q.Request, "/password")
		return nil
	}
	o, err := s.cfg.Service.Overview(q.Context(), app.OverviewQuery{})
	if err != nil {
		return err
	}
	p := overviewPage{Overview: o, Rates: rateChart(o.Level1), Trend: trendChart(o.Weeks), Ageing: ageingChart(o.Ageing)}
	switch {
	case o.PendingThisYear != 0:
		p.PendingNote = calendar.ThisYearPending(o.PendingThisYear)
	case o.PendingNextYear != 0:
		p.PendingNote = calendar.NextYearPending(o.PendingNextYear)
	}
	s.page(w, q, http.StatusOK, "overview", &view{Title: "总览", Nav: "overview", Data: p})
	return nil
}
