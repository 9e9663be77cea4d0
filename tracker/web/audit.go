package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// AuditShown bounds the entries a page of the audit log shows (the
// latest first).
const AuditShown = 500

// auditPage is the 审计 page's data.
type auditPage struct {
	Logins                         bool
	From, To, Event, Actor, Action string
	Entries                        []app.AuditView
	Total                          int
}

// audit is GET /audit (and /audit/logins: the login history): the log
// with its filters, the latest first; without dates, the last 7 days.
func (s *Server) audit(logins bool) handler {
	return func(w http.ResponseWriter, q *request) error {
		v := q.URL.Query()
		p := &auditPage{Logins: logins, From: v.Get("from"), To: v.Get("to"), Event: strings.TrimSpace(v.Get("event")),
			Actor: strings.TrimSpace(v.Get("actor")), Action: strings.TrimSpace(v.Get("action"))}
		if p.From == "" && p.To == "" && p.Event == "" {
			p.From = q.today.AddDays(-6).String()
		}
		in := app.AuditQuery{Actor: p.Actor, Action: p.Action, Logins: logins}
		err := func() error {
			var err error
			if in.From, err = formDate(p.From, "from", "起始日期"); err != nil {
				return err
			}
			if in.To, err = formDate(p.To, "to", "截止日期"); err != nil {
				return err
			}
			if p.Event != "" {
				if in.Event, err = strconv.ParseUint(p.Event, 10, 64); err != nil || in.Event == 0 {
					return tracker.Invalid(tracker.FieldEvent, "事件编号 %q 无效：应为正整数", p.Event)
				}
			}
			list, err := s.cfg.Service.Audit(q.Context(), in)
			if err != nil {
				return err
			}
			p.Total = len(list.Entries)
			p.Entries = list.Entries[max(0, len(list.Entries)-AuditShown):]
			slices.Reverse(p.Entries)
			return nil
		}()
		title := "审计记录"
		if logins {
			title = "登录记录"
		}
		vw := &view{Title: title, Nav: "audit", Data: p}
		if e := tracker.AsError(err); e != nil && e.Code == tracker.EInvalid {
			vw.Error = e
			s.page(w, q, http.StatusBadRequest, "audit", vw)
			return nil
		} else if err != nil {
			return err
		}
		s.page(w, q, http.StatusOK, "audit", vw)
		return nil
	}
}

// verifyPage is the verification's result: sound, or the damage found.
type verifyPage struct {
	Result *app.AuditVerification
	Damage *tracker.Error
}

// verify is GET /audit/verify: the chain checked whole, and the stored
// events against it.
func (s *Server) verify(w http.ResponseWriter, q *request) error {
	res, err := s.cfg.Service.VerifyAudit(q.Context())
	p := &verifyPage{Result: res}
	if e := tracker.AsError(err); e != nil && e.Code == tracker.EDamaged {
		p.Damage = e
	} else if err != nil {
		return err
	}
	st := http.StatusOK
	if p.Damage != nil {
		st = http.StatusConflict // the page is served; what it says is not well
	}
	s.page(w, q, st, "verify", &view{Title: "校验审计记录", Nav: "audit", Data: p})
	return nil
}
