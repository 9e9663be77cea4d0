package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"runtime"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// An event's binary form reads back as its canonical JSON, which the audit
// log's binding hashes, nil and empty lists told apart.
func TestEventRecordReadsAsJSON(t *testing.T) {
	for _, e := range []*tracker.Event{
		fullEvent(),
		{ID: 1, State: tracker.Open, History: []tracker.Change{{}}},
		{ID: 2, Channels: []tracker.Channel{}, History: []tracker.Change{}},
		{ID: 3},
	} {
		b, err := encodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != tagEvent {
			t.Errorf("event %d stored as 0x%02x, not in its binary form", e.ID, b[0])
		}
		want, err := tracker.EventJSON(e)
		if err != nil {
			t.Fatal(err)
		}
		var got tracker.Event
		if err := DecodeValue(b, &got); err != nil {
			t.Fatal(err)
		}
		gotJSON, _ := json.Marshal(&got)
		if !bytes.Equal(gotJSON, want) {
			t.Errorf("event %d reads as\n%s\nwant\n%s", e.ID, gotJSON, want)
		}
		wantHash, _ := tracker.EventHash(e)
		if h, _ := tracker.EventHash(&got); h != wantHash {
			t.Errorf("event %d hashes to %s read back, %s written", e.ID, h, wantHash)
		}
		if h := tracker.QuickEventHash(&got); h != wantHash {
			t.Errorf("event %d hashes to %s read back by check, %s written", e.ID, h, wantHash)
		}
		if v, err := ValueJSON(b); err != nil || !bytes.Equal(v, want) {
			t.Errorf("ValueJSON = %s, %v", v, err)
		}
	}
}

func auditFixtures() []*tracker.AuditEntry {
	cst := time.FixedZone("", 8*3600)
	at := time.Date(2026, 11, 20, 10, 0, 0, 123456789, cst)
	clock := time.Date(2026, 12, 3, 2, 0, 0, 5, time.UTC)
	hash := "be7c1b328878b81cde30bdccb13705635ccf6e000b6ef5f029492aafed36e3b9"
	return []*tracker.AuditEntry{
		{Seq: 1, At: at, Clock: clock, Actor: "张三", Action: "init", Subject: "database", Content: json.RawMessage(`null`)},
		{Seq: 2, At: at, Clock: clock, Actor: "李\xff四", Action: tracker.ActLogged, Subject: "event 12",
			Content: json.RawMessage(`{"detail":"信息变更于 2026-11-02","event":12,"summary":"\u003ca\u003e","event_sha256":"` + hash + `"}`), Prev: hash},
		{Seq: 3, Action: "baseline", Subject: "events", Prev: "ABC", Hash: "not a hash"},
		{Seq: 4, At: at, Clock: clock, Prev: hash[:62], Hash: hash + "00", Content: json.RawMessage(`[]`)},
	}
}

// An audit entry's binary form reads back as its JSON does, with the same
// hash, so the chain verifies either way.
func TestAuditRecordReadsAsJSON(t *testing.T) {
	for _, a := range auditFixtures() {
		if a.Hash == "" {
			a.Hash = a.ComputeHash()
		}
		// Stored as the entry reads back from JSON (an upgrade's source,
		// or what Tx.Audit makes of it).
		js, _ := json.Marshal(a)
		var viaJSON tracker.AuditEntry
		if err := json.Unmarshal(js, &viaJSON); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(&viaJSON)
		a = &viaJSON
		b, err := encodeAudit(a)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != tagAudit {
			t.Errorf("entry %d stored as 0x%02x, not in its binary form", a.Seq, b[0])
		}
		var got tracker.AuditEntry
		if err := DecodeValue(b, &got); err != nil {
			t.Fatal(err)
		}
		gotJSON, _ := json.Marshal(&got)
		if !bytes.Equal(gotJSON, want) {
			t.Errorf("entry %d reads as\n%s\nwant\n%s", a.Seq, gotJSON, want)
		}
		if got.ComputeHash() != viaJSON.ComputeHash() || got.Hash != a.Hash || got.Prev != a.Prev {
			t.Errorf("entry %d: hash %s (stored %s, prev %s), want %s (%s, %s)", a.Seq, got.ComputeHash(), got.Hash, got.Prev, viaJSON.ComputeHash(), a.Hash, a.Prev)
		}
		if v, err := ValueJSON(b); err != nil || !bytes.Equal(v, want) {
			t.Errorf("ValueJSON = %s, %v", v, err)
		}
	}
}

