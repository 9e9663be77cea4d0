package boltstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// trickySummary has what JSON escapes or could be mistaken for an escape:
// a dump must give it back exactly.
const trickySummary = `公开 <b>办理材料</b> & 时限；路径 C:\u0026 "引号"`

// filledDB makes a database through the operations the CLI uses: the
// embedded catalogue, n events logged (every third disclosed on all its
// channels, its evidence a URL with & in it), a reminder state and one
// queued message. It returns the file's path, closed.
func filledDB(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gongkai.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, calendar.Shanghai)
	clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: "张三"}
	err = s.Update(func(tx tracker.Tx) error {
		ops := &tracker.Ops{Tx: tx, Cal: calendar.Default(), Clock: clk}
		if _, err := ops.Init(tracker.EmbeddedCatalog()); err != nil {
			return err
		}
		for i := range n {
			summary := fmt.Sprintf("第%d号：调整参保登记办理材料", i+1)
			if i == 1 {
				summary = trickySummary
			}
			ev, err := ops.Log("3", tracker.LogRequest{Kind: tracker.Changed, Date: calendar.DateOf(2026, 11, 2), Summary: summary})
			if err != nil {
				return err
			}
			if i%3 == 2 {
				if _, err := ops.Disclose(ev.ID, nil, true, calendar.DateOf(2026, 11, 10), "https://www.zgq.gov.cn/xxgk/?id=1&p=2", ""); err != nil {
					return err
				}
			}
		}
		// An account of a section, with a password and a token.
		btx := tx.(*Tx)
		if err := btx.PutSection(&access.Section{Name: "社保股", Level1: []string{"社会保险参保登记"}}); err != nil {
			return err
		}
		if err := btx.PutAccount(&access.Account{Name: "zhangsan", Display: "张三", Roles: []access.Role{access.Staff},
			Sections: []string{"社保股"}, PasswordHash: dumpedHash, Created: now}); err != nil {
			return err
		}
		_, tok := access.NewTokenFor(access.CLIToken, "zhangsan", "DESK-01", "10.0.0.7", now)
		if err := btx.PutToken(tok); err != nil {
			return err
		}
		day := calendar.DateOf(2026, 11, 20)
		if err := tx.PutReminderState(1, tracker.ReminderState{Sent: map[calendar.Date]tracker.Marks{calendar.DateOf(2026, 11, 30): {Officers: day}}}); err != nil {
			return err
		}
		return tx.PutMessage(&tracker.Message{Key: "digest/officer@example.gov.cn/2026-11-20", Kind: "digest",
			To: []string{"officer@example.gov.cn"}, Subject: "待公开事项提醒", Text: "事件 1 还有 6 个工作日", State: tracker.Queued, Created: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	// A report whose workbook is large: its content goes in chunks.
	big := &tracker.Message{Key: "report/weekly/2026-11-23/leader@example.gov.cn", Kind: "report", To: []string{"leader@example.gov.cn"},
		Subject: "周报", Text: "周报", State: tracker.Queued, Created: now,
		Attachments: []tracker.Attachment{{Name: "周报.xlsx", ContentType: "application/octet-stream", Data: noise(600 << 10)}}}
	if err := s.PackMessage(big); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx tracker.Tx) error { return tx.PutMessage(big) }); err != nil {
		t.Fatal(err)
	}
	return path
}

// dumpedHash is an account's password hash, which a dump must not show.
const dumpedHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"

// noise is n bytes that do not compress, as a zip file's.
func noise(n int) []byte {
	b := make([]byte, n)
	for i, x := 0, uint32(2463534242); i < n; i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// openRead opens path read-only, as the CLI's read commands do.
func openRead(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// tamperDB opens the file directly, as someone with access to it might,
// and changes it.
func tamperDB(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func id8(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// dumpLine is one line of a dump.
type dumpLine struct {
	Bucket string          `json:"bucket"`
	Key    json.RawMessage `json:"key"`
	Value  json.RawMessage `json:"value"`
	text   string
}

// dumpLines dumps the bucket and parses every line, failing on one that is
// not a JSON object with exactly bucket, key and value.
func dumpLines(t *testing.T, s *Store, bucket string) []dumpLine {
	t.Helper()
	var out bytes.Buffer
	if err := s.Dump(&out, bucket); err != nil {
		t.Fatalf("Dump(%q): %v", bucket, err)
	}
	var lines []dumpLine
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l dumpLine
		d := json.NewDecoder(strings.NewReader(sc.Text()))
		d.DisallowUnknownFields()
		if err := d.Decode(&l); err != nil {
			t.Fatalf("line %d is not a record: %v\n%s", len(lines)+1, err, sc.Text())
		}
		l.text = sc.Text()
		lines = append(lines, l)
	}
	return lines
}

func dumpText(lines []dumpLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

func find(lines []dumpLine, bucket, key string) *dumpLine {
	for i, l := range lines {
		if l.Bucket == bucket && string(l.Key) == key {
			return &lines[i]
		}
	}
	return nil
}

func TestDumpEveryBucket(t *testing.T) {
	path := filledDB(t, 6)
	s := openRead(t, path)
	lines := dumpLines(t, s, "")

	seen := map[string]int{}
	for _, l := range lines {
		seen[l.Bucket]++
	}
	for _, b := range allBuckets {
		if b := string(b); b != string(bucketCalendar) && b != string(bucketFailed) && seen[b] == 0 {
			t.Errorf("no line for bucket %s", b)
		}
	}
	if seen["events"] != 6 {
		t.Errorf("%d lines of events, want 6", seen["events"])
	}

	// Each key as what it means, each value as the JSON it holds.
	for _, tc := range []struct {
		bucket, key string
		want        []string // in the line as it is printed
	}{
		// An event: its id as a number, its value inflated, Chinese and
		// a URL's & in clear.
		{"events", "3", []string{`"value":{"id":3,`, `"summary":"第3号：调整参保登记办理材料"`, `"url":"https://www.zgq.gov.cn/xxgk/?id=1&p=2"`}},
		{"meta", `"schema_version"`, []string{`"value":"` + strconv.Itoa(SchemaVersion) + `"`}},
		{"catalog", `"current"`, []string{`"matters":[`}},
		{"audit", "1", []string{`"action":"init"`}},
		// The date indexes: the date and the id.
		{"events_by_deadline", `{"date":"2026-11-30","id":1}`, []string{`"value":null`}},
		{"events_by_closed", `{"date":"2026-11-10","id":3}`, []string{`"value":null`}},
		{"open_events", "1", []string{`"summary":"第1号：调整参保登记办理材料"`}},
		{"event_dates", "3", []string{`"ClosedOn":"2026-11-10"`}},
		{"reminders", "1", []string{`"2026-11-30":{"officers":"2026-11-20"}`}},
		{"outbox", "1", []string{`"state":"queued"`}},
		{"outbox_content", "1", []string{`"text":"事件 1 还有 6 个工作日"`}},
		{"outbox_keys", `"digest/officer@example.gov.cn/2026-11-20"`, []string{`"value":1}`}},
		{"outbox_pending", "1", []string{`"value":null`}},
		// An account without its password's hash.
		{"accounts", `"zhangsan"`, []string{`"display":"张三"`, `"password_hash":"（已隐去）"`}},
		{"sections", `"社保股"`, []string{`"level1":["社会保险参保登记"]`}},
	} {
		l := find(lines, tc.bucket, tc.key)
		if l == nil {
			t.Errorf("no line for %s key %s", tc.bucket, tc.key)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(l.text, w) {
				t.Errorf("%s %s: %s lacks %s", tc.bucket, tc.key, l.text, w)
			}
		}
	}

	if strings.Contains(dumpText(lines), "argon2id") || strings.Contains(dumpText(lines), "c2FsdHNhbHRzYWx0") {
		t.Error("the dump shows a password's hash")
	}
	if seen["tokens"] != 1 {
		t.Errorf("%d lines of tokens, want 1", seen["tokens"])
	}

	// What JSON escapes comes back exactly.
	var ev tracker.Event
	if l := find(lines, "events", "2"); l == nil || json.Unmarshal(l.Value, &ev) != nil || ev.Summary != trickySummary {
		t.Errorf("event 2's summary = %q, want %q", ev.Summary, trickySummary)
	}
}

func TestDumpOneBucket(t *testing.T) {
	s := openRead(t, filledDB(t, 4))
	lines := dumpLines(t, s, "events")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	for i, l := range lines {
		if l.Bucket != "events" || string(l.Key) != fmt.Sprint(i+1) {
			t.Errorf("line %d: bucket %s key %s", i+1, l.Bucket, l.Key)
		}
	}
}

func TestDumpUnknownBucket(t *testing.T) {
	s := openRead(t, filledDB(t, 1))
	var out bytes.Buffer
	err := s.Dump(&out, "nope")
	if tracker.ErrorCode(err) != tracker.EInvalid {
		t.Fatalf("err = %v, want a tracker.EInvalid", err)
	}
	for _, w := range []string{`"nope"`, "events、", "outbox_keys"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message %q lacks %s", err, w)
		}
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q", out.String())
	}
}

// A damaged value is shown as its bytes with the reason, and the dump goes
// on.
func TestDumpDamagedValue(t *testing.T) {
	path := filledDB(t, 3)
	tamperDB(t, path, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketEvents).Put(id8(2), []byte{tagDeflateV1, 0xde, 0xad, 0xbe, 0xef}); err != nil {
			return err
		}
		return tx.Bucket(bucketOutKeys).Put([]byte("short"), []byte{1, 2})
	})
	lines := dumpLines(t, openRead(t, path), "")
	var raw struct {
		Hex   string `json:"raw_hex"`
		Error string `json:"error"`
	}
	l := find(lines, "events", "2")
	if l == nil || json.Unmarshal(l.Value, &raw) != nil || raw.Hex != "01deadbeef" || !strings.Contains(raw.Error, "无法解码") {
		t.Fatalf("damaged event shown as %v", l)
	}
	if find(lines, "events", "3") == nil {
		t.Error("the dump stopped at the damaged event")
	}
	if l := find(lines, "outbox_keys", `"short"`); l == nil || !strings.Contains(l.text, `"raw_hex":"0102"`) {
		t.Errorf("short id shown as %v", l)
	}
}

// Buckets gongkai does not write are shown as they come; a nested bucket's
// records follow under "outer/inner".
func TestDumpForeignBuckets(t *testing.T) {
	path := filledDB(t, 1)
	tamperDB(t, path, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("extra"))
		if err != nil {
			return err
		}
		for k, v := range map[string]string{"text": "纯文本", "json": `{"a": [1, 2]}`, "\x00\x01": "\xff\xfe", "empty": ""} {
			if err := b.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		inner, err := b.CreateBucket([]byte("inner"))
		if err != nil {
			return err
		}
		return inner.Put(id8(7), []byte("x"))
	})
	lines := dumpLines(t, openRead(t, path), "extra")
	for _, tc := range []struct{ bucket, key, value string }{
		{"extra", `"text"`, `"纯文本"`},
		{"extra", `"json"`, `{"a":[1,2]}`},
		{"extra", `{"hex":"0001"}`, `{"raw_hex":"fffe","error":"既不是 JSON 也不是文本"}`},
		{"extra", `"empty"`, `null`},
		{"extra/inner", `{"hex":"0000000000000007"}`, `"x"`},
	} {
		if l := find(lines, tc.bucket, tc.key); l == nil || string(l.Value) != tc.value {
			t.Errorf("%s %s: %v, want value %s", tc.bucket, tc.key, l, tc.value)
		}
	}
	if len(lines) != 5 {
		t.Errorf("%d lines, want 5", len(lines))
	}
}

func TestUnescapeHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"a\u0026b"`, `"a&b"`},
		{`"\u003cb\u003e"`, `"<b>"`},
		{`"a\\u0026b"`, `"a\\u0026b"`},           // an escaped backslash, then text
		{`"a\\\u0026b"`, `"a\\&b"`},              // an escaped backslash, then an escape
		{`"\u00e9\u0026"`, `"\u00e9&"`},          // other escapes stay
		{`"end\\"`, `"end\\"`},                   // nothing to do
		{`"\u002"`, `"\u002"`},                   // too short to be one (not valid JSON anyway)
		{`{"k\u003e":"v"}`, `{"k>":"v"}`},        // in keys too
		{`"\\\\u003c"`, `"\\\\u003c"`},           // two escaped backslashes
		{`["\u0026","\"\u0026"]`, `["&","\"&"]`}, // after an escaped quote
	}
	for _, tc := range tests {
		if got := string(unescapeHTML([]byte(tc.in))); got != tc.want {
			t.Errorf("unescapeHTML(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
