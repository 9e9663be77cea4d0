package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gongkai/calendar"
	"gongkai/tracker"
)

// The index of open events keeps a copy of each, without its history, for
// the lists that read every open event: the reminder run, the weekly
// report, `events --open`. A copy is derived data (the event itself, whose
// canonical JSON its audit hash covers, is kept in records.go's form), so
// it is kept in a binary form, not compressed, that decodes in about a
// microsecond, ten times faster than deflated JSON:
//
//	0x04, then the fields of tracker.Event in their order of declaration,
//	without History: numbers as varints, strings as a length (uvarint) and
//	their bytes, dates as a day count (varint, 0 for none), times as the
//	length of time.Time's binary form then that form (0 for none), the two
//	flags in one byte, slices as a count then their items; each Disclosure
//	likewise, with a byte saying whether a Void follows.
//
// A copy reads back exactly as the event's JSON does (a string that is not
// valid UTF-8 is kept with each bad byte as U+FFFD, as JSON keeps it);
// TestCopyReadsAsJSON holds it, and fails when a field is added to Event
// and not here. Copies written before as deflated JSON are still read.
const tagCopy = 0x04

// encodeCopy returns the open-index copy of e (its history left out).
func encodeCopy(e *tracker.Event) []byte {
	w := recWriter{b: make([]byte, 1, 256)}
	w.b[0] = tagCopy
	w.event(e)
	return w.b
}

// event writes the fields of e but its history, as a copy keeps them.
func (w *recWriter) event(e *tracker.Event) {
	w.uint(e.ID)
	w.int(int64(e.Matter))
	w.str(e.MatterName)
	w.uint(uint64(len(e.Channels)))
	for _, c := range e.Channels {
		w.str(string(c))
	}
	w.int(int64(e.TimeLimit))
	w.str(string(e.Kind))
	w.date(e.Date)
	w.str(e.Summary)
	w.str(e.Ref)
	w.str(e.By)
	w.time(e.LoggedAt)
	w.time(e.LoggedClock)
	w.date(e.Deadline)
	w.flags(e.Provisional, e.LoggedLate)
	w.str(string(e.State))
	w.date(e.ClosedOn)
	w.uint(uint64(len(e.Disclosures)))
	for _, d := range e.Disclosures {
		w.str(string(d.Channel))
		w.date(d.Date)
		w.str(d.URL)
		w.str(d.Note)
		w.str(d.By)
		w.time(d.At)
		w.time(d.Clock)
		w.flags(d.Void != nil, false)
		if v := d.Void; v != nil {
			w.str(v.Action)
			w.str(v.Reason)
			w.str(v.By)
			w.time(v.At)
			w.time(v.Clock)
		}
	}
}

// decodeCopy reads a copy written by encodeCopy into e.
func decodeCopy(b []byte, e *tracker.Event) error {
	if len(b) == 0 || b[0] != tagCopy {
		return errors.New("不是事件副本")
	}
	r := recReader{b: b[1:]}
	r.event(e)
	return r.end("事件副本")
}

// event reads what recWriter.event wrote into e, from scratch.
func (r *recReader) event(e *tracker.Event) {
	*e = tracker.Event{}
	e.ID = r.uint()
	e.Matter = int(r.int())
	e.MatterName = r.matterName(e.Matter)
	if n := r.count(1); n > 0 { // a channel: its length at least
		e.Channels = make([]tracker.Channel, n)
		for i := range e.Channels {
			e.Channels[i] = tracker.Channel(r.code())
		}
	}
	e.TimeLimit = int(r.int())
	e.Kind = tracker.Kind(r.code())
	e.Date = r.date()
	e.Summary = r.str()
	e.Ref = r.str()
	e.By = r.str()
	e.LoggedAt = r.time()
	e.LoggedClock = r.time()
	e.Deadline = r.date()
	e.Provisional, e.LoggedLate = r.flags()
	e.State = tracker.Status(r.code())
	e.ClosedOn = r.date()
	if n := r.count(8); n > 0 { // a disclosure: seven fields and a flag
		e.Disclosures = make([]tracker.Disclosure, n)
		for i := range e.Disclosures {
			d := &e.Disclosures[i]
			d.Channel = tracker.Channel(r.code())
			d.Date = r.date()
			d.URL = r.str()
			d.Note = r.str()
			d.By = r.str()
			d.At = r.time()
			d.Clock = r.time()
			if void, _ := r.flags(); void {
				d.Void = &tracker.Void{Action: r.str(), Reason: r.str(), By: r.str(), At: r.time(), Clock: r.time()}
			}
		}
	}
}

