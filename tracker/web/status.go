package web

import (
	"fmt"
	"net/http"
	"strconv"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// statusPage is the 系统状态's data.
type statusPage struct {
	*app.SystemStatus
	Mail  string
	Probe string // the mail server check's result
	// ProbeFailed: the check failed, Probe says why.
	ProbeFailed bool
	CanProbe    bool
}

// Size is the database's size for people.
func (p *statusPage) Size() string {
	n := p.Database.Size
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}

func (s *Server) statusPage(q *request) (*statusPage, error) {
	st, err := s.cfg.Service.Status(q.Context())
	if err != nil {
		return nil, err
	}
	if s.cfg.Jobs != nil {
		st.Jobs = s.cfg.Jobs(s.cfg.Now())
	}
	return &statusPage{SystemStatus: st, Mail: s.cfg.Mail, CanProbe: s.cfg.ProbeMail != nil}, nil
}

// status is GET /admin: how the server stands.
func (s *Server) status(w http.ResponseWriter, q *request) error {
	p, err := s.statusPage(q)
	if err != nil {
		return err
	}
	s.page(w, q, http.StatusOK, "status", &view{Title: "系统状态", Nav: "admin", Data: p})
	return nil
}

// probe is POST /admin/mail-check: the mail server checked, without
// sending.
func (s *Server) probe(w http.ResponseWriter, q *request) error {
	p, err := s.statusPage(q)
	if err != nil {
		return err
	}
	if s.cfg.ProbeMail == nil {
		return tracker.FieldErrorf(tracker.EUnavailable, "smtp", "这个服务器没有配置邮件服务器检查")
	}
	p.Probe, err = s.cfg.ProbeMail(q.Context())
	if err != nil {
		p.ProbeFailed, p.Probe = true, s.message(q.Request, err).Message
	}
	s.page(w, q, http.StatusOK, "status", &view{Title: "系统状态", Nav: "admin", Data: p})
	return nil
}

// outbox is GET /admin/outbox: the messages, the failed ones first.
func (s *Server) outbox(w http.ResponseWriter, q *request) error {
	list, err := s.cfg.Service.Outbox(q.Context())
	if err != nil {
		return err
	}
	notice := ""
	if q.URL.Query().Get("done") == "retry" {
		notice = "已重新排入待发。"
	}
	msgs := list.Messages
	// The latest first, at most 500: the outbox only grows.
	out := make([]*tracker.Message, 0, min(len(msgs), 500))
	for i := len(msgs) - 1; i >= 0 && len(out) < 500; i-- {
		out = append(out, msgs[i])
	}
	s.page(w, q, http.StatusOK, "outbox", &view{Title: "发件箱", Nav: "outbox", Notice: notice,
		Data: map[string]any{"Messages": out, "Total": len(msgs)}})
	return nil
}

// retry is POST /admin/outbox/{id}/retry: a failed message queued again.
func (s *Server) retry(w http.ResponseWriter, q *request) error {
	id, err := strconv.ParseUint(q.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldMessage, "邮件编号 %q 无效", q.PathValue("id"))
	}
	if _, err := s.cfg.Service.RetryMessage(q.Context(), app.RetryInput{ID: id}); err != nil {
		return err
	}
	s.redirect(w, q.Request, "/admin/outbox?done=retry")
	return nil
}
