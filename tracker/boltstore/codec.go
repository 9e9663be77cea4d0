package boltstore

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"gongkai/tracker"
)

// Values are JSON. Events, the audit log and the catalogue are stored
// deflated with a preset dictionary of the words they repeat (field names,
// channel codes, the phrases of the history), which shrinks an event from
// about 1.3 KB to under 200 bytes. The first byte says how a value is
// stored:
//
//	'{' or '['  plain JSON (schedules, and everything written before schema 3)
//	0x01        deflate (RFC 1951) with dictV1, then JSON
//	0x03        reminder marks, in their compact form (marks.go)
//	0x04        a copy of an open event, in its binary form (copies.go)
//	0x05        an audit entry, in its binary form (records.go)
//	0x06        an event, in its binary form (records.go)
//	0x07        an event's record of event_dates (records.go)
//
// dictV1 must never change: values written with it can only be read with
// it. A better dictionary gets a new tag.
const tagDeflateV1 = 0x01

// dictV1 holds the strings that stored values repeat; deflate finds them
// here instead of spelling them out in each value. TestDictionariesAreFrozen
// keeps it from changing.
var dictV1 = []byte(`{"seq":1,"at":"2026-11-20T02:00:00Z","clock":"2026-11-20T02:00:00.000000000Z","actor":"","action":"logged","subject":"event 1","content":{"date":"2026-11-02","deadline":"2026-11-30","detail":"","event":1,"kind":"changed","matter":1,"reason":"","ref":"","state":"open","summary":""},"prev":"","hash":""}` +
	`{"seq":2,"action":"disclosed","action":"waived","action":"amended","action":"retracted","action":"reopened","action":"recomputed","subject":"calendar 2028","subject":"catalog","kind":"formed","state":"done","state":"done_late","state":"waived"}` +
	`{"id":1,"matter":1,"matter_name":"社会保险参保登记 › 社会保险个人参保登记 › 养老保险服务 › 工伤保险服务 › 社会保障卡服务 › 社会保险缴费申报 › 社保信息服务 ›","channels":["web","center","grassroots"],"time_limit_days":20,"kind":"changed","date":"2026-11-02","summary":"调整办理材料","ref":"人社字〔2026〕号","by":"","logged_at":"2026-11-20T10:00:00+08:00","deadline":"2026-11-30","provisional":false,"logged_late":false,"state":"open","closed_on":"2026-11-20","disclosures":[{"channel":"web","date":"2026-11-20","url":"https://www.gov.cn/xxgk/","note":"","by":"","at":"2026-11-20T10:00:00+08:00","void":{"action":"retracted","reason":"","by":"","at":"2026-11-20T10:00:00+08:00"}},{"channel":"center","date":"2026-11-20","by":"","at":"2026-11-20T10:00:00+08:00"},{"channel":"grassroots","date":"2026-11-20","by":"","at":"2026-11-20T10:00:00+08:00"}],"history":[{"at":"2026-11-20T10:00:00+08:00","by":"","action":"logged","detail":"信息变更于 2026-11-02；公开期限 2026-11-30；补登（已过 个工作日）"},{"at":"2026-11-20T10:00:00+08:00","by":"","action":"disclosed","detail":"政府网站、政务服务中心、基层公共服务平台 于 2026-11-20 公开，https://"},{"at":"2026-11-20T10:00:00+08:00","by":"","action":"amended","reason":"","detail":"日期 2026-11-02 → 2026-11-03；期限 2026-11-30 → 2026-12-01；状态 待公开 → 按时公开 → 逾期公开 → 免于公开"}]}`)

var writers = sync.Pool{New: func() any { return newWriter(flate.DefaultCompression) }}

// bigWriters compress values of more than bigValue bytes (a report with its
// spreadsheet) for speed: such values are mostly base64 of a zip file that
// does not shrink anyway. The stream is deflate with the same dictionary.
var bigWriters = sync.Pool{New: func() any { return newWriter(flate.BestSpeed) }}

