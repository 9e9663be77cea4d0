package app_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

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
	l := app.NewLocal(app.Config{
		Store: f, Maintenance: f,
		Now:     func() time.Time { return c.now },
		RealNow: func() time.Time { return c.real },
	})
	if _, err := l.Init(ctx); err != nil {
		t.Fatal(err)
	}
	return l, path
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
	if len(v.Simulated) != 2 || v.SimulatedCount != 2 || v.Simulated[1].Seq != 2 || !v.Simulated[1].Clock.Equal(c.now) {
		t.Errorf("verify lists %+v", v.Simulated)
	}
	if v.Head.Count != 3 {
		t.Errorf("head %v", v.Head)
	}
	if day := calendar.Today(v.Simulated[0].At); day != calendar.DateOf(2026, 11, 2) {
		t.Errorf("operation day %s", day)
	}
}

// A database replayed under a simulated time throughout: verify counts
// every such entry and lists the first MaxSimulated.
func TestSimulatedListed(t *testing.T) {
	c := &clocks{now: at("2026-11-02T09:30:00+08:00"), real: at("2026-12-03T16:00:05+08:00")}
	l, _ := newLocal(t, c)
	for range app.MaxSimulated + 4 {
		must[*app.EventDetail](t)(l.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "调整办理材料"}))
	}
	v := must[*app.AuditVerification](t)(l.VerifyAudit(ctx))
	if want := app.MaxSimulated + 5; v.SimulatedCount != want || len(v.Simulated) != app.MaxSimulated || v.Simulated[0].Seq != 1 {
		t.Fatalf("verify counts %d simulated entries, lists %d; want %d, the first %d", v.SimulatedCount, len(v.Simulated), want, app.MaxSimulated)
	}
}

// editStored changes event id in the file, outside gongkai, as fn says.
func editStored(t *testing.T, path string, id uint64, fn func(e *tracker.Event)) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		k := binary.BigEndian.AppendUint64(nil, id)
		var e tracker.Event
		if err := boltstore.DecodeValue(b.Get(k), &e); err != nil {
			return err
		}
		fn(&e)
		v, err := boltstore.EncodeValue(&e)
		if err != nil {
			return err
		}
		return b.Put(k, v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// VerifyAudit and Check bind the stored events to the audit log: an event
// edited in the file is damage, named, and they say what they found.
func TestVerifyBindsEvents(t *testing.T) {
	c := &clocks{now: at("2026-11-20T10:00:00+08:00")}
	c.real = c.now
	l, path := newLocal(t, c)
	must[*app.EventDetail](t)(l.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "调整办理材料"}))
	must[*app.EventDetail](t)(l.Log(ctx, app.LogInput{Matter: "5", Kind: tracker.Formed, Summary: "新政策"}))
	must[*app.EventDetail](t)(l.Disclose(ctx, app.DiscloseInput{Event: 1, All: true}))

	v := must[*app.AuditVerification](t)(l.VerifyAudit(ctx))
	if v.Bound != 2 || len(v.Unbound)+len(v.Mismatched)+len(v.Unaudited)+len(v.Missing) != 0 || len(v.Simulated) != 0 {
		t.Errorf("sound database: %+v", v)
	}
	r := must[*app.CheckResult](t)(l.Check(ctx))
	if r.Events != 2 || r.Open != 1 || r.Bound != 2 || r.Audit.Count != 4 {
		t.Errorf("sound database: check %+v", r)
	}

	editStored(t, path, 1, func(e *tracker.Event) { e.Deadline = e.Deadline.AddDays(30) })
	v, err := l.VerifyAudit(ctx)
	if tracker.ErrorCode(err) != tracker.EDamaged || tracker.ErrorField(err) != tracker.FieldEvent ||
		!strings.Contains(err.Error(), "事件 1 的内容与审计日志最后所记不符") {
		t.Errorf("VerifyAudit: %v", err)
	}
	if v == nil || !slices.Equal(v.Mismatched, []uint64{1}) || v.Bound != 1 || v.Head.Count != 4 {
		t.Errorf("VerifyAudit found %+v", v)
	}
	r, err = l.Check(ctx)
	if tracker.ErrorCode(err) != tracker.EDamaged || !strings.Contains(err.Error(), "事件 1 ") {
		t.Errorf("Check: %v", err)
	}
	if r == nil || !slices.Equal(r.Mismatched, []uint64{1}) || r.Events != 2 {
		t.Errorf("Check found %+v", r)
	}
	js, _ := json.Marshal(r)
	if !strings.Contains(string(js), `"mismatched":[1],"unaudited":[],"missing":[]`) {
		t.Errorf("Check's JSON: %s", js)
	}

	// A break in the chain comes first: the events are not compared.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit")).Delete(binary.BigEndian.AppendUint64(nil, 2))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	v, err = l.VerifyAudit(ctx)
	if tracker.ErrorCode(err) != tracker.EDamaged || !strings.Contains(err.Error(), "缺少第 2 至第 2 条记录") {
		t.Errorf("VerifyAudit, entry 2 removed: %v", err)
	}
	if v.Bound != 0 || len(v.Missing)+len(v.Mismatched) != 0 {
		t.Errorf("VerifyAudit, entry 2 removed, compared the events: %+v", v.EventBinding)
	}
}

