package boltstore

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/s2"

	"gongkai/tracker"
)

// Events and audit entries are kept in a binary form (schema 9), which
// decodes ten to twenty times faster than deflated JSON: `check` and
// `audit verify` read every one of them, and a bureau's file holds an
// audit entry for every change ever made.
//
// An event (0x06): the fields a copy keeps (copies.go), then a byte of
// flags (1: Channels is nil, 2: History is nil, which JSON tells from
// empty), then the history as a count and its changes, each as its time,
// clock, by, action, reason and detail.
//
// An event's record of event_dates (0x07), not compressed: the deadline,
// the closing day and the date (as a copy's dates), the state and the
// 一级事项 (strings).
//
// An audit entry (0x05): the sequence number (uvarint), the operation's
// time and the clock (as a copy's times), the actor, action and subject
// (strings), the content (its JSON bytes as they are), then the previous
// and this entry's hash, each as a byte 1 and its 32 bytes when it is 64
// lowercase hex digits (as gongkai writes them), else a byte 0 and the
// string.
//
// The binary forms of events and audit entries follow the tag compressed
// with S2 and the dictionary dictV2 (dict_v2.bin): a block format without
// entropy coding, so that a record of 800 bytes decompresses in half a
// microsecond, where deflate spends more than that on its Huffman tables
// alone; with a dictionary of the phrases and names that records repeat,
// an event of a million-event file takes 169 bytes on average (240 as
// deflated JSON), an audit entry 198 (281). dictV2 must never change: a
// better one gets new tags.
//
// Both read back exactly as their JSON does: the audit chain hashes an
// entry's fields, and the events' binding hashes an event's canonical
// JSON (tracker.EventJSON), so what is stored must give back the very
// same; check hashes an event read back by tracker.AppendEventJSON, which
// must agree. An event whose binary form would not give back its JSON
// (none that gongkai writes; a future field forgotten here) is stored as
// deflated JSON instead, which is still read. Its JSON is
// tracker.AppendEventJSON's, which the tracker's tests hold to
// encoding/json's field by field (and fuzz).
const (
	tagAudit = 0x05
	tagEvent = 0x06
	tagDates = 0x07
	// tagDatesText is a record of event_dates with its search text (since
	// schema 19): a search skips, by its bytes alone, a record of this
	// tag that does not hold the text.
	tagDatesText = 0x08
)

// encodeEvent returns the stored form of e: binary, or deflated JSON when
// the binary form would not read back as e's canonical JSON.
func encodeEvent(e *tracker.Event) ([]byte, error) {
	want, err := tracker.EventJSON(e)
	if err != nil {
		return nil, err
	}
	return encodeEventJSON(e, want)
}

// encodeEventJSON is encodeEvent given EventJSON(e).
func encodeEventJSON(e *tracker.Event, want []byte) ([]byte, error) {
	b := pack(tagEvent, eventBody(e))
	var back tracker.Event
	if err := decodeEventRecord(b, &back); err == nil && bytes.Equal(tracker.AppendEventJSON(make([]byte, 0, len(want)), &back), want) {
		return b, nil
	}
	return EncodeValue(e)
}

// eventBody returns the binary form of e, before it is compressed.
func eventBody(e *tracker.Event) []byte {
	w := recWriter{b: make([]byte, 0, 1024)}
	w.event(e)
	var flags byte
	if e.Channels == nil {
		flags |= 1
	}
	if e.History == nil {
		flags |= 2
	}
	w.b = append(w.b, flags)
	w.uint(uint64(len(e.History)))
	for _, c := range e.History {
		w.time(c.At)
		w.time(c.Clock)
		w.str(c.By)
		w.str(c.Action)
		w.str(c.Reason)
		w.str(c.Detail)
	}
	return w.b
}

// decodeEventRecord reads an event written by encodeEvent in its binary
// form into e.
func decodeEventRecord(b []byte, e *tracker.Event) error {
	body, err := unpack(tagEvent, b)
	if err != nil {
		return fmt.Errorf("事件记录已损坏：%w", err)
	}
	defer bodies.Put(body)
	r := recReader{b: *body}
	r.event(e)
	channelsNil, historyNil := r.flags()
	if channelsNil && len(e.Channels) == 0 {
		e.Channels = nil
	} else if e.Channels == nil {
		e.Channels = []tracker.Channel{}
	}
	if n := r.count(6); n > 0 || !historyNil { // a change: six fields
		e.History = make([]tracker.Change, n)
		for i := range e.History {
			c := &e.History[i]
			c.At = r.time()
			c.Clock = r.time()
			c.By = r.str()
			c.Action = r.code()
			c.Reason = r.str()
			c.Detail = r.str()
		}
	}
	return r.end("事件记录")
}

// encodeAudit returns the stored form of an audit entry: binary, or
// deflated JSON when the binary form would not read back with the same
// hash (none that gongkai writes). a must be as it reads back from JSON
// (Tx.Audit makes it so): strings valid UTF-8, content compact.
func encodeAudit(a *tracker.AuditEntry) ([]byte, error) {
	b := pack(tagAudit, auditBody(a))
	var back tracker.AuditEntry
	// The entry reads back field for field, so it hashes as a does.
	if err := decodeAudit(b, &back); err == nil && back.Seq == a.Seq && back.At.Equal(a.At) && back.Clock.Equal(a.Clock) &&
		back.Actor == a.Actor && back.Action == a.Action && back.Subject == a.Subject &&
		bytes.Equal(back.Content, a.Content) && back.Prev == a.Prev && back.Hash == a.Hash {
		return b, nil
	}
	return EncodeValue(a)
}

