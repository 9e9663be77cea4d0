package tracker

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
)

func TestSimulated(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, calendar.Shanghai)
	tests := []struct {
		name  string
		clock time.Time
		want  bool
	}{
		// The machine's clock itself: the operation's time is the clock.
		{"same instant", at, false},
		// The same instant written in another zone is the same time.
		{"same instant in UTC", at.UTC(), false},
		// An operation waits for the database (5 s) and runs: not faked.
		{"59 s later", at.Add(59 * time.Second), false},
		// The limit itself is still real time.
		{"exactly a minute", at.Add(-time.Minute), false},
		// A clock set a little back, beyond what a wait explains.
		{"61 s earlier", at.Add(-61 * time.Second), true},
		// GONGKAI_NOW a month back: the replay the issue is about.
		{"a month later", at.AddDate(0, 1, 0), true},
		// GONGKAI_NOW in the future.
		{"a day earlier", at.AddDate(0, 0, -1), true},
		// No clock kept: unknown, which is not evidence of faking.
		{"zero clock", time.Time{}, false},
	}
	for _, tc := range tests {
		if got := Simulated(at, tc.clock); got != tc.want {
			t.Errorf("%s: Simulated(%v, %v) = %v, want %v", tc.name, at, tc.clock, got, tc.want)
		}
	}
}

// Every record a change writes under a simulated time keeps the machine's
// clock beside it; under the real clock none does, and the JSON is what it
// was before records kept it.
func TestRecordsKeepTheRealClock(t *testing.T) {
	cal := calendar.Default()
	m := &EmbeddedCatalog().Matters[0]
	run := func(t *testing.T, clk Clock) *Event {
		t.Helper()
		e, err := NewEvent(LogRequest{Matter: m, Kind: Changed, Date: day("2026-11-02"), Summary: "调整办理材料"}, cal, clk)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Disclose(m.Channels, day("2026-11-02"), "https://example.gov.cn/1", "", clk); err != nil {
			t.Fatal(err)
		}
		if err := e.Retract(m.Channels[0], "误登", clk); err != nil {
			t.Fatal(err)
		}
		if err := e.Waive("依法不予公开", clk); err != nil {
			t.Fatal(err)
		}
		return e
	}
	clocks := func(e *Event) []time.Time {
		out := []time.Time{e.LoggedClock}
		for _, h := range e.History {
			out = append(out, h.Clock)
		}
		for _, d := range e.Disclosures {
			out = append(out, d.Clock)
			if d.Void != nil {
				out = append(out, d.Void.Clock)
			}
		}
		return out
	}

	t.Run("simulated", func(t *testing.T) {
		clk := clockOn("2026-11-02")
		clk.Real = time.Date(2026, 12, 3, 15, 58, 5, 0, calendar.Shanghai)
		e := run(t, clk)
		got := clocks(e)
		if len(got) != 1+4+len(m.Channels)+1 {
			t.Fatalf("%d records, want %d", len(got), 1+4+len(m.Channels)+1)
		}
		for i, c := range got {
			if !c.Equal(clk.Real) || c.Location() != time.UTC {
				t.Errorf("record %d keeps %v, want %v in UTC", i, c, clk.Real)
			}
		}
		if e.LoggedAt != clk.Now {
			t.Errorf("LoggedAt %v, want the operation's time %v", e.LoggedAt, clk.Now)
		}
	})
	for _, tc := range []struct {
		name string
		real time.Duration // from the operation's time; -1: unknown
	}{
		{"real clock", 3 * time.Second},
		{"no clock known", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clockOn("2026-11-02")
			if tc.real >= 0 {
				clk.Real = clk.Now.Add(tc.real)
			}
			e := run(t, clk)
			for i, c := range clocks(e) {
				if !c.IsZero() {
					t.Errorf("record %d keeps %v", i, c)
				}
			}
			js, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(js), `"clock"`) || strings.Contains(string(js), `"logged_clock"`) {
				t.Errorf("JSON has a clock: %s", js)
			}
		})
	}
}

// An event stored before records kept the machine's clock reads back and
// writes again byte for byte as it was.
func TestEventJSONWithoutClock(t *testing.T) {
	old := `{"id":1,"matter":3,"matter_name":"社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记","channels":["web","center","grassroots"],"time_limit_days":20,"kind":"changed","date":"2026-11-02","summary":"调整参保登记办理材料","ref":"章人社字〔2026〕8号","by":"张三","logged_at":"2026-11-02T09:30:00+08:00","deadline":"2026-11-30","provisional":false,"logged_late":false,"state":"open","disclosures":[{"channel":"web","date":"2026-11-20","url":"https://www.zgq.gov.cn/xxgk/1","by":"张三","at":"2026-11-20T15:00:00+08:00","void":{"action":"retracted","reason":"误登","by":"张三","at":"2026-11-20T16:00:00+08:00"}}],"history":[{"at":"2026-11-02T09:30:00+08:00","by":"张三","action":"logged","detail":"事项 3，信息变更于 2026-11-02；公开期限 2026-11-30"}]}`
	var e Event
	if err := json.Unmarshal([]byte(old), &e); err != nil {
		t.Fatal(err)
	}
	if !e.LoggedClock.IsZero() || !e.History[0].Clock.IsZero() || !e.Disclosures[0].Clock.IsZero() || !e.Disclosures[0].Void.Clock.IsZero() {
		t.Errorf("an old event reads with a clock: %+v", e)
	}
	js, err := json.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != old {
		t.Errorf("written again as\n%s\nwant\n%s", js, old)
	}
}
