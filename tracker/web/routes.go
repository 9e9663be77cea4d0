package web

import (
	"net/http"
	"strings"

	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// routes are every page of the dashboard. A page not here is 404; every
// page but those of PublicRoutes needs a session whose roles allow the
// operation it names, and the application layer checks again what the
// page reads or does.
func (s *Server) routes() {
	static := http.FileServerFS(files)
	s.public("GET /static/", 0, func(w http.ResponseWriter, q *request) error {
		if strings.HasSuffix(q.URL.Path, "/") {
			http.NotFound(w, q.Request) // no listing
			return nil
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(w, q.Request)
		return nil
	})

	// Who acts.
	s.public("GET /login", 0, s.loginShow)
	s.public("POST /login", maxForm, s.loginCheck)
	s.route("POST /logout", access.OpOwnAccount, maxForm, s.logout)
	s.route("GET /password", access.OpOwnAccount, 0, s.passwordShow)
	s.route("POST /password", access.OpOwnAccount, maxForm, s.passwordChange)

	// The office at a glance (or, for a role that sees no events, the
	// first page it may open), and its events.
	s.route("GET /{$}", access.OpOwnAccount, 0, s.overview)
	s.route("GET /events", access.OpEvents, 0, s.events)
	s.route("GET /events/export", access.OpEvents, 0, s.export)
	s.route("GET /events/{id}", access.OpEvent, 0, s.event)
	for _, a := range eventActions {
		s.route("POST /events/{id}/"+a.name, a.op, maxForm, s.change(a.name))
	}
	s.route("GET /calendar", access.OpCalendar, 0, s.calendarPage)
	s.route("POST /calendar/feed", access.OpEvents, maxForm, s.feedCreate)
	s.route("POST /calendar/feed/revoke", access.OpEvents, maxForm, s.feedRevoke)
	// The feed's secret is its credential: a calendar program has no
	// session.
	s.public("GET /ical/{secret}", 0, s.ical)
	s.route("GET /reports", access.OpWeeklyReport, 0, s.reports)
	s.route("GET /reports/{day}", access.OpWeeklyReport, 0, s.report)
	s.route("GET /reports/{day}/mail", access.OpWeeklyReport, 0, s.reportMail)
	s.route("GET /reports/{day}/files/{name}", access.OpWeeklyReport, 0, s.reportFile)
	s.route("GET /catalog", access.OpMatters, 0, s.catalog)
	s.route("GET /catalog/{seq}", access.OpMatters, 0, s.matter)
	s.route("GET /audit", access.OpAudit, 0, s.audit(false))
	s.route("GET /audit/logins", access.OpLogins, 0, s.audit(true))
	s.route("GET /audit/verify", access.OpVerifyAudit, 0, s.verify)
	s.route("GET /admin", access.OpStatus, 0, s.status)
	s.route("POST /admin/mail-check", access.OpStatus, maxForm, s.probe)
	s.route("GET /admin/outbox", access.OpOutbox, 0, s.outbox)
	s.route("POST /admin/outbox/{id}/retry", access.OpRetryMessage, maxForm, s.retry)
	s.route("GET /admin/accounts", access.OpAccounts, 0, s.accounts)
	s.route("POST /admin/accounts", access.OpAccounts, maxForm, s.accountCreate)
	s.route("POST /admin/accounts/{name}", access.OpAccounts, maxForm, s.accountUpdate)
	for _, a := range []string{app.AccountDisable, app.AccountEnable, app.AccountUnlock} {
		s.route("POST /admin/accounts/{name}/"+a, access.OpAccounts, maxForm, s.accountState(a))
	}
	s.route("POST /admin/accounts/{name}/reset-password", access.OpAccounts, maxForm, s.accountReset)
	s.route("POST /admin/sections", access.OpSections, maxForm, s.sectionSave(true))
	s.route("POST /admin/sections/{name}", access.OpSections, maxForm, s.sectionSave(false))
	s.route("GET /admin/imports", access.OpImportCalendar, 0, s.imports)
	s.route("POST /admin/imports/calendar", access.OpImportCalendar, maxUpload*2, s.importRun("calendar"))
	s.route("POST /admin/imports/catalog", access.OpImportCatalog, maxUpload*2, s.importRun("catalog"))
	s.route("GET /log", access.OpLog, 0, s.logShow)
	s.route("GET /log/preview", access.OpLog, 0, s.logPreview)
	s.route("POST /log", access.OpLog, maxForm, s.logCreate)
}