// A damaged record is an error, never a panic or a half-read record.
func TestRecordsDamaged(t *testing.T) {
	ev, _ := encodeEvent(fullEvent())
	a := auditFixtures()[0]
	a.Hash = a.ComputeHash()
	au, _ := encodeAudit(a)
	for _, good := range [][]byte{ev, au} {
		for n := range len(good) {
			if _, err := ValueJSON(good[:n]); err == nil {
				t.Errorf("a record of type 0x%02x cut to %d of %d bytes read", good[0], n, len(good))
			}
		}
		if _, err := ValueJSON(append(bytes.Clone(good), 0)); err == nil {
			t.Errorf("a record of type 0x%02x with a byte too many read", good[0])
		}
		// Every byte changed: an error or a record, never a panic.
		for i := 1; i < len(good); i++ {
			bad := bytes.Clone(good)
			bad[i] ^= 0xff
			ValueJSON(bad)
		}
		if err := DecodeValue(good, &tracker.Message{}); err == nil {
			t.Errorf("a record of type 0x%02x read as a message", good[0])
		}
	}
	// A body that claims to be longer than any record.
	if _, err := ValueJSON([]byte{tagEvent, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Error("a record claiming 4 GB read")
	}
	// A record of a few bytes (S2 stores a megabyte of zeros in fifty)
	// that claims a million changes in its history, or a million
	// disclosures: each takes more than a byte, so the claim is refused
	// before the memory is asked for.
	for _, claim := range []func(w *recWriter){
		func(w *recWriter) { w.event(&tracker.Event{}); w.b = append(w.b, 0); w.uint(1_000_000) },
		func(w *recWriter) {
			w.event(&tracker.Event{})
			w.b = w.b[:len(w.b)-1] // the count of disclosures, 0
			w.uint(1_000_000)
		},
	} {
		var w recWriter
		claim(&w)
		w.b = append(w.b, make([]byte, 1<<20)...)
		rec := pack(tagEvent, w.b)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := DecodeValue(rec, &tracker.Event{}); err == nil {
			t.Error("a record claiming a million items read")
		}
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("a %d-byte record claiming a million items made the decoder allocate %d MB", len(rec), n>>20)
		}
	}
	// A hash whose flag is neither 0 nor 1.
	flag := auditBody(&tracker.AuditEntry{Seq: 1, Content: json.RawMessage(`1`)})
	flag[len(flag)-2] = 2 // the previous hash's flag, before this one's (0, then an empty string)
	if err := decodeAudit(pack(tagAudit, flag), &tracker.AuditEntry{}); err == nil {
		t.Error("an entry with a hash flagged 2 read")
	}
}

// Events, audit entries and event_dates written as (deflated) JSON are
// stored again in their binary forms by migrations 14 to 16, batch by batch, and read
// the same: the same JSON, the audit chain whole. A file that stopped part
// way (some records converted) is finished; a damaged record, and an event
// whose JSON is not what gongkai writes, are left as they are.
func TestBinaryRecordsMigration(t *testing.T) {
	path := filledDB(t, 30)
	buckets := [][]byte{bucketEvents, bucketAudit, bucketDates}
	read := func(s *Store) map[string][]string {
		out := map[string][]string{}
		s.db.View(func(tx *bolt.Tx) error {
			for _, name := range buckets {
				tx.Bucket(name).ForEach(func(k, v []byte) error {
					js, err := ValueJSON(v)
					if err != nil {
						js = v
					}
					out[string(name)] = append(out[string(name)], string(js))
					return nil
				})
			}
			return nil
		})
		return out
	}
	s := openRead(t, path)
	before := read(s)
	s.Close()

	damagedEvent := []byte{tagDeflateV1, 0xde, 0xad}
	addedKey := []byte(`{"added":true,` + before[string(bucketEvents)][8][1:])
	tamperDB(t, path, func(tx *bolt.Tx) error {
		for _, name := range buckets {
			b := tx.Bucket(name)
			i := 0
			err := rewrite(b, func(k, v []byte) ([]byte, error) {
				i++
				if i%4 == 0 {
					return nil, nil // converted before the upgrade stopped
				}
				var x any
				switch string(name) {
				case string(bucketEvents):
					x = new(tracker.Event)
				case string(bucketAudit):
					x = new(tracker.AuditEntry)
				default:
					var d eventDates
					if err := decodeDates(v, &d); err != nil {
						return nil, err
					}
					return json.Marshal(d) // as written before schema 9
				}
				if err := DecodeValue(v, x); err != nil {
					return nil, err
				}
				return EncodeValue(x) // as written before schema 9
			})
			if err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketEvents).Put(id8(7), damagedEvent); err != nil {
			return err
		}
		// Event 9 with a key gongkai never writes, added in the file.
		if err := tx.Bucket(bucketEvents).Put(id8(9), addedKey); err != nil {
			return err
		}
		mig := tx.Bucket(bucketMigrated)
		mig.Delete(migrationKey(14))
		mig.Delete(migrationKey(15))
		return mig.Delete(migrationKey(16))
	})
	before[string(bucketEvents)][6] = string(damagedEvent)
	before[string(bucketEvents)][8] = string(addedKey)

	defer func(n int) { migrateBatch = n }(migrateBatch)
	migrateBatch = 7
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := read(s); !reflect.DeepEqual(before, after) {
		t.Errorf("records before\n%v\nafter\n%v", before, after)
	}
	s.db.View(func(tx *bolt.Tx) error {
		for _, name := range buckets {
			tx.Bucket(name).ForEach(func(k, v []byte) error {
				id := binary.BigEndian.Uint64(k)
				switch {
				case string(name) == "events" && id == 9:
					if !bytes.Equal(v, addedKey) {
						t.Errorf("event 9, whose JSON has a key gongkai never writes, stored anew as %q", v)
					}
				case v[0] != tagEvent && v[0] != tagAudit && v[0] != tagDates && v[0] != tagDatesText && !(string(name) == "events" && id == 7):
					t.Errorf("%s %d still stored as 0x%02x", name, id, v[0])
				}
				return nil
			})
		}
		for _, n := range []uint32{14, 15, 16} {
			if tx.Bucket(bucketMigrated).Get(migrationKey(n)) == nil {
				t.Errorf("migration %d not recorded", n)
			}
		}
		return nil
	})
	if head, err := verifyChain(s); err != nil || int(head.Count) != len(before[string(bucketAudit)]) {
		t.Errorf("audit chain after the upgrade: %v, %+v", err, head)
	}
}

