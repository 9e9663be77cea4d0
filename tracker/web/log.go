package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// logPage is the 登记 page's data.
type logPage struct {
	Matters []tracker.Matter
	Form    logForm
	// Preview is the event the form would log, when it would; else
	// PreviewError says why not.
	Preview      *app.EventDetail
	PreviewError *tracker.Error
}

// logForm is what the 登记 form holds.
type logForm struct {
	Matter, Kind, Date, Summary, Ref string
}

func readLogForm(get func(string) string) logForm {
	return logForm{Matter: strings.TrimSpace(get("matter")), Kind: get("kind"), Date: get("date"),
		Summary: get("summary"), Ref: get("ref")}
}

// matterRef is the matter a picker's text names: "3 社会保险… › …" is 3.
func matterRef(v string) string {
	v = strings.TrimSpace(v)
	i := strings.IndexFunc(v, func(r rune) bool { return !unicode.IsDigit(r) })
	if i > 0 && (v[i] == ' ' || v[i] == '.') {
		return v[:i]
	}
	return v
}

// input is the form as the application layer's input.
func (f logForm) input(dry bool) (app.LogInput, error) {
	in := app.LogInput{Matter: matterRef(f.Matter), Kind: tracker.Kind(f.Kind), Summary: f.Summary, Ref: f.Ref, DryRun: dry}
	d, err := formDate(f.Date, tracker.FieldDate, "形成或变更日期")
	in.Date = d
	return in, err
}

func (s *Server) logPage(q *request) *logPage {
	p := &logPage{Form: logForm{Kind: string(tracker.Formed), Date: q.today.String()}}
	if list, err := s.cfg.Service.Matters(q.Context(), app.MatterQuery{}); err == nil {
		p.Matters = list.Matters
	}
	return p
}

// logShow is GET /log: the form, and, asked for a preview (without
// script: the form's 预览 button), the deadline it would have.
func (s *Server) logShow(w http.ResponseWriter, q *request) error {
	p := s.logPage(q)
	v := &view{Title: "登记", Nav: "log", Data: p}
	if q.URL.Query().Has("matter") {
		p.Form = readLogForm(q.URL.Query().Get)
		p.PreviewError = s.preview(q, p)
	}
	s.page(w, q, http.StatusOK, "log", v)
	return nil
}

// preview fills p's preview; the error is the form's.
func (s *Server) preview(q *request, p *logPage) *tracker.Error {
	if p.Form.Matter == "" {
		return nil
	}
	in, err := p.Form.input(true)
	if err == nil {
		if in.Summary == "" {
			in.Summary = "（预览）" // the preview needs none yet
		}
		p.Preview, err = s.cfg.Service.Log(q.Context(), in)
	}
	return tracker.AsError(err)
}

// logPreview is GET /log/preview: htmx's part of the page with the
// deadline, as the form is filled.
func (s *Server) logPreview(w http.ResponseWriter, q *request) error {
	// The part only: no catalogue to read for the picker, on every key.
	p := &logPage{Form: readLogForm(q.URL.Query().Get)}
	p.PreviewError = s.preview(q, p)
	v := &view{Title: "登记", Nav: "log", Data: p}
	v.Me, v.Today = q.me, q.today
	s.renderPart(w, q.Request, http.StatusOK, "log", "preview", v)
	return nil
}

// logCreate is POST /log.
func (s *Server) logCreate(w http.ResponseWriter, q *request) error {
	if err := q.ParseForm(); err != nil {
		return formError(err)
	}
	p := s.logPage(q)
	p.Form = readLogForm(q.PostForm.Get)
	in, err := p.Form.input(false)
	var d *app.EventDetail
	if err == nil {
		d, err = s.cfg.Service.Log(q.Context(), in)
	}
	if e := tracker.AsError(err); e != nil && (status(err) < 500 && e.Code != tracker.EForbidden || e.Field == tracker.FieldMatter) {
		s.preview(q, p)
		s.page(w, q, status(err), "log", &view{Title: "登记", Nav: "log", Data: p, Error: e})
		return nil
	} else if err != nil {
		return err
	}
	s.redirect(w, q.Request, "/events/"+strconv.FormatUint(d.View.ID, 10)+"?done=log")
	return nil
}