// end returns the first error reading a record (what, in Chinese), or that
// bytes are left after it.
func (r *recReader) end(what string) error {
	switch {
	case r.err != nil:
		return fmt.Errorf("%s已损坏：%w", what, r.err)
	case len(r.b) != 0:
		return fmt.Errorf("%s已损坏：末尾多出 %d 字节", what, len(r.b))
	}
	return nil
}

type recWriter struct{ b []byte }

func (w *recWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *recWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }

// str writes s as JSON would keep it (jsonString).
func (w *recWriter) str(s string) {
	s = jsonString(s)
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// jsonString returns s as it reads back from JSON: each byte that is not
// valid UTF-8 becomes U+FFFD.
func jsonString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	buf := make([]byte, 0, len(s)+8)
	for _, r := range s { // a bad byte ranges as one utf8.RuneError
		buf = utf8.AppendRune(buf, r)
	}
	return string(buf)
}

func (w *recWriter) date(d calendar.Date) {
	if d.IsZero() {
		w.int(0)
		return
	}
	w.int(int64(d.Sub(calendar.Date{})))
}

func (w *recWriter) time(t time.Time) {
	if t.IsZero() {
		w.uint(0)
		return
	}
	bin, err := t.MarshalBinary()
	if err != nil { // a zone offset time cannot write, which JSON refuses too
		w.uint(0)
		return
	}
	w.uint(uint64(len(bin)))
	w.b = append(w.b, bin...)
}

func (w *recWriter) flags(a, b bool) {
	var f byte
	if a {
		f |= 1
	}
	if b {
		f |= 2
	}
	w.b = append(w.b, f)
}

// copyReader reads a copy; the first error stops it, and every later read
// gives a zero value.
type recReader struct {
	b   []byte
	err error
}

func (r *recReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s读不出来", what)
	}
	r.b = nil
}

func (r *recReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("数字")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("数字")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads the length of a slice whose items take at least `least`
// bytes each: no more than the bytes left could hold, so that a damaged
// record cannot ask for more memory than its size allows.
func (r *recReader) count(least int) int {
	n := r.uint()
	if n > uint64(len(r.b)/least) {
		r.fail("长度")
		return 0
	}
	return int(n)
}

func (r *recReader) bytes(what string) []byte {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *recReader) str() string { return string(r.bytes("文字")) }

// code reads a string that is mostly one of the codes events repeat
// (channels, kinds, states, actions), which it returns without allocating: a
// reminder run reads a hundred thousand copies at once.
func (r *recReader) code() string {
	b := r.bytes("文字")
	switch string(b) {
	case "web":
		return "web"
	case "center":
		return "center"
	case "grassroots":
		return "grassroots"
	case "formed":
		return "formed"
	case "changed":
		return "changed"
	case "open":
		return "open"
	case "done":
		return "done"
	case "done_late":
		return "done_late"
	case "waived":
		return "waived"
	case "cancelled":
		return "cancelled"
	case "restored":
		return "restored"
	case "imported":
		return "imported"
	case "logged":
		return "logged"
	case "amended":
		return "amended"
	case "disclosed":
		return "disclosed"
	case "retracted":
		return "retracted"
	case "reopened":
		return "reopened"
	case "recomputed":
		return "recomputed"
	}
	return string(b)
}

// matterNames holds the last name read per matter (by its number, modulo
// the table's size), so that copies of events of one matter share one
// string. Races only cost a string.
var matterNames [256]atomic.Pointer[string]

// matterName reads a matter's name, shared with the last copy of that
// matter read.
func (r *recReader) matterName(matter int) string {
	return shared(&matterNames[uint(matter)%uint(len(matterNames))], r.bytes("文字"))
}

// shared returns b as a string: the one slot holds when it is the same,
// else a new one, which slot then holds for the next reader. Races only
// cost a string.
func shared(slot *atomic.Pointer[string], b []byte) string {
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

func (r *recReader) date() calendar.Date {
	n := r.int()
	if n == 0 {
		return calendar.Date{}
	}
	if n < 0 || n > 1<<24 {
		r.fail("日期")
		return calendar.Date{}
	}
	return calendar.Date{}.AddDays(int(n))
}

func (r *recReader) time() time.Time {
	bin := r.bytes("时间")
	if len(bin) == 0 {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary(bin); err != nil {
		r.fail("时间")
		return time.Time{}
	}
	return t
}

func (r *recReader) flags() (bool, bool) {
	if len(r.b) == 0 {
		r.fail("标志")
		return false, false
	}
	f := r.b[0]
	if f > 3 {
		r.fail("标志")
		return false, false
	}
	r.b = r.b[1:]
	return f&1 != 0, f&2 != 0
}