// auditBody returns the binary form of an audit entry, before it is
// compressed.
func auditBody(a *tracker.AuditEntry) []byte {
	w := recWriter{b: make([]byte, 0, 160+len(a.Content))}
	w.uint(a.Seq)
	w.time(a.At)
	w.time(a.Clock)
	w.str(a.Actor)
	w.str(a.Action)
	w.str(a.Subject)
	content := a.Content
	if len(content) == 0 {
		content = json.RawMessage("null") // as JSON writes it
	}
	w.uint(uint64(len(content)))
	w.b = append(w.b, content...)
	w.hash(a.Prev)
	w.hash(a.Hash)
	return w.b
}

// decodeAudit reads an audit entry written by encodeAudit into a.
func decodeAudit(b []byte, a *tracker.AuditEntry) error {
	body, err := unpack(tagAudit, b)
	if err != nil {
		return fmt.Errorf("审计记录已损坏：%w", err)
	}
	defer bodies.Put(body)
	r := recReader{b: *body}
	*a = tracker.AuditEntry{}
	a.Seq = r.uint()
	a.At = r.time()
	a.Clock = r.time()
	a.Actor = r.str()
	a.Action = r.code()
	a.Subject = r.str()
	// The content is not parsed here: gongkai writes it as JSON, and the
	// chain's hash covers its bytes, so `audit verify` and check find it
	// changed. Reading two million of them, parsing would cost seconds.
	if c := r.bytes("内容"); len(c) > 0 {
		a.Content = bytes.Clone(c)
	}
	a.Prev = r.hash()
	a.Hash = r.hash()
	return r.end("审计记录")
}

// hash writes a hash: 32 bytes when it is 64 lowercase hex digits.
func (w *recWriter) hash(h string) {
	if raw, err := hex.DecodeString(h); err == nil && len(raw) == 32 && hex.EncodeToString(raw) == h {
		w.b = append(w.b, 1)
		w.b = append(w.b, raw...)
		return
	}
	w.b = append(w.b, 0)
	w.str(h)
}

func (r *recReader) hash() string {
	if raw, more := r.flags(); more {
		r.fail("哈希")
		return ""
	} else if !raw {
		return r.str()
	}
	if len(r.b) < 32 {
		r.fail("哈希")
		return ""
	}
	h := hex.EncodeToString(r.b[:32])
	r.b = r.b[32:]
	return h
}

// dictV2 is the S2 dictionary of events and audit entries: the catalogue's
// names and records of a staff flow, as dict_test.go wrote it once.
// TestDictionariesAreFrozen keeps it from changing.
//
//go:embed dict_v2.bin
var dictV2Bytes []byte

var dictV2 = sync.OnceValue(func() *s2.Dict {
	d := s2.NewDict(dictV2Bytes)
	if d == nil {
		panic("boltstore: dict_v2.bin is not an S2 dictionary")
	}
	return d
})

// pack returns the stored form of a record's binary body: the tag, then
// the body compressed with dictV2 (into the same slice, which has room).
func pack(tag byte, body []byte) []byte {
	out := make([]byte, 1, 1+s2.MaxEncodedLen(len(body)))
	out[0] = tag
	return out[:1+len(dictV2().Encode(out[1:cap(out)], body))]
}

// maxBody bounds the length a damaged record may claim for its body: an
// event with a history of thousands of changes, far beyond any real one.
const maxBody = 4 << 20

// bodies are the buffers records are decompressed into; what is read from
// one is copied out of it.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// unpack decompresses a record stored by pack with tag into a buffer from
// bodies, which the caller puts back when done with it.
func unpack(tag byte, b []byte) (*[]byte, error) {
	if len(b) == 0 || b[0] != tag {
		return nil, errors.New("类型不对")
	}
	n, err := s2.DecodedLen(b[1:])
	if err != nil || n > maxBody {
		return nil, errors.New("所记的长度不对")
	}
	buf := bodies.Get().(*[]byte)
	if cap(*buf) < n {
		*buf = make([]byte, n, max(n, 1024))
	}
	body, err := dictV2().Decode((*buf)[:n], b[1:])
	if err != nil {
		bodies.Put(buf)
		return nil, fmt.Errorf("压缩的内容无法解压（%w）", err)
	}
	*buf = body
	return buf, nil
}

// encodeDates returns the stored form of a record of event_dates.
func encodeDates(d eventDates) []byte {
	w := recWriter{b: make([]byte, 1, 20+len(d.State)+len(d.Level1)+len(d.Text))}
	w.b[0] = tagDatesText
	w.date(d.Deadline)
	w.date(d.ClosedOn)
	w.date(d.Date)
	w.str(string(d.State))
	w.str(d.Level1)
	w.str(d.Text)
	return w.b
}

// decodeDates reads a record of event_dates, in its binary form or as
// the JSON of before schema 9.
func decodeDates(v []byte, d *eventDates) error {
	if len(v) == 0 || v[0] != tagDates && v[0] != tagDatesText {
		*d = eventDates{}
		return json.Unmarshal(v, d)
	}
	r := recReader{b: v[1:]}
	d.Deadline = r.date()
	d.ClosedOn = r.date()
	d.Date = r.date()
	d.State = tracker.Status(r.code())
	d.Level1 = r.level1()
	d.Text = ""
	if v[0] == tagDatesText {
		d.Text = r.str()
	}
	return r.end("事件的日期记录")
}

// level1s holds the 一级事项 read last, which the next record most
// likely repeats: a million records share a dozen strings.
var level1s [16]atomic.Pointer[string]

// level1 reads a 一级事项, shared with the last record that had it.
func (r *recReader) level1() string {
	b := r.bytes("文字")
	return shared(&level1s[maphash.Bytes(level1Seed, b)%uint64(len(level1s))], b)
}

var level1Seed = maphash.MakeSeed()