// A database whose events were written before audit entries carried their
// hashes: its events are unbound, which is no damage, until a migration
// lays the baseline; from then on they are bound.
func TestUnboundUntilBaseline(t *testing.T) {
	c := &clocks{now: at("2026-11-20T10:00:00+08:00")}
	c.real = c.now
	l, path := newLocal(t, c)
	must[*app.EventDetail](t)(l.Log(ctx, app.LogInput{Matter: "3", Kind: tracker.Changed, Summary: "调整办理材料"}))

	// Event 2 as an older version wrote it.
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx tracker.Tx) error {
		m := tracker.EmbeddedCatalog().Matters[4]
		clk := tracker.Clock{Now: c.now, Today: calendar.Today(c.now), By: "李四"}
		e, err := tracker.NewEvent(tracker.LogRequest{Matter: &m, Kind: tracker.Formed, Date: clk.Today, Summary: "旧政策"}, calendar.Default(), clk)
		if err != nil {
			return err
		}
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		content, _ := json.Marshal(map[string]any{"event": e.ID, "detail": e.History[0].Detail})
		return tx.Audit(&tracker.AuditEntry{At: c.now, Clock: c.now, Actor: "李四", Action: tracker.ActLogged, Subject: "event 2", Content: content})
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	v := must[*app.AuditVerification](t)(l.VerifyAudit(ctx))
	if v.Bound != 1 || !slices.Equal(v.Unbound, []uint64{2}) {
		t.Errorf("before the baseline: %+v", v.EventBinding)
	}
	r := must[*app.CheckResult](t)(l.Check(ctx))
	if !slices.Equal(r.Unbound, []uint64{2}) {
		t.Errorf("before the baseline: check %+v", r.EventBinding)
	}

	// The migration's step, in its own transaction.
	if s, err = boltstore.Open(path, boltstore.Options{}); err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx tracker.Tx) error {
		ops := &tracker.Ops{Tx: tx, Clock: tracker.Clock{Now: c.now, Today: calendar.Today(c.now), By: "gongkai"}}
		n, err := ops.AuditBaseline()
		if n != 1 {
			t.Errorf("AuditBaseline() = %d, want 1", n)
		}
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	v = must[*app.AuditVerification](t)(l.VerifyAudit(ctx))
	if v.Bound != 2 || len(v.Unbound) != 0 || v.Head.Count != 4 {
		t.Errorf("after the baseline: %+v", v)
	}
	list := must[*app.AuditList](t)(l.Audit(ctx, app.AuditQuery{}))
	if last := list.Entries[len(list.Entries)-1]; last.ActionName != "建立基线" || last.SubjectName != "各事件" {
		t.Errorf("last entry %+v", last)
	}

	// An old event edited after the baseline is damage like any other.
	editStored(t, path, 2, func(e *tracker.Event) { e.Summary = "改过的旧政策" })
	if _, err := l.VerifyAudit(ctx); tracker.ErrorCode(err) != tracker.EDamaged || !strings.Contains(err.Error(), "事件 2 ") {
		t.Errorf("edited after the baseline: %v", err)
	}
}