const bigValue = 256 << 10

func newWriter(level int) *flate.Writer {
	w, err := flate.NewWriterDict(io.Discard, level, dictV1)
	if err != nil {
		panic(err)
	}
	return w
}

var readers = sync.Pool{New: func() any { return flate.NewReaderDict(bytes.NewReader(nil), dictV1) }}

// EncodeValue stores v as deflated JSON.
func EncodeValue(v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(js)/4 + 16)
	buf.WriteByte(tagDeflateV1)
	pool := &writers
	if len(js) > bigValue {
		pool = &bigWriters
	}
	w := pool.Get().(*flate.Writer)
	defer pool.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(js); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeValue reads a stored value into v, plain or deflated.
func DecodeValue(b []byte, v any) error { return decodeSeen(b, v, nil) }

// decodeSeen is DecodeValue, showing the value's JSON to seen (when not
// nil) before decoding it; seen must not keep it. Values in a binary form
// are not JSON: seen is not called for them.
func decodeSeen(b []byte, v any, seen func(js []byte)) error {
	if len(b) > 0 {
		switch b[0] {
		case tagCopy, tagEvent:
			e, ok := v.(*tracker.Event)
			if !ok {
				return fmt.Errorf("事件记录不能读作 %T", v)
			}
			if b[0] == tagCopy {
				return decodeCopy(b, e)
			}
			return decodeEventRecord(b, e)
		case tagAudit:
			a, ok := v.(*tracker.AuditEntry)
			if !ok {
				return fmt.Errorf("审计记录不能读作 %T", v)
			}
			return decodeAudit(b, a)
		case tagDates, tagDatesText:
			d, ok := v.(*eventDates)
			if !ok {
				return fmt.Errorf("事件的日期记录不能读作 %T", v)
			}
			return decodeDates(b, d)
		}
	}
	if len(b) == 0 || b[0] != tagDeflateV1 {
		js, err := ValueJSON(b)
		if err != nil {
			return err
		}
		if seen != nil {
			seen(js)
		}
		return json.Unmarshal(js, v)
	}
	// The inflated JSON lives only until it is decoded (json.Unmarshal
	// copies what it keeps): its buffer is used again, which spares the
	// collector the garbage of a hundred thousand events read in a row.
	out := inflated.Get().(*bytes.Buffer)
	defer func() {
		if out.Cap() <= 1<<20 { // a report's megabytes are not kept
			inflated.Put(out)
		}
	}()
	out.Reset()
	if err := inflate(b, out); err != nil {
		return err
	}
	if seen != nil {
		seen(out.Bytes())
	}
	return json.Unmarshal(out.Bytes(), v)
}

var inflated = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// inflate writes the JSON of a deflated value to out.
func inflate(b []byte, out *bytes.Buffer) error {
	r := readers.Get().(io.ReadCloser)
	defer readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b[1:]), dictV1); err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	return nil
}

// ValueJSON returns a stored value's JSON.
func ValueJSON(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("empty value")
	}
	switch b[0] {
	case '{', '[':
		return b, nil
	case tagDeflateV1:
		var out bytes.Buffer
		out.Grow(len(b) * 6)
		if err := inflate(b, &out); err != nil {
			return nil, err
		}
		return out.Bytes(), nil
	case tagCopy, tagEvent:
		var e tracker.Event
		if err := decodeSeen(b, &e, nil); err != nil {
			return nil, err
		}
		return json.Marshal(&e)
	case tagAudit:
		var a tracker.AuditEntry
		if err := decodeAudit(b, &a); err != nil {
			return nil, err
		}
		return json.Marshal(&a)
	case tagDates, tagDatesText:
		var d eventDates
		if err := decodeDates(b, &d); err != nil {
			return nil, err
		}
		return json.Marshal(&d)
	}
	return nil, fmt.Errorf("unknown value format 0x%02x", b[0])
}
