package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// eventPage is the 事件详情's data.
type eventPage struct {
	*app.EventDetail
	Explanation *calendar.Explanation
	// Actions are those the viewer may take on the event as it stands.
	Actions map[string]bool
	// Failed is the action whose form the error is about.
	Failed string
	// Form is what the failed form had, to fill it again.
	Form map[string]string
	// Retractable are the channels with a disclosure that counts.
	Retractable []tracker.Channel
}

// Value is what the failed form had in field, or def.
func (p *eventPage) Value(action, field, def string) string {
	if p.Failed == action {
		return p.Form[field]
	}
	return def
}

// eventActions are the changes an event's page offers, with the
// operation each needs.
var eventActions = []struct {
	name string
	op   access.Operation
}{
	{"disclose", access.OpDisclose}, {"waive", access.OpWaive}, {"amend", access.OpAmend}, {"retract", access.OpRetract},
	{"reopen", access.OpReopen}, {"cancel", access.OpCancel}, {"restore", access.OpRestore},
}

func eventIDOf(q *request) (uint64, error) {
	v := q.PathValue("id")
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil || id == 0 {
		return 0, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldEvent, "事件编号 %q 无效：应为正整数", v)
	}
	return id, nil
}

// eventView builds the page of event id.
func (s *Server) eventView(ctx context.Context, q *request, id uint64) (*eventPage, error) {
	d, err := s.cfg.Service.Event(ctx, app.EventRef{ID: id})
	if err != nil {
		return nil, err
	}
	p := &eventPage{EventDetail: d, Actions: map[string]bool{}}
	if cal, err := s.cfg.Service.Calendar(ctx); err == nil {
		if x, err := cal.Explanation(d.Event.Date, d.Event.TimeLimit); err == nil {
			p.Explanation = x
		}
	}
	st := d.View.Status
	for _, a := range eventActions {
		if !q.can(a.op) {
			continue
		}
		switch a.name {
		case "disclose":
			p.Actions[a.name] = st.Counting() && len(d.View.ChannelsPending) > 0
		case "waive":
			p.Actions[a.name] = st.Counting()
		case "amend", "cancel":
			p.Actions[a.name] = st != tracker.Cancelled
		case "reopen":
			p.Actions[a.name] = st.Closed()
		case "restore":
			p.Actions[a.name] = st == tracker.Cancelled
		}
	}
	for _, c := range d.Event.Channels {
		for _, ds := range d.Event.Disclosures {
			if ds.Channel == c && ds.Void == nil {
				p.Retractable = append(p.Retractable, c)
				break
			}
		}
	}
	p.Actions["retract"] = q.can(access.OpRetract) && len(p.Retractable) > 0 && st != tracker.Cancelled
	return p, nil
}

// event is GET /events/{id}.
func (s *Server) event(w http.ResponseWriter, q *request) error {
	id, err := eventIDOf(q)
	if err != nil {
		return err
	}
	p, err := s.eventView(q.Context(), q, id)
	if err != nil {
		return err
	}
	notice := map[string]string{"disclose": "已登记公开。", "waive": "已登记免于公开。", "amend": "已更正。", "retract": "已撤回该渠道的公开记录。",
		"reopen": "已重新打开。", "cancel": "已作废。", "restore": "已恢复。", "log": "已登记。"}[q.URL.Query().Get("done")]
	s.page(w, q, http.StatusOK, "event", &view{Title: "事件 " + strconv.FormatUint(id, 10), Nav: "events", Notice: notice, Data: p})
	return nil
}

// change is POST /events/{id}/{action}: the action's form, against the
// version of the event the page showed. Refused, the page comes back
// with the error beside the form and what was typed in it.
func (s *Server) change(action string) handler {
	return func(w http.ResponseWriter, q *request) error {
		id, err := eventIDOf(q)
		if err != nil {
			return err
		}
		if err := q.ParseForm(); err != nil {
			return formError(err)
		}
		form := q.PostForm
		version, _ := strconv.Atoi(form.Get("version"))
		if version <= 0 {
			return tracker.FieldErrorf(tracker.EInvalid, tracker.FieldVersion, "表单缺少事件的版本：请刷新页面后再提交")
		}
		reason := form.Get("reason")
		err = func() error {
			ctx, svc := q.Context(), s.cfg.Service
			var err error
			switch action {
			case "disclose":
				in := app.DiscloseInput{Event: id, Version: version, URL: strings.TrimSpace(form.Get("url")), Note: form.Get("note")}
				for _, c := range form["channel"] {
					in.Channels = append(in.Channels, tracker.Channel(c))
				}
				if len(in.Channels) == 0 {
					return tracker.Invalid(tracker.FieldChannels, "没有选择公开渠道：请勾选已公开的渠道")
				}
				if in.Date, err = formDate(form.Get("date"), tracker.FieldDate, "公开日期"); err != nil {
					return err
				}
				_, err = svc.Disclose(ctx, in)
			case "waive":
				_, err = svc.Waive(ctx, app.WaiveInput{Event: id, Version: version, Reason: reason})
			case "amend":
				in := app.AmendInput{Event: id, Version: version, Reason: reason, Matter: strings.TrimSpace(form.Get("matter"))}
				if v := form.Get("date"); v != "" {
					d, err := formDate(v, tracker.FieldDate, "形成或变更日期")
					if err != nil {
						return err
					}
					in.Date = &d
				}
				if form.Has("summary") {
					v := form.Get("summary")
					in.Summary = &v
				}
				if form.Has("ref") {
					v := form.Get("ref")
					in.Ref = &v
				}
				_, err = svc.Amend(ctx, in)
			case "retract":
				_, err = svc.Retract(ctx, app.RetractInput{Event: id, Version: version, Channel: tracker.Channel(form.Get("channel")), Reason: reason})
			case "reopen":
				_, err = svc.Reopen(ctx, app.ReasonInput{Event: id, Version: version, Reason: reason})
			case "cancel":
				_, err = svc.Cancel(ctx, app.ReasonInput{Event: id, Version: version, Reason: reason})
			case "restore":
				_, err = svc.Restore(ctx, app.ReasonInput{Event: id, Version: version, Reason: reason})
			}
			return err
		}()
		e := tracker.AsError(err)
		switch {
		case err == nil:
			s.redirect(w, q.Request, "/events/"+strconv.FormatUint(id, 10)+"?done="+action)
			return nil
		case e == nil || status(err) >= 500 || e.Code == tracker.ENotFound || e.Code == tracker.EForbidden:
			// A role refused, or an event one may not see: the error page,
			// not the event's.
			return err
		}
		p, perr := s.eventView(q.Context(), q, id)
		if perr != nil {
			return perr
		}
		p.Failed = action
		p.Form = map[string]string{}
		for k := range form {
			p.Form[k] = form.Get(k)
		}
		if e.Code == tracker.EConflict && e.Field == tracker.FieldVersion {
			e = &tracker.Error{Code: e.Code, Field: e.Field, Message: e.Message + "。下面是事件现在的样子，你的修改没有保存。"}
		}
		s.page(w, q, status(err), "event", &view{Title: "事件 " + strconv.FormatUint(id, 10), Nav: "events", Error: e, Data: p})
		return nil
	}
}

// formDate reads a form's date: "" is today.
func formDate(v, field, label string) (calendar.Date, error) {
	if v == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return d, tracker.Invalid(field, "%s %q 无效：%v", label, v, err)
	}
	return d, nil
}
