package boltstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
)

// lastHashes returns, by event id, the hash the latest entry about each
// event carries.
func lastHashes(t *testing.T, tx tracker.Tx) map[uint64]string {
	t.Helper()
	out := map[uint64]string{}
	err := tx.AuditEntries(func(_ uint64, a *tracker.AuditEntry) error {
		var c struct {
			Event uint64 `json:"event"`
			Hash  string `json:"event_sha256"`
		}
		if strings.HasPrefix(a.Subject, "event ") {
			if err := json.Unmarshal(a.Content, &c); err != nil {
				return err
			}
			out[c.Event] = c.Hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hashOf(t *testing.T, e *tracker.Event) string {
	t.Helper()
	h, err := tracker.EventHash(e)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// What an operation hashes is what the store gives back: every event read
// from the file, however it is read, hashes to what its latest audit entry
// says, with the awkward values a store must carry unchanged (nanoseconds,
// odd zones, characters JSON escapes, text that is not valid UTF-8: an
// operation refuses such text today, but a name given by an older
// gongkai, or by an account, is stored as it came).
func TestEventHashRoundTrip(t *testing.T) {
	s, path := tempStore(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 123456789, time.FixedZone("", 5*3600+45*60))
	real := time.Date(2026, 12, 3, 8, 0, 0, 987654321, time.UTC)
	err := s.Update(func(tx tracker.Tx) error {
		ops := &tracker.Ops{Tx: tx, Cal: calendar.Default(), Clock: tracker.Clock{Now: now, Today: calendar.Today(now), By: "张三\xff\x00"},
			RealNow: func() time.Time { return real }}
		if _, err := ops.Init(tracker.EmbeddedCatalog()); err != nil {
			return err
		}
		e, err := ops.Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: calendar.DateOf(2026, 11, 2),
			Summary: "调整 <办理材料> & 时限\u2028", Ref: "章人社字〔2026〕8号"})
		if err != nil {
			return err
		}
		if _, err := ops.Disclose(e.ID, nil, true, calendar.DateOf(2026, 11, 19), "https://www.zgq.gov.cn/xxgk/1?a=1&b=<2>", "公示栏"); err != nil {
			return err
		}
		if _, err := ops.Retract(e.ID, tracker.Web, "误登"); err != nil {
			return err
		}
		e2, err := ops.Log("71", tracker.LogRequest{Kind: tracker.Formed, Date: calendar.DateOf(2026, 10, 20), Summary: "抚恤金标准"})
		if err != nil {
			return err
		}
		_, err = ops.Waive(e2.ID, "依法不予公开")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.View(func(tx tracker.Tx) error {
		want := lastHashes(t, tx)
		if len(want) != 2 || want[1] == "" || want[2] == "" {
			t.Fatalf("hashes in the audit log: %v", want)
		}
		for id := uint64(1); id <= 2; id++ {
			e, err := tx.Event(id)
			if err != nil {
				t.Fatal(err)
			}
			if got := hashOf(t, e); got != want[id] {
				t.Errorf("Event(%d) hashes to %s, the log says %s", id, got, want[id])
			}
			if e.LoggedClock.IsZero() || e.History[len(e.History)-1].Clock.IsZero() {
				t.Errorf("event %d lost the machine's clock: %+v", id, e)
			}
		}
		n := 0
		tx.Events(func(e *tracker.Event) error {
			n++
			if got := hashOf(t, e); got != want[e.ID] {
				t.Errorf("Events: event %d hashes to %s, the log says %s", e.ID, got, want[e.ID])
			}
			return nil
		})
		var keys []uint64
		tx.StoredEvents(func(key uint64, e *tracker.Event) error {
			keys = append(keys, key)
			if e == nil || e.ID != key || hashOf(t, e) != want[key] {
				t.Errorf("StoredEvents: key %d holds %+v", key, e)
			}
			return nil
		})
		if n != 2 || !slices.Equal(keys, []uint64{1, 2}) {
			t.Errorf("Events gave %d, StoredEvents %v", n, keys)
		}
		return nil
	})
}

// StoredEvents goes through more events than one batch decodes, in key
// order.
func TestStoredEventsBatches(t *testing.T) {
	s, _ := tempStore(t)
	const n = 3*decodeBatch + 7
	err := s.Update(func(tx tracker.Tx) error {
		for i := range n {
			e := &tracker.Event{Summary: fmt.Sprint(i), History: []tracker.Change{{Action: tracker.ActLogged}}}
			if err := tx.PutEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	s.View(func(tx tracker.Tx) error {
		return tx.StoredEvents(func(key uint64, e *tracker.Event) error {
			if e.Summary != fmt.Sprint(key-1) {
				t.Errorf("key %d holds %q", key, e.Summary)
			}
			got = append(got, key)
			return nil
		})
	})
	if len(got) != n || !slices.IsSorted(got) {
		t.Errorf("%d keys, sorted %v", len(got), slices.IsSorted(got))
	}

	// The binder takes them all, in order, each with its own hash: none
	// has an audit entry.
	var b tracker.EventBinder
	var each []uint64
	s.View(func(tx tracker.Tx) error {
		return b.Stored(tx, func(e *tracker.Event) { each = append(each, e.ID) })
	})
	if r := b.Result(); !slices.Equal(r.Unaudited, got) || !slices.Equal(each, got) || r.Bound+len(r.Mismatched) != 0 {
		t.Errorf("binder: %d unaudited, %d given to each, %+v", len(r.Unaudited), len(each), r.Mismatched)
	}
}

// binding compares the events of s with its audit log.
func binding(t *testing.T, s *Store) tracker.EventBinding {
	t.Helper()
	var b tracker.EventBinder
	err := s.View(func(tx tracker.Tx) error {
		var chk tracker.AuditChecker
		if err := tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
			if p := chk.Next(key, a); p != nil {
				return p
			}
			b.Entry(a)
			return nil
		}); err != nil {
			return err
		}
		return b.Stored(tx, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.Result()
}

// A database written before audit entries carried hashes is bound from the
// baseline on, once; events it cannot vouch for stay reported.
func TestAuditBaseline(t *testing.T) {
	s, _ := tempStore(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, calendar.Shanghai)
	clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: "张三"}
	ops := func(tx tracker.Tx) *tracker.Ops {
		return &tracker.Ops{Tx: tx, Cal: calendar.Default(), Clock: clk, RealNow: func() time.Time { return now }}
	}
	update := func(fn func(tx tracker.Tx) error) {
		t.Helper()
		if err := s.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	head := func() tracker.AuditHead {
		var h tracker.AuditHead
		s.View(func(tx tracker.Tx) (err error) { h, err = tx.AuditHead(); return err })
		return h
	}

	// Nothing to bind in an empty database.
	update(func(tx tracker.Tx) error {
		n, err := ops(tx).AuditBaseline()
		if n != 0 || err != nil {
			t.Errorf("empty: AuditBaseline() = %d, %v", n, err)
		}
		return err
	})
	if h := head(); h.Count != 0 {
		t.Errorf("empty: the log has %s", h)
	}

	update(func(tx tracker.Tx) error {
		o := ops(tx)
		if _, err := o.Init(tracker.EmbeddedCatalog()); err != nil {
			return err
		}
		// Events 1–3 as versions before hashes wrote them: stored, then an
		// entry without the hash.
		m := tracker.EmbeddedCatalog().Matters[2]
		for i := range 3 {
			e, err := tracker.NewEvent(tracker.LogRequest{Matter: &m, Kind: tracker.Changed, Date: calendar.DateOf(2026, 11, 2),
				Summary: fmt.Sprintf("旧事件 %d", i+1)}, calendar.Default(), clk)
			if err != nil {
				return err
			}
			if err := tx.PutEvent(e); err != nil {
				return err
			}
			content, _ := json.Marshal(map[string]any{"event": e.ID, "summary": e.Summary, "detail": e.History[0].Detail})
			if err := tx.Audit(&tracker.AuditEntry{At: now, Clock: now, Actor: "张三", Action: tracker.ActLogged,
				Subject: fmt.Sprintf("event %d", e.ID), Content: content}); err != nil {
				return err
			}
		}
		// Event 4 by this version, bound by its entry.
		if _, err := o.Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: calendar.DateOf(2026, 11, 2), Summary: "新事件"}); err != nil {
			return err
		}
		// Event 5 stored with no entry at all: added outside gongkai.
		return tx.PutEvent(&tracker.Event{Summary: "凭空添加", History: []tracker.Change{{Action: tracker.ActLogged}}})
	})
	b := binding(t, s)
	if b.Bound != 1 || !slices.Equal(b.Unbound, []uint64{1, 2, 3}) || !slices.Equal(b.Unaudited, []uint64{5}) {
		t.Fatalf("before the baseline: %+v", b)
	}

	update(func(tx tracker.Tx) error {
		// As a migration runs it: no operation clock, who upgraded.
		migration := &tracker.Ops{Tx: tx, Clock: tracker.Clock{By: "升级"}, RealNow: func() time.Time { return now }}
		n, err := migration.AuditBaseline()
		if n != 3 || err != nil {
			t.Errorf("AuditBaseline() = %d, %v; want 3 (events 1–3)", n, err)
		}
		return err
	})
	b = binding(t, s)
	if b.Bound != 4 || len(b.Unbound) != 0 || !slices.Equal(b.Unaudited, []uint64{5}) {
		t.Errorf("after the baseline: %+v; want 4 bound, event 5 still unaudited", b)
	}
	h := head()
	s.View(func(tx tracker.Tx) error {
		return tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
			if key != h.Count {
				return nil
			}
			if a.Action != tracker.AuditBaseline || tracker.AuditActionName(a.Action) != "建立基线" ||
				tracker.AuditSubjectName(a.Subject) != "各事件" || !strings.HasPrefix(tracker.AuditText(a), "为写于记录事件哈希之前的事件 1 至 3（3 个）") {
				t.Errorf("baseline entry %+v reads %q %q %q", a, tracker.AuditActionName(a.Action), tracker.AuditSubjectName(a.Subject), tracker.AuditText(a))
			}
			if !a.At.Equal(now) || a.Simulated() || a.Actor != "升级" {
				t.Errorf("baseline entry at %v (clock %v) by %q", a.At, a.Clock, a.Actor)
			}
			if !strings.Contains(string(a.Content), `"events":[{"event":1,"event_sha256":"`) {
				t.Errorf("baseline content %s", a.Content)
			}
			return nil
		})
	})

	// Again: nothing left to bind, nothing appended.
	update(func(tx tracker.Tx) error {
		n, err := ops(tx).AuditBaseline()
		if n != 0 || err != nil {
			t.Errorf("again: AuditBaseline() = %d, %v", n, err)
		}
		return err
	})
	if again := head(); again != h {
		t.Errorf("again: head %s, was %s", again, h)
	}

	// Event 1 changed by gongkai, event 2 behind its back.
	update(func(tx tracker.Tx) error {
		if _, err := ops(tx).Waive(1, "依法不予公开"); err != nil {
			return err
		}
		e, err := tx.Event(2)
		if err != nil {
			return err
		}
		e.Summary = "改过的旧事件"
		return tx.PutEvent(e)
	})
	b = binding(t, s)
	if b.Bound != 3 || !slices.Equal(b.Mismatched, []uint64{2}) || !slices.Equal(b.Unaudited, []uint64{5}) {
		t.Errorf("after changes: %+v; want event 2 mismatched", b)
	}
}
