package web

import (
	"net/http"
	"strconv"
	"strings"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// catalogPage is the 目录's data.
type catalogPage struct {
	*app.MatterList
	Search string
}

// catalog is GET /catalog: the catalogue in force, every column, or the
// matters whose names contain a text.
func (s *Server) catalog(w http.ResponseWriter, q *request) error {
	search := strings.TrimSpace(q.URL.Query().Get("search"))
	if len([]rune(search)) > 100 {
		return tracker.Invalid("search", "查找的文字太长：至多 100 个字")
	}
	list, err := s.cfg.Service.Matters(q.Context(), app.MatterQuery{Search: search})
	if err != nil {
		return err
	}
	s.page(w, q, http.StatusOK, "catalog", &view{Title: "目录", Nav: "catalog", Data: &catalogPage{MatterList: list, Search: search}})
	return nil
}

// matterPage is a matter's page: its columns, and its events when the
// viewer sees events.
type matterPage struct {
	*app.MatterDetail
	Events    *app.EventList
	SeesEvent bool
}

// matter is GET /catalog/{seq}.
func (s *Server) matter(w http.ResponseWriter, q *request) error {
	seq, err := strconv.Atoi(q.PathValue("seq"))
	if err != nil || seq <= 0 {
		return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldMatter, "事项序号 %q 无效：应为正整数", q.PathValue("seq"))
	}
	d, err := s.cfg.Service.Matter(q.Context(), strconv.Itoa(seq))
	if err != nil {
		return err
	}
	p := &matterPage{MatterDetail: d}
	if q.can(access.OpEvents) {
		p.SeesEvent = true
		if p.Events, err = s.cfg.Service.Events(q.Context(), app.EventQuery{Matter: strconv.Itoa(seq), Order: app.OrderDeadline, Limit: 200}); err != nil {
			return err
		}
	}
	s.page(w, q, http.StatusOK, "matter", &view{Title: d.Matter.ShortName(), Nav: "catalog", Data: p})
	return nil
}