// A record of event_dates reads back as written, and as the JSON of before
// schema 9; damaged, it is an error.
func TestDatesRecord(t *testing.T) {
	for _, d := range []eventDates{
		{Deadline: calendar.DateOf(2026, 11, 30), ClosedOn: calendar.DateOf(2026, 12, 1), State: tracker.DoneLate, Date: calendar.DateOf(2026, 11, 2), Level1: "社会保险参保登记"},
		{Deadline: calendar.DateOf(2026, 11, 30), State: tracker.Open},
	} {
		b := encodeDates(d)
		js, _ := json.Marshal(d)
		for _, v := range [][]byte{b, js} {
			var got eventDates
			if err := decodeDates(v, &got); err != nil || got != d {
				t.Errorf("read %+v, %v; want %+v", got, err, d)
			}
		}
		if v, err := ValueJSON(b); err != nil || !bytes.Equal(v, js) {
			t.Errorf("ValueJSON = %s, %v; want %s", v, err, js)
		}
		for n := 1; n < len(b); n++ {
			if err := decodeDates(b[:n], &eventDates{}); err == nil {
				t.Errorf("a record cut to %d of %d bytes read", n, len(b))
			}
		}
	}
}

// BenchmarkRecords decodes an event and an audit entry in their binary
// forms and as the deflated JSON of before schema 9:
//
//	go test ./tracker/boltstore -run XXX -bench Records
func BenchmarkRecords(b *testing.B) {
	e := fullEvent()
	a := auditFixtures()[0]
	a.Content = json.RawMessage(`{"date":"2026-11-02","deadline":"2026-11-30","detail":"事项 3 社会保险参保登记 › 社会保险个人参保登记 › 机关事业单位职工参加社会保险登记，信息变更于 2026-11-02；公开期限 2026-11-30","event":12,"event_sha256":"be7c1b328878b81cde30bdccb13705635ccf6e000b6ef5f029492aafed36e3b9","kind":"changed","matter":3,"reason":"","ref":"章人社字〔2026〕8号","state":"open","summary":"调整办理材料和办理时限"}`)
	a.Prev = "be7c1b328878b81cde30bdccb13705635ccf6e000b6ef5f029492aafed36e3b9"
	a.Hash = a.ComputeHash()
	evBin, _ := encodeEvent(e)
	evJSON, _ := EncodeValue(e)
	auBin, _ := encodeAudit(a)
	auJSON, _ := EncodeValue(a)
	if evBin[0] != tagEvent || auBin[0] != tagAudit {
		b.Fatal("not stored in the binary forms")
	}
	for _, tc := range []struct {
		name string
		v    []byte
		x    func() any
	}{
		{"event/binary", evBin, func() any { return new(tracker.Event) }},
		{"event/deflated-json", evJSON, func() any { return new(tracker.Event) }},
		{"audit/binary", auBin, func() any { return new(tracker.AuditEntry) }},
		{"audit/deflated-json", auJSON, func() any { return new(tracker.AuditEntry) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := DecodeValue(tc.v, tc.x()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(tc.v)), "bytes")
		})
	}
}

// Whatever bytes a record holds, reading it gives a record or an error:
// never a panic.
func FuzzDecodeRecord(f *testing.F) {
	ev, _ := encodeEvent(fullEvent())
	a := auditFixtures()[0]
	a.Hash = a.ComputeHash()
	au, _ := encodeAudit(a)
	f.Add(ev)
	f.Add(au)
	f.Add(encodeDates(eventDates{Deadline: calendar.DateOf(2026, 11, 30), State: tracker.Open, Level1: "社会保险参保登记"}))
	f.Add(encodeCopy(fullEvent()))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, x := range []any{new(tracker.Event), new(tracker.AuditEntry), new(eventDates)} {
			DecodeValue(b, x)
		}
		ValueJSON(b)
	})
}
