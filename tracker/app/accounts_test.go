package app_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// cheapHasher hashes as the server does, at a test's cost.
func cheapHasher(t *testing.T) *access.Hasher {
	h, err := access.NewHasher(access.Params{Memory: 64, Time: 1, Threads: 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newAccountService is newService with a cheap hasher, initialised, with
// two sections.
func newAccountService(t *testing.T) (*app.Local, *clock) {
	t.Helper()
	svc, clk, _, _ := newService(t)
	local := app.WithActor(context.Background(), "local:root")
	if _, err := svc.Init(local); err != nil {
		t.Fatal(err)
	}
	for _, s := range []app.SectionInput{
		{Name: "社保股", Level1: []string{"社会保险参保登记"}, New: true},
		{Name: "待遇股", Level1: []string{"养老保险服务"}, New: true},
	} {
		if _, err := svc.PutSection(local, s); err != nil {
			t.Fatal(err)
		}
	}
	return svc, clk
}

// login creates an account with roles and sections, logs it in (changing
// its one-time password) and returns the context of its requests.
func login(t *testing.T, svc *app.Local, name string, roles []access.Role, sections ...string) context.Context {
	t.Helper()
	local := app.WithActor(context.Background(), "local:root")
	created, err := svc.CreateAccount(local, app.AccountInput{Name: name, Roles: roles, Sections: sections})
	if err != nil {
		t.Fatal(err)
	}
	anon := app.WithSource(context.Background(), "10.0.0.9")
	r, err := svc.Login(anon, app.LoginInput{Account: name, Password: created.Password, NewPassword: "Gongkai-2026!"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(anon, r.Token)
	if err != nil {
		t.Fatal(err)
	}
	return app.WithPrincipal(context.Background(), p)
}

// operationOf is the operation each method of the Service asks for; ""
// for Login, which anyone may try.
var operationOf = map[string]access.Operation{
	"Init": access.OpInit, "Log": access.OpLog, "Disclose": access.OpDisclose, "Waive": access.OpWaive,
	"Amend": access.OpAmend, "Retract": access.OpRetract, "Reopen": access.OpReopen, "ImportEvents": access.OpImportEvents,
	"Cancel": access.OpCancel, "Restore": access.OpRestore, "Events": access.OpEvents, "Event": access.OpEvent, "Overview": access.OpEvents, "Status": access.OpStatus, "SentReports": access.OpWeeklyReport, "SentReportContent": access.OpWeeklyReport,
	"Matters": access.OpMatters, "Matter": access.OpMatters, "ImportCatalog": access.OpImportCatalog,
	"Audit": access.OpAudit, "VerifyAudit": access.OpVerifyAudit, "Calendar": access.OpCalendar,
	"ImportCalendar": access.OpImportCalendar, "RemindRun": access.OpRemindRun, "WeeklyReport": access.OpWeeklyReport,
	"SendWeeklyReport": access.OpSendWeeklyReport, "SendDueWeeklyReports": access.OpJobs, "Outbox": access.OpOutbox,
	"FlushOutbox": access.OpFlushOutbox, "RetryMessage": access.OpRetryMessage, "Backup": access.OpBackup,
	"Check": access.OpCheck, "Dump": access.OpDump,
	"Login": "", "Logout": access.OpOwnAccount, "Whoami": access.OpOwnAccount, "ChangePassword": access.OpOwnAccount,
	"Tokens": access.OpOwnAccount, "RevokeToken": access.OpOwnAccount,
	"CreateAccount": access.OpAccounts, "ResetPassword": access.OpAccounts, "Accounts": access.OpAccounts,
	"UpdateAccount": access.OpAccounts, "SetAccountState": access.OpAccounts,
	"PutSection": access.OpSections, "Sections": access.OpMatters,
}

// callAll calls every method of the Service with ctx and empty inputs,
// and returns each one's error by name.
func callAll(t *testing.T, svc app.Service, ctx context.Context) map[string]error {
	t.Helper()
	out := map[string]error{}
	v := reflect.ValueOf(svc)
	typ := reflect.TypeFor[app.Service]()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		if _, known := operationOf[m.Name]; !known {
			t.Errorf("Service.%s is not in operationOf: which operation does it ask for?", m.Name)
			continue
		}
		fn := v.MethodByName(m.Name)
		args := []reflect.Value{reflect.ValueOf(ctx)}
		for j := 1; j < fn.Type().NumIn(); j++ {
			in := fn.Type().In(j)
			switch {
			case in == reflect.TypeFor[io.Writer]():
				args = append(args, reflect.ValueOf(io.Discard))
			case in.Kind() == reflect.Interface:
				args = append(args, reflect.Zero(in))
			default:
				args = append(args, reflect.New(in).Elem())
			}
		}
		if m.Name == "Backup" {
			args[1] = reflect.ValueOf(t.TempDir() + "/copy.db")
		}
		if m.Name == "SendDueWeeklyReports" {
			args[1] = reflect.ValueOf(app.Schedule(everyMonday{}))
		}
		res := fn.Call(args)
		err, _ := res[len(res)-1].Interface().(error)
		out[m.Name] = err
	}
	return out
}

type everyMonday struct{}

func (everyMonday) Next(t time.Time) time.Time { return t.AddDate(0, 0, 7) }

// Deny by default: a request that names nobody may do nothing, and
// writes nothing.
func TestNobodyMayDoAnything(t *testing.T) {
	svc, _ := newAccountService(t)
	local := app.WithActor(context.Background(), "local:root")
	before, _ := svc.Audit(local, app.AuditQuery{})
	for name, err := range callAll(t, svc, context.Background()) {
		if name == "Login" {
			continue
		}
		if c := tracker.ErrorCode(err); c != tracker.EUnauthenticated {
			t.Errorf("%s without an account: %v (code %q), want unauthenticated", name, err, c)
		}
	}
	after, _ := svc.Audit(local, app.AuditQuery{})
	if len(after.Entries) != len(before.Entries) {
		t.Errorf("refused calls wrote %d audit entries", len(after.Entries)-len(before.Entries))
	}
}

// Every method, as each role: refused (forbidden, nothing written)
// exactly when the table says the role may not.
func TestEveryMethodPerRole(t *testing.T) {
	for _, role := range access.Roles {
		t.Run(string(role), func(t *testing.T) {
			svc, _ := newAccountService(t)
			local := app.WithActor(context.Background(), "local:root")
			var sections []string
			if role == access.Staff {
				sections = []string{"社保股"}
			}
			ctx := login(t, svc, "u"+string(role), []access.Role{role}, sections...)
			before, _ := svc.Audit(local, app.AuditQuery{})
			for name, err := range callAll(t, svc, ctx) {
				op := operationOf[name]
				if op == "" {
					continue
				}
				forbidden := tracker.ErrorCode(err) == tracker.EForbidden
				if allowed := access.Allowed([]access.Role{role}, op); allowed == forbidden {
					t.Errorf("%s as %s: %v; allowed by the table: %v", name, role, err, allowed)
				}
			}
			after, _ := svc.Audit(local, app.AuditQuery{})
			for _, e := range after.Entries[len(before.Entries):] {
				if !access.Allowed([]access.Role{role}, actionOperation(e.Action)) {
					t.Errorf("%s wrote %s (%s) though refused", role, e.Action, e.Text)
				}
			}
		})
	}
}

// actionOperation is the operation that writes an audited action, for
// the check that refusals write nothing.
func actionOperation(action string) access.Operation {
	switch action {
	case tracker.AuditLogout, tracker.AuditTokenRevoked, tracker.AuditPasswordChanged,
		tracker.AuditLoginFailed: // a wrong current password when changing it
		return access.OpOwnAccount
	case tracker.AuditReport:
		return access.OpSendWeeklyReport
	case tracker.AuditRemind:
		return access.OpRemindRun
	case tracker.AuditRequeue:
		return access.OpRetryMessage
	case tracker.AuditBackup:
		return access.OpBackup
	}
	return access.Operation("written:" + action)
}

func TestStaffReachTheirSections(t *testing.T) {
	svc, _ := newAccountService(t)
	staff := login(t, svc, "zhangsan", []access.Role{access.Staff}, "社保股")
	officer := login(t, svc, "zhao", []access.Role{access.Officer})

	// Matter 3 is of 社会保险参保登记 (社保股); matter 45 of 养老保险服务.
	e, err := svc.Log(staff, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "调整参保登记办理材料"})
	if err != nil {
		t.Fatal(err)
	}
	if e.View.By != "zhangsan" {
		t.Errorf("logged by %q, want the account", e.View.By)
	}
	_, err = svc.Log(staff, app.LogInput{Matter: "45", Kind: tracker.Changed, Summary: "待遇标准调整"})
	wantErr(t, "another section's matter", err, tracker.EForbidden, tracker.FieldMatter)
	if !strings.Contains(tracker.AsError(err).Message, "养老保险服务") {
		t.Errorf("the refusal does not name the 一级事项: %v", err)
	}
	other, err := svc.Log(officer, app.LogInput{Matter: "45", Kind: tracker.Changed, Summary: "待遇标准调整"})
	if err != nil {
		t.Fatal(err)
	}
	// Staff see their sections' events only; the officer sees all.
	list, err := svc.Events(staff, app.EventQuery{})
	if err != nil || len(list.Events) != 1 || list.Events[0].ID != e.View.ID {
		t.Errorf("staff's events: %+v %v", list, err)
	}
	if all, _ := svc.Events(officer, app.EventQuery{}); len(all.Events) != 2 {
		t.Errorf("officer's events: %d, want 2", len(all.Events))
	}
	_, err = svc.Event(staff, app.EventRef{ID: other.View.ID})
	wantErr(t, "another section's event", err, tracker.ENotFound, tracker.FieldEvent)
	if strings.Contains(tracker.AsError(err).Message, "养老保险服务") {
		t.Errorf("the refusal tells another section's 一级事项: %v", err)
	}
	_, err = svc.Waive(staff, app.WaiveInput{Event: e.View.ID, Reason: "x"})
	wantErr(t, "staff waive", err, tracker.EForbidden, tracker.FieldRole)

	// A staff account without a section may log nothing, and is told why.
	nobody := login(t, svc, "lisi", []access.Role{access.Staff})
	_, err = svc.Log(nobody, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "x"})
	wantErr(t, "staff without a section", err, tracker.EForbidden, tracker.FieldSection)
	if got, _ := svc.Events(officer, app.EventQuery{}); len(got.Events) != 2 {
		t.Errorf("refused logs wrote events: %d", len(got.Events))
	}
}

func TestLoginLockoutAndTokens(t *testing.T) {
	svc, clk := newAccountService(t)
	local := app.WithActor(context.Background(), "local:root")
	created, err := svc.CreateAccount(local, app.AccountInput{Name: "wangwu", Display: "王五", Email: "wangwu@example.gov.cn",
		Roles: []access.Role{access.Officer}})
	if err != nil {
		t.Fatal(err)
	}
	if !created.Account.MustChange || len(created.Password) < 12 {
		t.Fatalf("created: %+v", created.Account)
	}
	_, err = svc.CreateAccount(local, app.AccountInput{Name: "wangwu", Roles: []access.Role{access.Staff}})
	wantErr(t, "the same name again", err, tracker.EConflict, tracker.FieldAccount)
	_, err = svc.CreateAccount(local, app.AccountInput{Name: "boss", Roles: []access.Role{access.Admin, access.Auditor}})
	wantErr(t, "admin and auditor", err, tracker.EInvalid, tracker.FieldRole)
	_, err = svc.CreateAccount(local, app.AccountInput{Name: "x1", Roles: []access.Role{access.Staff}, Sections: []string{"无此股"}})
	wantErr(t, "unknown section", err, tracker.ENotFound, tracker.FieldSection)

	anon := app.WithSource(context.Background(), "10.0.0.7")
	// The one-time password lets in only to change it.
	_, err = svc.Login(anon, app.LoginInput{Account: "wangwu", Password: created.Password})
	wantErr(t, "first login", err, tracker.EMustChange, tracker.FieldNewPassword)
	_, err = svc.Login(anon, app.LoginInput{Account: "wangwu", Password: created.Password, NewPassword: "wangwu2026!A"})
	wantErr(t, "a password with the name", err, tracker.EInvalid, tracker.FieldNewPassword)
	r, err := svc.Login(anon, app.LoginInput{Account: "wangwu", Password: created.Password, NewPassword: "Gongkai-2026!", Label: "DESK-07"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Token, "gk_") || r.Account.MustChange || !r.Expires.Equal(clk.now().Add(90*24*time.Hour)) {
		t.Errorf("login: %+v", r)
	}
	// The old password is gone.
	_, err = svc.Login(anon, app.LoginInput{Account: "wangwu", Password: created.Password})
	wantErr(t, "the one-time password again", err, tracker.EUnauthenticated, tracker.FieldPassword)

	// Four more failures lock the account, whatever the password then.
	for i := range 4 {
		_, err = svc.Login(anon, app.LoginInput{Account: "wangwu", Password: "wrong"})
		if i < 3 {
			wantErr(t, "a wrong password", err, tracker.EUnauthenticated, tracker.FieldPassword)
		}
	}
	wantErr(t, "the fifth wrong password", err, tracker.ELocked, tracker.FieldAccount)
	_, err = svc.Login(anon, app.LoginInput{Account: "wangwu", Password: "Gongkai-2026!"})
	wantErr(t, "the right password while locked", err, tracker.ELocked, tracker.FieldAccount)
	clk.t = clk.t.Add(15 * time.Minute)
	r2, err := svc.Login(anon, app.LoginInput{Account: "wangwu", Password: "Gongkai-2026!"})
	if err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// A name no account has: the same answer as a wrong password.
	_, err = svc.Login(anon, app.LoginInput{Account: "nosuch", Password: "Gongkai-2026!"})
	wantErr(t, "no such account", err, tracker.EUnauthenticated, tracker.FieldPassword)

	// Tokens: listed without their secrets, revoked at once.
	p, err := svc.Authenticate(anon, r.Token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := app.WithPrincipal(context.Background(), p)
	toks, err := svc.Tokens(ctx, app.TokenQuery{})
	if err != nil || len(toks.Tokens) != 2 {
		t.Fatalf("tokens: %+v %v", toks, err)
	}
	var first app.TokenInfo
	for _, tk := range toks.Tokens {
		if tk.Current {
			first = tk
		}
		if strings.Contains(r.Token, tk.ID) || strings.Contains(r2.Token, tk.ID) {
			t.Errorf("a token's id is part of its secret")
		}
	}
	if first.Label != "DESK-07" || first.Source != "10.0.0.7" {
		t.Errorf("the current token: %+v", first)
	}
	if err := svc.RevokeToken(ctx, app.TokenRevoke{ID: first.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Authenticate(anon, r.Token)
	wantErr(t, "a revoked token", err, tracker.EUnauthenticated, tracker.FieldToken)
	if _, err := svc.Authenticate(anon, r2.Token); err != nil {
		t.Errorf("the other token: %v", err)
	}
	// Expired after 90 days.
	clk.t = clk.t.Add(90 * 24 * time.Hour)
	_, err = svc.Authenticate(anon, r2.Token)
	wantErr(t, "an expired token", err, tracker.EUnauthenticated, tracker.FieldToken)

	// The login history names each attempt and where it came from; no
	// password is in it.
	auditor := login(t, svc, "shenji", []access.Role{access.Auditor})
	h, err := svc.Audit(auditor, app.AuditQuery{Logins: true})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range h.Entries {
		actions = append(actions, e.Action)
		if strings.Contains(string(e.Content), "Gongkai-2026") || strings.Contains(string(e.Content), created.Password) ||
			strings.Contains(string(e.Content), "argon2") || strings.Contains(string(e.Content), r.Token) {
			t.Errorf("entry %d holds a secret: %s", e.Seq, e.Content)
		}
	}
	for _, want := range []string{tracker.AuditLogin, tracker.AuditLoginFailed, tracker.AuditLocked, tracker.AuditPasswordChanged,
		tracker.AuditTokenIssued, tracker.AuditTokenRevoked} {
		if !slices.Contains(actions, want) {
			t.Errorf("the login history lacks %s: %v", want, actions)
		}
	}
	if !strings.Contains(h.Entries[0].Text, "10.0.0.7") {
		t.Errorf("the first entry does not say where from: %s", h.Entries[0].Text)
	}
}

func TestSessionIdle(t *testing.T) {
	svc, clk := newAccountService(t)
	_ = login(t, svc, "zhao", []access.Role{access.Officer})
	anon := app.WithSource(context.Background(), "10.0.0.8")
	r, err := svc.Login(anon, app.LoginInput{Account: "zhao", Password: "Gongkai-2026!", Kind: access.WebSession})
	if err != nil {
		t.Fatal(err)
	}
	// Used every 20 minutes, it lives; 30 minutes idle, it ends.
	for range 3 {
		clk.t = clk.t.Add(20 * time.Minute)
		if _, err := svc.Authenticate(anon, r.Token); err != nil {
			t.Fatalf("a session in use: %v", err)
		}
	}
	clk.t = clk.t.Add(30 * time.Minute)
	_, err = svc.Authenticate(anon, r.Token)
	wantErr(t, "an idle session", err, tracker.EUnauthenticated, tracker.FieldToken)

	// The next login clears it away: the bucket keeps what counts.
	if _, err := svc.Login(anon, app.LoginInput{Account: "zhao", Password: "Gongkai-2026!", Kind: access.WebSession}); err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	if err := svc.Dump(app.WithActor(context.Background(), "local:root"), "tokens", &dump); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump.String(), access.TokenHash(r.Token)) {
		t.Error("the idle session is still stored after the next login")
	}
}

func TestDisableAndReset(t *testing.T) {
	svc, _ := newAccountService(t)
	local := app.WithActor(context.Background(), "local:root")
	ctx := login(t, svc, "zhao", []access.Role{access.Officer})
	p := app.PrincipalOf(ctx)
	if _, err := svc.SetAccountState(local, app.AccountState{Name: "zhao", Action: app.AccountDisable}); err != nil {
		t.Fatal(err)
	}
	anon := app.WithSource(context.Background(), "10.0.0.8")
	if toks, _ := svc.Tokens(local, app.TokenQuery{Account: "zhao"}); len(toks.Tokens) != 0 {
		t.Errorf("a disabled account keeps %d tokens", len(toks.Tokens))
	}
	_, err := svc.Login(anon, app.LoginInput{Account: "zhao", Password: "Gongkai-2026!"})
	wantErr(t, "a disabled account", err, tracker.EUnauthenticated, tracker.FieldPassword)
	if _, err := svc.SetAccountState(local, app.AccountState{Name: "zhao", Action: app.AccountEnable}); err != nil {
		t.Fatal(err)
	}
	reset, err := svc.ResetPassword(local, "zhao")
	if err != nil || !reset.Account.MustChange {
		t.Fatalf("reset: %+v %v", reset, err)
	}
	_, err = svc.Login(anon, app.LoginInput{Account: "zhao", Password: reset.Password})
	wantErr(t, "after a reset", err, tracker.EMustChange, tracker.FieldNewPassword)
	_ = p

	// Changes are audited in words.
	upd, err := svc.UpdateAccount(local, app.AccountUpdate{Name: "zhao", Roles: &[]access.Role{access.Officer, access.Supervisor}})
	if err != nil || upd.RoleNames != "公开专员、领导" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	a, _ := svc.Audit(local, app.AuditQuery{Action: tracker.AuditAccountChanged})
	if len(a.Entries) != 1 || !strings.Contains(a.Entries[0].Text, "角色 公开专员 → 公开专员、领导") {
		t.Errorf("the change's entry: %+v", a.Entries)
	}
}

// Recipients follow the accounts: an officer's, a supervisor's and a
// section's staff's addresses hear what the configuration's do; a disabled
// account hears nothing.
func TestRecipientsFollowAccounts(t *testing.T) {
	svc, _ := newAccountService(t)
	local := app.WithActor(context.Background(), "local:root")
	for _, a := range []app.AccountInput{
		{Name: "zhao", Email: "zhao@example.gov.cn", Roles: []access.Role{access.Officer}},
		{Name: "leader2", Email: "leader2@example.gov.cn", Roles: []access.Role{access.Supervisor}},
		{Name: "zhangsan", Email: "zhangsan@example.gov.cn", Roles: []access.Role{access.Staff}, Sections: []string{"社保股"}},
		{Name: "lisi", Email: "lisi@example.gov.cn", Roles: []access.Role{access.Staff}, Sections: []string{"待遇股"}},
		{Name: "gone", Email: "gone@example.gov.cn", Roles: []access.Role{access.Officer}},
	} {
		if _, err := svc.CreateAccount(local, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.SetAccountState(local, app.AccountState{Name: "gone", Action: app.AccountDisable}); err != nil {
		t.Fatal(err)
	}
	// Matter 3 (社会保险参保登记, 社保股), overdue by far: officers,
	// supervisors and the section's staff hear of it.
	if _, err := svc.Log(local, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day("2026-09-01"), Summary: "调整参保登记办理材料"}); err != nil {
		t.Fatal(err)
	}
	r, err := svc.RemindRun(local, app.RemindInput{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range r.Queued {
		to = append(to, m.To...)
	}
	all := strings.Join(to, " ")
	for _, want := range []string{"officer@example.gov.cn", "zhao@example.gov.cn", "leader2@example.gov.cn", "zhangsan@example.gov.cn"} {
		if !strings.Contains(all, want) {
			t.Errorf("%s hears nothing: %v", want, to)
		}
	}
	for _, not := range []string{"lisi@example.gov.cn", "gone@example.gov.cn"} {
		if strings.Contains(all, not) {
			t.Errorf("%s hears of another section's event, or is disabled: %v", not, to)
		}
	}
}

// A page of a list: the events after Offset, at most Limit, and whether
// there are more.
func TestEventPages(t *testing.T) {
	svc, _ := newAccountService(t)
	local := app.WithActor(context.Background(), "local:root")
	for i := range 5 {
		if _, err := svc.Log(local, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: day("2026-11-02"), Summary: fmt.Sprint("第", i+1, "件")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		q    app.EventQuery
		ids  string
		more bool
	}{
		{app.EventQuery{Limit: 2}, "1 2", true},
		{app.EventQuery{Offset: 2, Limit: 2}, "3 4", true},
		{app.EventQuery{Offset: 4, Limit: 2}, "5", false},
		{app.EventQuery{Offset: 9, Limit: 2}, "", false},
		{app.EventQuery{Open: true, Offset: 3, Limit: 10}, "4 5", false},
		{app.EventQuery{Open: true, AsOf: day("2026-11-19"), Limit: 2}, "1 2", true}, // not read in id order: sorted, then cut
	} {
		l, err := svc.Events(local, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range l.Events {
			ids = append(ids, fmt.Sprint(e.ID))
		}
		if strings.Join(ids, " ") != tc.ids || l.More != tc.more {
			t.Errorf("%+v: %v more=%v, want %s more=%v", tc.q, ids, l.More, tc.ids, tc.more)
		}
	}
}

// Writers of many goroutines on a server's store share transactions
// (Batch): every event is there once, with an id of its own, a refused
// one among them costs the others nothing, and the audit chain holds.
func TestBatchedWriters(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "g.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	svc := app.NewLocal(app.Config{Store: store, Maintenance: store, Now: func() time.Time { return now }, Hasher: cheapHasher(t)})
	local := app.WithActor(context.Background(), "local:root")
	if _, err := svc.Init(local); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			matter := "3"
			if i%50 == 49 {
				matter = "999" // refused
			}
			_, err := svc.Log(local, app.LogInput{Matter: matter, Kind: tracker.Changed, Date: day("2026-11-02"), Summary: fmt.Sprint("并发第", i, "件")})
			if (err != nil) != (matter == "999") {
				errs <- fmt.Errorf("log %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l, err := svc.Events(local, app.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, e := range l.Events {
		if e.ID != uint64(i+1) || seen[e.Summary] {
			t.Fatalf("event %d: id %d, %q seen before: %v", i, e.ID, e.Summary, seen[e.Summary])
		}
		seen[e.Summary] = true
	}
	if len(l.Events) != 196 {
		t.Errorf("%d events, want 196", len(l.Events))
	}
	if v, err := svc.VerifyAudit(local); err != nil || v.Head.Count != 197 {
		t.Errorf("audit: %+v %v", v, err)
	}
	if r, err := svc.Check(local); err != nil || len(r.FileProblems) > 0 {
		t.Errorf("check: %+v %v", r, err)
	}
}

// A revocation that has returned is never missed by a request that
// arrives meanwhile, whether or not the token's last use is due to be
// written.
func TestRevocationRace(t *testing.T) {
	svc, clk := newAccountService(t)
	ctx := login(t, svc, "zhao", []access.Role{access.Officer})
	_ = ctx
	anon := app.WithSource(context.Background(), "10.0.0.9")
	for i := range 60 {
		r, err := svc.Login(anon, app.LoginInput{Account: "zhao", Password: "Gongkai-2026!"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Authenticate(anon, r.Token)
		if err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(2 * time.Minute) // the next use is written
		revoked := make(chan time.Time, 1)
		go func() {
			if err := svc.RevokeToken(app.WithPrincipal(context.Background(), p), app.TokenRevoke{ID: access.TokenHash(r.Token)[:access.IDLength]}); err != nil {
				t.Error(err)
			}
			revoked <- time.Now()
		}()
		_, err = svc.Authenticate(anon, r.Token)
		returned := time.Now()
		if at := <-revoked; err == nil && at.Before(returned) {
			t.Fatalf("try %d: authenticated after the revocation had returned", i)
		}
	}
}

// A wrong current password when changing it counts as a failed login:
// five lock the account, the right one then too.
func TestChangePasswordLocks(t *testing.T) {
	svc, _ := newAccountService(t)
	ctx := login(t, svc, "zhao", []access.Role{access.Officer})
	var err error
	for range 5 {
		err = svc.ChangePassword(ctx, app.PasswordChange{Current: "guess", New: "Another-2026!"})
	}
	wantErr(t, "the fifth wrong current password", err, tracker.ELocked, tracker.FieldAccount)
	err = svc.ChangePassword(ctx, app.PasswordChange{Current: "Gongkai-2026!", New: "Another-2026!"})
	wantErr(t, "the right one while locked", err, tracker.ELocked, tracker.FieldAccount)
}

// A name no account has answers as an account would, lock included: the
// answers do not tell which names exist.
func TestUnknownNamesLockToo(t *testing.T) {
	svc, _ := newAccountService(t)
	anon := app.WithSource(context.Background(), "10.0.0.7")
	var err error
	for range 5 {
		_, err = svc.Login(anon, app.LoginInput{Account: "nosuch", Password: "guess"})
	}
	wantErr(t, "the fifth failure of a name with no account", err, tracker.ELocked, tracker.FieldAccount)
}
