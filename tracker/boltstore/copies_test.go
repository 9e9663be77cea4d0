package boltstore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// fullEvent has every field of an event, its disclosures and their voids
// set (checked below), some strings not valid UTF-8, times in two zones.
func fullEvent() *tracker.Event {
	cst := time.FixedZone("", 8*3600)
	at := time.Date(2026, 11, 20, 10, 0, 0, 123456789, cst)
	clock := time.Date(2026, 12, 3, 2, 0, 0, 5, time.UTC)
	return &tracker.Event{
		ID: 42, Matter: 7, MatterName: "社会保险参保登记 › 机关事业单位参加社会保险登记",
		Channels: []tracker.Channel{tracker.Web, tracker.Center}, TimeLimit: 20, Kind: tracker.Changed,
		Date: calendar.DateOf(2026, 11, 2), Summary: "调整办理材料\xff和时限", Ref: "章人社字〔2026〕8号", By: "张三",
		LoggedAt: at, LoggedClock: clock, Deadline: calendar.DateOf(2026, 11, 30), Provisional: true, LoggedLate: true,
		State: tracker.DoneLate, ClosedOn: calendar.DateOf(2026, 12, 1),
		Disclosures: []tracker.Disclosure{
			{Channel: tracker.Web, Date: calendar.DateOf(2026, 11, 25), URL: "https://www.zgq.gov.cn/xxgk/1", Note: "首页\x80", By: "李四",
				At: at, Clock: clock, Void: &tracker.Void{Action: "retracted", Reason: "链接有误", By: "王五", At: at.Add(time.Hour), Clock: clock}},
			{Channel: tracker.Center, Date: calendar.DateOf(2026, 12, 1), By: "李四", At: at},
		},
		History: []tracker.Change{
			{At: at, Clock: clock, By: "张三", Action: tracker.ActLogged, Reason: "补登\x81", Detail: "信息变更于 2026-11-02 <a&b>"},
			{At: at.Add(time.Minute), By: "李四", Action: "an action of a later version", Detail: "\u2028"},
		},
	}
}

// Every field of the fixture is set: a field added to Event (or to a
// disclosure, its void or a change of the history) and not to the copy's
// form or the event's (records.go) fails the tests below until they know
// it.
func TestFullEventIsFull(t *testing.T) {
	e := fullEvent()
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f, name := v.Field(i), path+v.Type().Field(i).Name
			if f.IsZero() {
				t.Errorf("%s is not set in fullEvent: set it, and keep it in the copy (copies.go)", name)
			}
		}
	}
	check(reflect.ValueOf(*e), "Event.")
	check(reflect.ValueOf(e.Disclosures[0]), "Disclosure.")
	check(reflect.ValueOf(*e.Disclosures[0].Void), "Void.")
	check(reflect.ValueOf(e.History[0]), "Change.")
}

// A copy reads back as the event's JSON, without its history, does.
func TestCopyReadsAsJSON(t *testing.T) {
	for _, e := range []*tracker.Event{fullEvent(), {ID: 1, State: tracker.Open, History: []tracker.Change{{}}}} {
		want := *e
		want.History = nil
		js, err := json.Marshal(&want)
		if err != nil {
			t.Fatal(err)
		}
		var back tracker.Event
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		wantJSON, _ := json.Marshal(&back)

		var got tracker.Event
		if err := DecodeValue(encodeCopy(e), &got); err != nil {
			t.Fatal(err)
		}
		gotJSON, _ := json.Marshal(&got)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("copy reads as\n%s\nJSON as\n%s", gotJSON, wantJSON)
		}
		if got.LoggedAt.String() != back.LoggedAt.String() {
			t.Errorf("logged at %v, want %v", got.LoggedAt, back.LoggedAt)
		}
		// dump shows it as JSON.
		if v, err := ValueJSON(encodeCopy(e)); err != nil || !bytes.Equal(v, wantJSON) {
			t.Errorf("ValueJSON = %s, %v", v, err)
		}
	}
}

// A damaged copy is an error, never a panic or a half-read event.
func TestCopyDamaged(t *testing.T) {
	good := encodeCopy(fullEvent())
	for n := range len(good) {
		var e tracker.Event
		if err := decodeCopy(good[:n], &e); err == nil {
			t.Errorf("a copy cut to %d of %d bytes read", n, len(good))
		}
	}
	var e tracker.Event
	if err := decodeCopy(append(bytes.Clone(good), 0), &e); err == nil {
		t.Error("a copy with a byte too many read")
	}
	if err := DecodeValue(good, &tracker.Message{}); err == nil {
		t.Error("a copy read as a message")
	}
	huge := append([]byte{tagCopy, 1, 2}, 0xff, 0xff, 0xff, 0xff, 0x0f) // a name 4 GB long
	if err := decodeCopy(huge, &e); err == nil {
		t.Error("a copy with an impossible length read")
	}
}

// Copies written as deflated JSON are rewritten in the compact form by
// migration 11, and read the same.
func TestCompactCopiesMigration(t *testing.T) {
	path := filledDB(t, 4)
	var before []string
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx tracker.Tx) error {
		return tx.OpenEvents(func(e *tracker.Event) error {
			js, _ := json.Marshal(e)
			before = append(before, string(js))
			return nil
		})
	})
	s.Close()
	if len(before) == 0 {
		t.Fatal("no open events in the fixture")
	}
	tamperDB(t, path, func(tx *bolt.Tx) error {
		open := tx.Bucket(bucketOpen)
		var keys [][]byte
		open.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil })
		for _, k := range keys {
			var e tracker.Event
			if err := DecodeValue(open.Get(k), &e); err != nil {
				return err
			}
			old, err := EncodeValue(&e) // as written before schema 6
			if err != nil {
				return err
			}
			if err := open.Put(k, old); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMigrated).Delete(migrationKey(11))
	})
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var after []string
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOpen).ForEach(func(k, v []byte) error {
			if v[0] != tagCopy {
				t.Errorf("open event %x still kept as %#x", k, v[0])
			}
			var e tracker.Event
			if err := DecodeValue(v, &e); err != nil {
				return err
			}
			js, _ := json.Marshal(&e)
			after = append(after, string(js))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("open events before\n%v\nafter\n%v", before, after)
	}
}

// BenchmarkOpenCopy decodes an open event's copy, in its compact form and
// as the deflated JSON it was before:
//
//	go test ./tracker/boltstore -run XXX -bench OpenCopy
func BenchmarkOpenCopy(b *testing.B) {
	e := fullEvent()
	e.History = nil
	old, err := EncodeValue(e)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    []byte
	}{{"compact", encodeCopy(e)}, {"deflated-json", old}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var got tracker.Event
				if err := DecodeValue(tc.v, &got); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(tc.v)), "bytes")
		})
	}
}
