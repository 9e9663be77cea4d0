package api_test

import (
	"context"
	"io"
	"path/filepath"
	"reflect"
	"testing"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/api"
	"gongkai/tracker/app"
)

// The client is the Service: what it returns over HTTP is what the
// application layer returns in process, and its refusals are the same
// errors.
func TestClientIsTheService(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	local := app.WithActor(ctx, "local:root")
	officer := &api.Client{Base: o.srv.URL, Token: o.tokens[access.Officer]}
	staff := &api.Client{Base: o.srv.URL, Token: o.tokens[access.Staff]}

	logged, err := staff.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Date: calendar.DateOf(2026, 11, 2), Summary: "调整参保登记办理材料"})
	if err != nil {
		t.Fatal(err)
	}
	if logged.View.By != "ustaff" || logged.View.Deadline != calendar.DateOf(2026, 11, 30) {
		t.Errorf("logged: %+v", logged.View)
	}
	want, err := o.svc.Event(local, app.EventRef{ID: logged.View.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := officer.Event(ctx, app.EventRef{ID: logged.View.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.View, want.View) || got.Version != want.Version {
		t.Errorf("over HTTP:\n%+v\nin process:\n%+v", got.View, want.View)
	}
	// Refusals arrive as the same errors.
	_, err = staff.Waive(ctx, app.WaiveInput{Event: logged.View.ID, Reason: "x"})
	if e := tracker.AsError(err); e == nil || e.Code != tracker.EForbidden || e.Field != "role" {
		t.Errorf("staff waive: %v", err)
	}
	_, err = officer.Log(ctx, app.LogInput{Matter: "999", Kind: tracker.Changed, Summary: "x"})
	if e := tracker.AsError(err); e == nil || e.Code != tracker.ENotFound || e.Field != tracker.FieldMatter {
		t.Errorf("unknown matter: %v", err)
	}
	// Lists page through.
	for i := range api.MaxLimit + 5 {
		if _, err := o.svc.Log(local, app.LogInput{Matter: "3", Kind: tracker.Formed, Date: calendar.DateOf(2026, 11, 2), Summary: "批量 " + string(rune('a'+i%26))}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := officer.Events(ctx, app.EventQuery{})
	if err != nil || len(list.Events) != api.MaxLimit+6 {
		t.Fatalf("events over HTTP: %d %v", len(list.Events), err)
	}
	// The calendar is the server's.
	cal, err := officer.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2026-09-30 + 1 working day: past 国庆节, on 2026-10-08 (a
	// Thursday; 10-01 to 10-07 are off).
	if d, _, _ := cal.AddWorkdays(calendar.DateOf(2026, 9, 30), 1); d != calendar.DateOf(2026, 10, 8) {
		t.Errorf("the calendar over HTTP puts the first working day after 2026-09-30 on %s", d)
	}
	// A backup downloaded is a database.
	dst := filepath.Join(t.TempDir(), "copy.db")
	admin := &api.Client{Base: o.srv.URL, Token: o.tokens[access.Admin]}
	if err := admin.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := admin.Backup(ctx, dst); tracker.ErrorCode(err) != tracker.EInvalid {
		t.Errorf("a backup over an existing file: %v", err)
	}
	if err := officer.Backup(ctx, filepath.Join(t.TempDir(), "no.db")); tracker.ErrorCode(err) != tracker.EForbidden {
		t.Errorf("an officer's backup: %v", err)
	}
	// What only the server's machine may do.
	if _, err := admin.Init(ctx); tracker.ErrorCode(err) != tracker.EForbidden {
		t.Errorf("init over HTTP: %v", err)
	}
	if err := admin.Dump(ctx, "", io.Discard); tracker.ErrorCode(err) != tracker.EForbidden {
		t.Errorf("dump over HTTP: %v", err)
	}
	// A server that is not there.
	gone := &api.Client{Base: "http://127.0.0.1:1"}
	if _, err := gone.Whoami(ctx); tracker.ErrorCode(err) != tracker.EUnavailable || tracker.AsError(err).Field != "server" {
		t.Errorf("no server: %v", err)
	}
}

// The calendar's sums over HTTP: the rule's example, 2026-11-02 + 20
// working days = 2026-11-30.
func TestCalendarOverHTTP(t *testing.T) {
	o := newOffice(t)
	var add api.CalendarAdd
	o.mustDo(o.tokens[access.Staff], "GET", "/api/v1/calendar/add?date=2026-11-02&days=20", nil, 200, &add)
	if add.Result != calendar.DateOf(2026, 11, 30) {
		t.Errorf("add: %+v", add)
	}
	var x api.CalendarExplanation
	o.mustDo(o.tokens[access.Staff], "GET", "/api/v1/calendar/explain?date=2026-09-28&days=20", nil, 200, &x)
	skipped := 0
	for _, s := range x.Steps {
		if s.Ordinal == 0 {
			skipped++
		}
	}
	if x.Steps[len(x.Steps)-1].Ordinal != 20 || skipped == 0 || x.How == "" {
		t.Errorf("explain: %d steps, %d skipped, last %+v", len(x.Steps), skipped, x.Steps[len(x.Steps)-1])
	}
	var b api.CalendarBetween
	o.mustDo(o.tokens[access.Staff], "GET", "/api/v1/calendar/between?from=2026-11-02&to=2026-11-30", nil, 200, &b)
	if b.Workdays != 20 {
		t.Errorf("between: %+v", b)
	}
}
