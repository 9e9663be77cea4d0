package app_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// clocks are a test's operation clock and the machine's, both set by hand.
type clocks struct{ now, real time.Time }

// newLocal returns the Service over a new database file in a temporary
// folder, on the clocks c, and the file's path.
func newLocal(t *testing.T, c *clocks) (*app.Local, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gongkai.db")
	f := &boltstore.File{Path: path}
	return app.NewLocal(app.Config{
		Store: f, Maintenance: f,
		Now:     func() time.Time { return c.now },
		RealNow: func() time.Time { return c.real },
	}), path
}

var ctx = app.WithActor(context.Background(), "张三")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// A logging replayed under a simulated time keeps the real one beside it,
// in the event and in the audit log; a change on the machine's clock
// keeps nothing extra.
func TestSimulatedTime(t *testing.T) {
	c := &clocks{now: at("2026-11-02T09:30:00+08:00"), real: at("2026-12-03T16:00:05+08:00")}
	l, _ := newLocal(t, c)
	d := must[*app.EventDetail](t)(l.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "调整办理材料"}))
	if !d.Event.LoggedClock.Equal(c.real) || !d.Event.History[0].Clock.Equal(c.real) {
		t.Errorf("logged under a simulated time: LoggedClock %v, history %v; want %v", d.Event.LoggedClock, d.Event.History[0].Clock, c.real)
	}
	if d.View.LoggedClock != "2026-12-03T16:00:05+08:00" {
		t.Errorf("view's logged_clock %q", d.View.LoggedClock)
	}

	// The machine's clock, give or take a few seconds.
	c.now, c.real = c.real, c.real.Add(2*time.Second)
	d = must[*app.EventDetail](t)(l.Disclose(ctx, app.DiscloseInput{Event: 1, All: true}))
	if h := d.Event.History[1]; !h.Clock.IsZero() || !d.Event.Disclosures[0].Clock.IsZero() {
		t.Errorf("disclosed on the real clock, yet kept %v, %v", h.Clock, d.Event.Disclosures[0].Clock)
	}

	list := must[*app.AuditList](t)(l.Audit(ctx, app.AuditQuery{}))
	var simulated []uint64
	for _, a := range list.Entries {
		if a.Simulated {
			simulated = append(simulated, a.Seq)
		}
	}
	if want := []uint64{1, 2}; !slices.Equal(simulated, want) {
		t.Errorf("simulated entries in the list %v, want %v (init and log)", simulated, want)
	}
	v := must[*app.AuditVerification](t)(l.VerifyAudit(ctx))
	if len(v.Simulated) != 2 || v.Simulated[1].Seq != 2 || !v.Simulated[1].Clock.Equal(c.now) {
		t.Errorf("verify lists %+v", v.Simulated)
	}
	if v.Head.Count != 3 {
		t.Errorf("head %v", v.Head)
	}
	if day := calendar.Today(v.Simulated[0].At); day != calendar.DateOf(2026, 11, 2) {
		t.Errorf("operation day %s", day)
	}
}
