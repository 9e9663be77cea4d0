package tracker

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gongkai/calendar"
)

// tricky holds every kind of character encoding/json treats apart: quotes
// and backslashes, the control characters with a short escape and without
// one, DEL, HTML's three, U+2028 and U+2029, bytes that are not UTF-8 (one
// alone, a sequence cut short), U+FFFD itself, and text in three scripts.
const tricky = "a\"b\\c\b\f\n\r\t\x00\x01\x1f\x7f <a href='x'>&amp;</a> \u2028\u2029 \xff \xe4\xb8 \uFFFD 公开 ☃ 😀"

func fullJSONEvent() *Event {
	cst := time.FixedZone("", 8*3600)
	at := time.Date(2026, 11, 20, 10, 0, 0, 123456789, cst)
	clock := time.Date(2026, 12, 3, 2, 0, 0, 5, time.UTC)
	return &Event{
		ID: 1<<63 + 5, Matter: -7, MatterName: "社会保险参保登记 › " + tricky, Channels: []Channel{Web, "x" + tricky},
		TimeLimit: 20, Kind: Changed, Date: calendar.DateOf(2026, 11, 2), Summary: tricky, Ref: tricky, By: tricky,
		LoggedAt: at, LoggedClock: clock, Deadline: calendar.DateOf(2026, 11, 30), Provisional: true, LoggedLate: true,
		State: DoneLate, ClosedOn: calendar.DateOf(2026, 12, 1),
		Disclosures: []Disclosure{
			{Channel: Web, Date: calendar.DateOf(2026, 11, 25), URL: "https://x.gov.cn/?a=1&b=<2>", Note: tricky, By: tricky,
				At: at, Clock: clock, Void: &Void{Action: ActRetracted, Reason: tricky, By: tricky, At: at.Add(time.Hour), Clock: clock}},
			{Channel: Center, Date: calendar.DateOf(2026, 12, 1), By: "李四", At: at.In(time.UTC)},
		},
		History: []Change{
			{At: at, Clock: clock, By: tricky, Action: ActLogged, Reason: tricky, Detail: tricky},
			{At: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Action: ActAmended, Detail: "日期 2026-11-02 → 2026-11-03"},
		},
	}
}

// referenceJSON is the canonical encoding AppendEventJSON must write:
// encoding/json's, of the event as it reads back from JSON.
func referenceJSON(e *Event) ([]byte, error) {
	js, err := json.Marshal(e)
	if err != nil || !bytes.Contains(js, []byte(`\ufffd`)) {
		return js, err
	}
	var back Event
	if err := json.Unmarshal(js, &back); err != nil {
		return nil, err
	}
	return json.Marshal(&back)
}

// AppendEventJSON writes what encoding/json writes, field by field, for
// events with every field set and with none.
func TestAppendEventJSON(t *testing.T) {
	full := fullJSONEvent()
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("%s%s is not set in fullJSONEvent: set it, and write it in AppendEventJSON", path, v.Type().Field(i).Name)
			}
		}
	}
	check(reflect.ValueOf(*full), "Event.")
	check(reflect.ValueOf(full.Disclosures[0]), "Disclosure.")
	check(reflect.ValueOf(*full.Disclosures[0].Void), "Void.")
	check(reflect.ValueOf(full.History[0]), "Change.")

	for _, e := range []*Event{
		full,
		{},
		{Channels: []Channel{}, Disclosures: []Disclosure{}, History: []Change{}},
		{Disclosures: []Disclosure{{}}, History: []Change{{}}},
	} {
		want, err := referenceJSON(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendEventJSON(nil, e); !bytes.Equal(got, want) {
			t.Errorf("AppendEventJSON wrote\n%s\nencoding/json\n%s", got, want)
		}
	}
}

// Any strings, times and dates, the same bytes.
func FuzzAppendEventJSON(f *testing.F) {
	f.Add(tricky, "", "\xed\xa0\x80", int64(1_763_600_000), int64(123456789), int32(8*3600), int32(740_000))
	f.Add("<>&", "\u2028", "\x00", int64(-62_135_596_800), int64(0), int32(-(9*3600 + 30*60 + 7)), int32(0))
	f.Fuzz(func(t *testing.T, a, b, c string, sec, nsec int64, offset, days int32) {
		e := fullJSONEvent()
		e.Summary, e.MatterName, e.History[1].Detail, e.Disclosures[1].URL = a, b, c, a+b
		e.LoggedAt = time.Unix(sec, nsec).In(time.FixedZone("", int(offset)))
		e.History[0].Clock = time.Unix(sec, 0).UTC()
		e.Date = calendar.Date{}.AddDays(int(days))
		want, err := referenceJSON(e)
		if err != nil {
			t.Skip("encoding/json refuses it (a year past 9999, say): so does the store")
		}
		if got := AppendEventJSON(nil, e); !bytes.Equal(got, want) {
			t.Errorf("AppendEventJSON wrote\n%s\nencoding/json\n%s", got, want)
		}
	})
}

// go test ./tracker -run XXX -bench EventJSON
func BenchmarkEventJSON(b *testing.B) {
	e := fullJSONEvent()
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			referenceJSON(e)
		}
	})
	b.Run("append", func(b *testing.B) {
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			buf = AppendEventJSON(buf[:0], e)
		}
	})
}
