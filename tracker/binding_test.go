package tracker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// event is a stored event: id, with a summary.
func event(t *testing.T, id uint64, summary string) *Event {
	t.Helper()
	e := logged(t, "2026-11-02", "2026-11-02")
	e.ID, e.Summary = id, summary
	return e
}

func hashOf(t *testing.T, e *Event) string {
	t.Helper()
	h, err := EventHash(e)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// change is an event entry as Ops writes it; hash "" as versions before
// hashes wrote it.
func change(id uint64, hash string) *AuditEntry {
	c := map[string]any{"event": id, "detail": "…"}
	if hash != "" {
		c[contentEventHash] = hash
	}
	b, _ := json.Marshal(c)
	return &AuditEntry{Action: ActAmended, Subject: subject(subjectEvent, id), Content: b}
}

// baseline is a baseline entry binding the events given as id, hash, …
func baseline(pairs ...any) *AuditEntry {
	var c baselineContent
	for i := 0; i < len(pairs); i += 2 {
		c.Events = append(c.Events, baselined{Event: pairs[i].(uint64), Hash: pairs[i+1].(string)})
	}
	b, _ := json.Marshal(c)
	return &AuditEntry{Action: AuditBaseline, Subject: subjectEvents, Content: b}
}

func TestEventBinder(t *testing.T) {
	e1, e2 := event(t, 1, "调整办理材料"), event(t, 2, "新政策")
	e1b := event(t, 1, "调整办理材料清单") // event 1 after a change
	h1, h2, h1b := hashOf(t, e1), hashOf(t, e2), hashOf(t, e1b)
	other, _ := json.Marshal(map[string]any{"year": 2028, "file": "2028.json"})
	calendarImport := &AuditEntry{Action: AuditCalendarImport, Subject: subject(subjectCalendar, 2028), Content: other}

	type stored struct {
		key uint64
		e   *Event // nil: unreadable
	}
	tests := []struct {
		name    string
		entries []*AuditEntry
		events  []stored
		want    EventBinding
	}{
		// Every event as its only entry says.
		{"bound", []*AuditEntry{change(1, h1), change(2, h2)}, []stored{{1, e1}, {2, e2}},
			EventBinding{Bound: 2}},
		// The latest entry is the one that counts.
		{"changed twice", []*AuditEntry{change(1, h1), change(2, h2), change(1, h1b)}, []stored{{1, e1b}, {2, e2}},
			EventBinding{Bound: 2}},
		// An earlier state put back over a later one.
		{"rolled back", []*AuditEntry{change(1, h1), change(1, h1b)}, []stored{{1, e1}},
			EventBinding{Mismatched: []uint64{1}}},
		// A summary edited in the file.
		{"edited", []*AuditEntry{change(1, h1)}, []stored{{1, e1b}},
			EventBinding{Mismatched: []uint64{1}}},
		// Two values swapped: each is sound, under the other's key.
		{"swapped", []*AuditEntry{change(1, h1), change(2, h2)}, []stored{{1, e2}, {2, e1}},
			EventBinding{Mismatched: []uint64{1, 2}}},
		// An event no entry names.
		{"added", []*AuditEntry{change(1, h1)}, []stored{{1, e1}, {3, event(t, 3, "凭空添加")}},
			EventBinding{Bound: 1, Unaudited: []uint64{3}}},
		// A copy of an event under a new key.
		{"copied", []*AuditEntry{change(1, h1)}, []stored{{1, e1}, {3, e1}},
			EventBinding{Bound: 1, Unaudited: []uint64{3}}},
		// An event the log names that is gone.
		{"removed", []*AuditEntry{change(1, h1), change(2, h2)}, []stored{{1, e1}},
			EventBinding{Bound: 1, Missing: []uint64{2}}},
		// A value that does not decode.
		{"unreadable", []*AuditEntry{change(1, h1)}, []stored{{1, nil}},
			EventBinding{Mismatched: []uint64{1}}},
		// Written before entries carried hashes: unbound, not damaged.
		{"written before hashes", []*AuditEntry{change(1, ""), change(2, "")}, []stored{{1, e1}, {2, e2}},
			EventBinding{Unbound: []uint64{1, 2}}},
		// An old event changed since: bound by its latest entry.
		{"old event changed since", []*AuditEntry{change(1, ""), change(1, h1b)}, []stored{{1, e1b}},
			EventBinding{Bound: 1}},
		// The baseline binds old events as they were when it was made.
		{"baseline", []*AuditEntry{change(1, ""), change(2, ""), baseline(uint64(1), h1, uint64(2), h2)}, []stored{{1, e1}, {2, e2}},
			EventBinding{Bound: 2}},
		// An old event edited after the baseline.
		{"edited after the baseline", []*AuditEntry{change(1, ""), baseline(uint64(1), h1)}, []stored{{1, e1b}},
			EventBinding{Mismatched: []uint64{1}}},
		// Changed by gongkai after the baseline: the later entry counts.
		{"changed after the baseline", []*AuditEntry{change(1, ""), baseline(uint64(1), h1), change(1, h1b)}, []stored{{1, e1b}},
			EventBinding{Bound: 1}},
		// An entry without a hash after the baseline (an older version
		// writing again) leaves the event unbound.
		{"unhashed entry after the baseline", []*AuditEntry{baseline(uint64(1), h1), change(1, "")}, []stored{{1, e1b}},
			EventBinding{Unbound: []uint64{1}}},
		// A baseline names an event that is gone.
		{"baselined and removed", []*AuditEntry{change(1, ""), change(2, ""), baseline(uint64(1), h1, uint64(2), h2)}, []stored{{1, e1}},
			EventBinding{Bound: 1, Missing: []uint64{2}}},
		// Entries about other things bind no event.
		{"other subjects", []*AuditEntry{calendarImport}, []stored{{1, e1}},
			EventBinding{Unaudited: []uint64{1}}},
		// An empty database.
		{"nothing", nil, nil, EventBinding{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b EventBinder
			for i, a := range tc.entries {
				a.Seq = uint64(i + 1)
				b.Entry(a)
			}
			for _, s := range tc.events {
				b.Event(s.key, s.e)
			}
			got := b.Result()
			for _, l := range []*[]uint64{&tc.want.Unbound, &tc.want.Mismatched, &tc.want.Unaudited, &tc.want.Missing} {
				if *l == nil {
					*l = []uint64{}
				}
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			err := got.Damage()
			damaged := len(tc.want.Mismatched)+len(tc.want.Unaudited)+len(tc.want.Missing) > 0
			if damaged != (err != nil) || got.Damaged() != damaged {
				t.Fatalf("Damage() = %v, want damage: %v", err, damaged)
			}
			if err != nil && (ErrorCode(err) != EDamaged || ErrorField(err) != FieldEvent || strings.Contains(err.Error(), "--")) {
				t.Errorf("Damage() = %#v", err)
			}
			if js, _ := json.Marshal(got); strings.Contains(string(js), "null") {
				t.Errorf("JSON %s has a null list", js)
			}
		})
	}
}

func TestBindingDamageNamesEvents(t *testing.T) {
	r := EventBinding{Mismatched: []uint64{1, 2}, Unaudited: []uint64{9}, Missing: []uint64{3}}
	err := r.Damage()
	for _, want := range []string{"事件 1、2 的内容与审计日志最后所记不符", "事件 9 在审计日志中没有任何记录（被添加）", "事件 3 在审计日志中有记录，数据库中却没有（被删除）"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	// Unbound events are no damage.
	if r := (EventBinding{Unbound: []uint64{1}}); r.Damage() != nil {
		t.Errorf("unbound: %v", r.Damage())
	}
}

func TestIDList(t *testing.T) {
	var many []uint64
	for i := range 25 {
		many = append(many, uint64(i+1))
	}
	for _, tc := range []struct {
		ids  []uint64
		want string
	}{
		{[]uint64{7}, "7"},
		{[]uint64{1, 2, 30}, "1、2、30"},
		{many[:20], "1、2、3、4、5、6、7、8、9、10、11、12、13、14、15、16、17、18、19、20"},
		{many, "1、2、3、4、5、6、7、8、9、10、11、12、13、14、15、16、17、18、19、20 等 25 个"},
	} {
		if got := IDList(tc.ids); got != tc.want {
			t.Errorf("IDList(%v) = %q, want %q", tc.ids, got, tc.want)
		}
	}
}

// The canonical encoding is the JSON a store keeps: an event stored by an
// earlier version hashes to the SHA-256 of its stored JSON, whatever
// fields were added to Event since.
func TestEventHashIsOfTheStoredJSON(t *testing.T) {
	stored := `{"id":2,"matter":71,"matter_name":"工伤保险服务 › 供养亲属抚恤金申领","channels":["web","center","grassroots"],"time_limit_days":20,"kind":"formed","date":"2026-10-20","summary":"2026年抚恤金标准调整 <附件> & 说明","by":"李四","logged_at":"2026-11-02T09:30:00.123456789+08:00","deadline":"2026-11-17","provisional":false,"logged_late":true,"state":"waived","closed_on":"2026-11-20","history":[{"at":"2026-11-02T09:30:00.123456789+08:00","by":"李四","action":"logged","detail":"补登"},{"at":"2026-11-20T07:00:00Z","by":"李四","action":"waived","reason":"涉及个人隐私","detail":"免于公开"}]}`
	// What encoding/json writes for those characters.
	stored = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(stored)
	var e Event
	if err := json.Unmarshal([]byte(stored), &e); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(stored))
	if got, want := hashOf(t, &e), hex.EncodeToString(sum[:]); got != want {
		js, _ := json.Marshal(&e)
		t.Errorf("EventHash = %s, want %s (SHA-256 of the stored JSON); encoded as\n%s", got, want, js)
	}
}

func TestEventHash(t *testing.T) {
	e := event(t, 1, "调整办理材料")
	h := hashOf(t, e)
	if len(h) != 64 || hashOf(t, e) != h {
		t.Fatalf("EventHash %q, then %q", h, hashOf(t, e))
	}
	// Every stored field counts, the id too.
	for name, change := range map[string]func(e *Event){
		"id":       func(e *Event) { e.ID = 2 },
		"summary":  func(e *Event) { e.Summary += "。" },
		"deadline": func(e *Event) { e.Deadline = e.Deadline.AddDays(1) },
		"history":  func(e *Event) { e.History[0].Detail = "" },
		"void":     func(e *Event) { e.Disclosures = []Disclosure{{Channel: Web, Void: &Void{Reason: "误登"}}} },
	} {
		c := event(t, 1, "调整办理材料")
		change(c)
		if hashOf(t, c) == h {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}

	// A string that is not valid UTF-8 reads back changed: the hash is
	// that of the event as it reads back.
	bad := event(t, 1, "调整\xff材料")
	bad.History[0].Reason = "\xc3("
	js, err := json.Marshal(bad)
	if err != nil {
		t.Fatal(err)
	}
	var back Event
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Summary == bad.Summary {
		t.Fatalf("invalid UTF-8 read back unchanged: the case is moot")
	}
	if hashOf(t, bad) != hashOf(t, &back) {
		t.Errorf("an event with invalid UTF-8 hashes otherwise once read back")
	}
	if hashOf(t, &back) == h {
		t.Errorf("different events, same hash")
	}
}

func TestContentHash(t *testing.T) {
	h := strings.Repeat("ab", 32)
	tests := []struct {
		name, content, want string
	}{
		// As Ops writes it: compact JSON, keys sorted.
		{"written", `{"date":"2026-11-02","event":1,"event_sha256":"` + h + `","kind":"changed"}`, h},
		// Written before entries carried hashes.
		{"none", `{"date":"2026-11-02","event":1,"kind":"changed"}`, ""},
		// The key's name inside a string is escaped: not the key.
		{"in a summary", `{"event":1,"summary":"\"event_sha256\":\"` + h + `\""}`, ""},
		// Indented: found by decoding.
		{"spaced", `{"event": 1, "event_sha256": "` + h + `"}`, h},
		// Not a hash's length: decoded for what it is.
		{"short", `{"event_sha256":"abc"}`, "abc"},
		// Content that is not JSON binds to nothing.
		{"not JSON", `{"event_sha256":`, ""},
	}
	for _, tc := range tests {
		if got := contentHash([]byte(tc.content)); got != digestOf(tc.want) {
			t.Errorf("%s: contentHash(%s) = %v, want %q", tc.name, tc.content, got, tc.want)
		}
	}
	// A hash is kept as its bytes; text that is not one matches none.
	if d := digestOf(h); d.kind != aHash || d.sum[0] != 0xab || d.sum[31] != 0xab {
		t.Errorf("digestOf(%s) = %v", h, d)
	}
	for _, bad := range []string{"abc", strings.ToUpper(h), h[:63] + "g"} {
		if d := digestOf(bad); d.kind != notAHash {
			t.Errorf("digestOf(%s) = %v, want no hash", bad, d)
		}
	}
}
