package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// routes are every route of the API. A route not here is 404 (or 405 for
// a known path); every route but health and login needs a token, and the
// application layer checks each account's roles.
func (s *Server) routes() {
	svc := s.cfg.Service
	s.route("GET /api/v1/health", true, 0, func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
		return nil
	})

	s.route("GET /api/v1/openapi.json", true, 0, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapiJSON)
		return nil
	})

	// Who acts.
	s.route("POST /api/v1/login", true, MaxBody, s.login)
	s.route("POST /api/v1/logout", false, 0, func(w http.ResponseWriter, r *http.Request) error {
		if err := svc.Logout(r.Context()); err != nil {
			return err
		}
		if _, err := r.Cookie(SessionCookie); err == nil {
			http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.forwardedTLS(r), MaxAge: -1})
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	s.route("GET /api/v1/whoami", false, 0, get(func(r *http.Request) (any, error) { return svc.Whoami(r.Context()) }))
	s.route("POST /api/v1/password", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		var in app.PasswordChange
		if err := decode(r, &in); err != nil {
			return err
		}
		if err := svc.ChangePassword(r.Context(), in); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	s.route("GET /api/v1/tokens", false, 0, get(func(r *http.Request) (any, error) {
		return svc.Tokens(r.Context(), app.TokenQuery{Account: r.URL.Query().Get("account")})
	}))
	s.route("DELETE /api/v1/tokens/{id}", false, 0, func(w http.ResponseWriter, r *http.Request) error {
		if err := svc.RevokeToken(r.Context(), app.TokenRevoke{ID: r.PathValue("id")}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})

	// Events.
	s.route("GET /api/v1/events", false, 0, s.events)
	s.route("GET /api/v1/events/{id}", false, 0, func(w http.ResponseWriter, r *http.Request) error {
		id, err := eventID(r)
		if err != nil {
			return err
		}
		asOf, err := dateParam(r.URL.Query(), "as_of")
		if err != nil {
			return err
		}
		d, err := svc.Event(r.Context(), app.EventRef{ID: id, AsOf: asOf})
		if err != nil {
			return err
		}
		w.Header().Set("ETag", etag(d.Version))
		writeJSON(w, http.StatusOK, d)
		return nil
	})
	s.route("GET /api/v1/overview", false, 0, get(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		asOf, err := dateParam(q, "as_of")
		if err != nil {
			return nil, err
		}
		n, err := intParam(q, "overdue", 1, app.MaxOverdueListed)
		if err != nil {
			return nil, err
		}
		in := app.OverviewQuery{AsOf: asOf}
		if n != nil {
			in.Overdue = *n
		}
		return svc.Overview(r.Context(), in)
	}))
	s.route("POST /api/v1/events", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		var in app.LogInput
		if err := decode(r, &in); err != nil {
			return err
		}
		d, err := svc.Log(r.Context(), in)
		if err != nil {
			return err
		}
		if in.DryRun {
			writeJSON(w, http.StatusOK, d)
			return nil
		}
		w.Header().Set("ETag", etag(d.Version))
		w.Header().Set("Location", "/api/v1/events/"+strconv.FormatUint(d.View.ID, 10))
		writeJSON(w, http.StatusCreated, d)
		return nil
	})
	change(s, "disclose", svc.Disclose, func(in *app.DiscloseInput) (*uint64, *int) { return &in.Event, &in.Version })
	change(s, "waive", svc.Waive, func(in *app.WaiveInput) (*uint64, *int) { return &in.Event, &in.Version })
	change(s, "amend", svc.Amend, func(in *app.AmendInput) (*uint64, *int) { return &in.Event, &in.Version })
	change(s, "retract", svc.Retract, func(in *app.RetractInput) (*uint64, *int) { return &in.Event, &in.Version })
	change(s, "reopen", svc.Reopen, func(in *app.ReasonInput) (*uint64, *int) { return &in.Event, &in.Version })
	change(s, "cancel", svc.Cancel, func(in *app.ReasonInput) (*uint64, *int) { return &in.Event, &in.Version })
	change(s, "restore", svc.Restore, func(in *app.ReasonInput) (*uint64, *int) { return &in.Event, &in.Version })

	s.route("POST /api/v1/events/import", false, MaxImportBody, post(svc.ImportEvents))

	// The catalogue and the calendar.
	s.route("POST /api/v1/catalog/import", false, MaxImportBody, post(svc.ImportCatalog))
	s.route("GET /api/v1/calendar", false, 0, get(func(r *http.Request) (any, error) {
		cal, err := svc.Calendar(r.Context())
		if err != nil {
			return nil, err
		}
		out := CalendarSchedules{Schedules: []calendar.Schedule{}}
		for _, y := range cal.Years() {
			if y.Official && y.Schedule != nil {
				out.Schedules = append(out.Schedules, *y.Schedule)
			}
		}
		return out, nil
	}))
	s.route("POST /api/v1/calendar/import", false, MaxImportBody, post(svc.ImportCalendar))
	s.calendarRoutes()

	// Reminders, reports, the outbox.
	s.route("POST /api/v1/reminders/run", false, MaxBody, post(svc.RemindRun))
	s.route("GET /api/v1/reports/weekly", false, 0, s.weekly)
	s.route("POST /api/v1/reports/weekly/send", false, MaxBody, post(svc.SendWeeklyReport))
	s.route("GET /api/v1/reports/sent", false, 0, get(func(r *http.Request) (any, error) { return svc.SentReports(r.Context()) }))
	s.route("GET /api/v1/reports/sent/{day}", false, 0, get(func(r *http.Request) (any, error) {
		d, err := calendar.ParseDate(r.PathValue("day"))
		if err != nil {
			return nil, tracker.FieldErrorf(tracker.EInvalid, tracker.FieldDate, "周报日期 %q 无效：%v", r.PathValue("day"), err)
		}
		return svc.SentReportContent(r.Context(), d)
	}))
	s.route("POST /api/v1/outbox/flush", false, MaxBody, post(svc.FlushOutbox))
	s.route("POST /api/v1/outbox/{id}/retry", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
		if err != nil || id == 0 {
			return tracker.FieldErrorf(tracker.EInvalid, tracker.FieldMessage, "邮件编号 %q 无效：应为正整数", r.PathValue("id"))
		}
		var in app.RetryInput
		if err := decode(r, &in); err != nil {
			return err
		}
		in.ID = id
		out, err := svc.RetryMessage(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})

	// The system.
	s.route("POST /api/v1/init", false, 0, get(func(r *http.Request) (any, error) { return svc.Init(r.Context()) }))
	s.route("GET /api/v1/dump", false, 0, func(w http.ResponseWriter, r *http.Request) error {
		pw := &lazyWriter{w: w, contentType: "application/x-ndjson; charset=utf-8"}
		err := svc.Dump(r.Context(), r.URL.Query().Get("bucket"), pw)
		if err != nil && !pw.started {
			return err
		}
		return nil
	})
	s.route("GET /api/v1/status", false, 0, get(func(r *http.Request) (any, error) {
		st, err := svc.Status(r.Context())
		if err == nil && s.cfg.Jobs != nil {
			st.Jobs = s.cfg.Jobs(s.cfg.Now())
		}
		return st, err
	}))
	s.route("GET /api/v1/check", false, 0, get(func(r *http.Request) (any, error) { return svc.Check(r.Context()) }))
	s.route("GET /api/v1/backup", false, 0, s.backup)

	// The catalogue.
	s.route("GET /api/v1/matters", false, 0, get(func(r *http.Request) (any, error) {
		return svc.Matters(r.Context(), app.MatterQuery{Search: r.URL.Query().Get("search")})
	}))
	s.route("GET /api/v1/matters/{query}", false, 0, get(func(r *http.Request) (any, error) {
		return svc.Matter(r.Context(), r.PathValue("query"))
	}))

	// The audit log.
	s.route("GET /api/v1/audit", false, 0, get(func(r *http.Request) (any, error) {
		q, err := auditQuery(r.URL.Query())
		if err != nil {
			return nil, err
		}
		return svc.Audit(r.Context(), q)
	}))
	s.route("GET /api/v1/audit/logins", false, 0, get(func(r *http.Request) (any, error) {
		q, err := auditQuery(r.URL.Query())
		if err != nil {
			return nil, err
		}
		q.Logins = true
		return svc.Audit(r.Context(), q)
	}))
	s.route("GET /api/v1/audit/verify", false, 0, get(func(r *http.Request) (any, error) { return svc.VerifyAudit(r.Context()) }))

	// The outbox.
	s.route("GET /api/v1/outbox", false, 0, get(func(r *http.Request) (any, error) { return svc.Outbox(r.Context()) }))

	// Accounts and sections.
	s.route("GET /api/v1/accounts", false, 0, get(func(r *http.Request) (any, error) { return svc.Accounts(r.Context()) }))
	s.route("POST /api/v1/accounts", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		var in app.AccountInput
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := svc.CreateAccount(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, out)
		return nil
	})
	s.route("PATCH /api/v1/accounts/{name}", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		var in app.AccountUpdate
		if err := decode(r, &in); err != nil {
			return err
		}
		in.Name = r.PathValue("name")
		out, err := svc.UpdateAccount(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
	for _, action := range []string{app.AccountDisable, app.AccountEnable, app.AccountUnlock} {
		s.route("POST /api/v1/accounts/{name}/"+action, false, 0, func(w http.ResponseWriter, r *http.Request) error {
			out, err := svc.SetAccountState(r.Context(), app.AccountState{Name: r.PathValue("name"), Action: action})
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		})
	}
	s.route("POST /api/v1/accounts/{name}/reset-password", false, 0, func(w http.ResponseWriter, r *http.Request) error {
		out, err := svc.ResetPassword(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
	s.route("GET /api/v1/sections", false, 0, get(func(r *http.Request) (any, error) { return svc.Sections(r.Context()) }))
	s.route("POST /api/v1/sections", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		var in app.SectionInput
		if err := decode(r, &in); err != nil {
			return err
		}
		in.New = true
		out, err := svc.PutSection(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, out)
		return nil
	})
	s.route("PUT /api/v1/sections/{name}", false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		var in app.SectionInput
		if err := decode(r, &in); err != nil {
			return err
		}
		in.Name, in.New = r.PathValue("name"), false
		out, err := svc.PutSection(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
}

// post is a route that runs an operation on its JSON body.
func post[In, Out any](op func(ctxT, In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := op(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// CalendarSchedules are the schedules in force, from which a client
// builds the server's calendar (calendar.New).
type CalendarSchedules struct {
	Schedules []calendar.Schedule `json:"schedules"`
}

// weekly is GET /api/v1/reports/weekly?day=D&format=json|html|xlsx|csv.
func (s *Server) weekly(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	day, err := dateParam(q, "day")
	if err != nil {
		return err
	}
	format := q.Get("format")
	types := map[string]string{"": "", "json": "", "html": "text/html; charset=utf-8",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
	ct, ok := types[format]
	if !ok || (ct != "" && s.cfg.RenderWeekly == nil) {
		return tracker.FieldErrorf(tracker.EInvalid, "format", "格式 %q 无效：可选 json、html、xlsx、csv", format)
	}
	rep, err := s.cfg.Service.WeeklyReport(r.Context(), app.ReportInput{Day: day})
	if err != nil {
		return err
	}
	if ct == "" {
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	data, err := s.cfg.RenderWeekly(rep, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	if format != "html" {
		w.Header().Set("Content-Disposition", `attachment; filename="weekly-`+rep.Day.String()+`.`+format+`"`)
	}
	w.Write(data)
	return nil
}

// backup is GET /api/v1/backup: a consistent copy of the database,
// streamed.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Backup == nil {
		return tracker.FieldErrorf(tracker.EUnavailable, "", "这个服务器不提供备份下载")
	}
	// The role first: nothing is streamed to one who may not have it.
	pw := &lazyWriter{w: w}
	err := s.cfg.Backup.BackupTo(r.Context(), pw)
	if err != nil && !pw.started {
		return err
	}
	if err != nil {
		s.cfg.Log.Error("backup download broke off", "error", err)
	}
	return nil
}

// lazyWriter sets the download's headers at its first byte, so that an
// error before any is still answered as an error.
type lazyWriter struct {
	w           http.ResponseWriter
	contentType string // "": a backup's file
	started     bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		if l.contentType != "" {
			l.w.Header().Set("Content-Type", l.contentType)
		} else {
			l.w.Header().Set("Content-Type", "application/octet-stream")
			l.w.Header().Set("Content-Disposition", `attachment; filename="gongkai-backup.db"`)
		}
	}
	return l.w.Write(p)
}

// get is a route that answers a read with JSON.
func get(fn func(r *http.Request) (any, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := fn(r)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// change registers POST /api/v1/events/{id}/NAME: the body is the input
// without the event, whose id is the path's; its version is If-Match's or
// the body's.
func change[In any](s *Server, name string, op func(ctxT, In) (*app.EventDetail, error), ref func(*In) (*uint64, *int)) {
	s.route("POST /api/v1/events/{id}/"+name, false, MaxBody, func(w http.ResponseWriter, r *http.Request) error {
		id, err := eventID(r)
		if err != nil {
			return err
		}
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		event, version := ref(&in)
		if *event != 0 && *event != id {
			return tracker.FieldErrorf(tracker.EInvalid, tracker.FieldEvent, "请求内容中的事件 %d 与网址中的事件 %d 不符", *event, id)
		}
		*event = id
		if m := r.Header.Get("If-Match"); m != "" {
			v, ok := parseETag(m)
			if !ok {
				return tracker.FieldErrorf(tracker.EInvalid, FieldIfMatch, "If-Match %q 无效：应为读取事件时的 ETag，如 \"v3\"", m)
			}
			*version = v
		}
		d, err := op(r.Context(), in)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", etag(d.Version))
		writeJSON(w, http.StatusOK, d)
		return nil
	})
}

func etag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

func parseETag(s string) (int, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	s, ok := strings.CutPrefix(s, `"v`)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, `"`)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	return v, err == nil && v > 0
}

func eventID(r *http.Request) (uint64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil || id == 0 {
		return 0, tracker.FieldErrorf(tracker.EInvalid, tracker.FieldEvent, "事件编号 %q 无效：应为正整数", v)
	}
	return id, nil
}

func dateParam(q url.Values, name string) (calendar.Date, error) {
	v := q.Get(name)
	if v == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, tracker.FieldErrorf(tracker.EInvalid, name, "%s：%v", name, err)
	}
	return d, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, tracker.FieldErrorf(tracker.EInvalid, name, "%s 的值 %q 无效：应为 true 或 false", name, v)
	}
}

func intParam(q url.Values, name string, min, max int) (*int, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return nil, tracker.FieldErrorf(tracker.EInvalid, name, "%s 的值 %q 无效：应为 %d 至 %d 的整数", name, v, min, max)
	}
	return &n, nil
}

// EventPage is a page of an event list: More says there are events
// after it.
type EventPage struct {
	app.EventList
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// Pages of event lists.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var in app.EventQuery
	var err error
	for name, dst := range map[string]*bool{"open": &in.Open, "overdue": &in.Overdue} {
		if *dst, err = boolParam(q, name); err != nil {
			return err
		}
	}
	if in.DueWithin, err = intParam(q, "due_within", 0, 10000); err != nil {
		return err
	}
	for name, dst := range map[string]*calendar.Date{"from": &in.From, "to": &in.To, "as_of": &in.AsOf, "due_from": &in.DueFrom, "due_to": &in.DueTo} {
		if *dst, err = dateParam(q, name); err != nil {
			return err
		}
	}
	in.Matter, in.Level1, in.Text, in.By, in.Order = q.Get("matter"), q.Get("level1"), q.Get("text"), q.Get("by"), q.Get("order")
	in.Section = q.Get("section")
	for _, st := range strings.FieldsFunc(q.Get("status"), func(r rune) bool { return r == ',' }) {
		in.Status = append(in.Status, tracker.Status(strings.TrimSpace(st)))
	}
	offset, err := intParam(q, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", 1, MaxLimit)
	if err != nil {
		return err
	}
	in.Offset, in.Limit = 0, DefaultLimit
	if offset != nil {
		in.Offset = *offset
	}
	if limit != nil {
		in.Limit = *limit
	}
	list, err := s.cfg.Service.Events(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, EventPage{EventList: *list, Offset: in.Offset, Limit: in.Limit})
	return nil
}

func auditQuery(q url.Values) (app.AuditQuery, error) {
	var out app.AuditQuery
	var err error
	if out.From, err = dateParam(q, "from"); err != nil {
		return out, err
	}
	if out.To, err = dateParam(q, "to"); err != nil {
		return out, err
	}
	if v := q.Get("event"); v != "" {
		if out.Event, err = strconv.ParseUint(v, 10, 64); err != nil {
			return out, tracker.FieldErrorf(tracker.EInvalid, tracker.FieldEvent, "事件编号 %q 无效", v)
		}
	}
	out.Actor, out.Action = q.Get("actor"), q.Get("action")
	return out, nil
}

// login is POST /api/v1/login: rate-limited per account and per address
// before any password is hashed.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in app.LoginInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if !s.AllowLogin(r, in.Account) {
		w.Header().Set("Retry-After", "60")
		return tracker.FieldErrorf(ETooMany, tracker.FieldAccount, "登录尝试太频繁，请一分钟后再试")
	}
	out, err := s.cfg.Service.Login(r.Context(), in)
	if err != nil {
		return err
	}
	if in.Kind == access.WebSession {
		// A browser's session lives in a cookie its scripts cannot read,
		// sent to this server only, over TLS when it has it; the body
		// does not carry it.
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: out.Token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.forwardedTLS(r), Expires: out.Expires})
		out.Token = ""
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AllowLogin reports whether a login to account from r's address is
// within the limits (and counts it): the dashboard's logins share them.
func (s *Server) AllowLogin(r *http.Request, account string) bool {
	// The name as a key only when it may be an account's: any other
	// (of any length) shares one.
	name := strings.ToLower(strings.TrimSpace(account))
	if access.CheckName(name) != nil {
		name = "（无效）"
	}
	return s.limits.allow("account:"+name, "source:"+s.source(r))
}

// Source is the address r came from: the connection's, or, from a
// trusted proxy, the client it names.
func (s *Server) Source(r *http.Request) string { return s.source(r) }

// Secure reports whether the browser reached the server over TLS,
// directly or through a trusted proxy.
func (s *Server) Secure(r *http.Request) bool { return r.TLS != nil || s.forwardedTLS(r) }

// SessionCookie is the cookie of a browser's session.
const SessionCookie = "gongkai_session"

// forwardedTLS reports whether a trusted proxy says the request came to
// it over TLS.
func (s *Server) forwardedTLS(r *http.Request) bool {
	return s.fromProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
