package web

import (
	"net/http"
	"net/url"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// reports is GET /reports: the weekly reports as they went out.
func (s *Server) reports(w http.ResponseWriter, q *request) error {
	list, err := s.cfg.Service.SentReports(q.Context())
	if err != nil {
		return err
	}
	s.page(w, q, http.StatusOK, "reports", &view{Title: "周报", Nav: "reports", Data: list})
	return nil
}

func (s *Server) sentReport(q *request) (*app.SentReport, error) {
	d, err := calendar.ParseDate(q.PathValue("day"))
	if err != nil {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldDate, "周报日期 %q 无效：%v", q.PathValue("day"), err)
	}
	return s.cfg.Service.SentReportContent(q.Context(), d)
}

// report is GET /reports/{day}: one report, its mail shown as it was
// (in a frame of its own, without script), with its attachments.
func (s *Server) report(w http.ResponseWriter, q *request) error {
	r, err := s.sentReport(q)
	if err != nil {
		return err
	}
	s.page(w, q, http.StatusOK, "report", &view{Title: "周报 " + r.Day.String(), Nav: "reports", Data: r})
	return nil
}

// reportMail is GET /reports/{day}/mail: the report's HTML as it was
// sent, for the report page's frame: sandboxed, no script, nothing from
// elsewhere.
func (s *Server) reportMail(w http.ResponseWriter, q *request) error {
	r, err := s.sentReport(q)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	if r.HTML == "" {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(r.Text))
		return nil
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(r.HTML))
	return nil
}

// reportFile is GET /reports/{day}/files/{name}: an attachment of the
// report, as it was sent.
func (s *Server) reportFile(w http.ResponseWriter, q *request) error {
	r, err := s.sentReport(q)
	if err != nil {
		return err
	}
	name := q.PathValue("name")
	for _, a := range r.Attachments {
		if a.Name != name {
			continue
		}
		ct := a.ContentType
		if ct == "" || strings.HasPrefix(ct, "text/html") {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="weekly-`+r.Day.String()+fileExt(a.Name)+`"; filename*=UTF-8''`+url.PathEscape(a.Name))
		w.Write(a.Data)
		return nil
	}
	return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldFile, "%s 的周报没有附件“%s”", r.Day, name)
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 && len(name)-i <= 6 {
		return name[i:]
	}
	return ""
}
