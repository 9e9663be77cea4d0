package tracker

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"gongkai/calendar"
)

// AppendEventJSON appends to dst the canonical encoding of e, the bytes
// EventJSON returns, five times faster: it writes Event's fields itself
// where EventJSON asks encoding/json, which finds them by reflection. It
// is for reading many events at once (check, audit verify); EventJSON stays
// the definition, and a store that relies on this one verifies, when it
// writes an event, that both agree on it.
//
// It writes what encoding/json writes (field order, omitempty and
// omitzero, RFC 3339 times, <, > and & escaped as in HTML, U+2028 and
// U+2029 escaped), except that a byte that is not UTF-8 is written as
// U+FFFD itself, as the canonical encoding has it. TestAppendEventJSON
// compares the two on every field; a field added to Event must be added
// here too.
func AppendEventJSON(dst []byte, e *Event) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendUint(dst, e.ID, 10)
	dst = append(dst, `,"matter":`...)
	dst = strconv.AppendInt(dst, int64(e.Matter), 10)
	dst = append(dst, `,"matter_name":`...)
	dst = appendJSONString(dst, e.MatterName)
	dst = append(dst, `,"channels":`...)
	if e.Channels == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, c := range e.Channels {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, string(c))
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"time_limit_days":`...)
	dst = strconv.AppendInt(dst, int64(e.TimeLimit), 10)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, string(e.Kind))
	dst = append(dst, `,"date":`...)
	dst = appendJSONDate(dst, e.Date)
	dst = append(dst, `,"summary":`...)
	dst = appendJSONString(dst, e.Summary)
	if e.Ref != "" {
		dst = append(dst, `,"ref":`...)
		dst = appendJSONString(dst, e.Ref)
	}
	dst = append(dst, `,"by":`...)
	dst = appendJSONString(dst, e.By)
	dst = append(dst, `,"logged_at":`...)
	dst = appendJSONTime(dst, e.LoggedAt)
	if !e.LoggedClock.IsZero() {
		dst = append(dst, `,"logged_clock":`...)
		dst = appendJSONTime(dst, e.LoggedClock)
	}
	dst = append(dst, `,"deadline":`...)
	dst = appendJSONDate(dst, e.Deadline)
	dst = append(dst, `,"provisional":`...)
	dst = strconv.AppendBool(dst, e.Provisional)
	dst = append(dst, `,"logged_late":`...)
	dst = strconv.AppendBool(dst, e.LoggedLate)
	dst = append(dst, `,"state":`...)
	dst = appendJSONString(dst, string(e.State))
	if !e.ClosedOn.IsZero() {
		dst = append(dst, `,"closed_on":`...)
		dst = appendJSONDate(dst, e.ClosedOn)
	}
	if len(e.Disclosures) > 0 {
		dst = append(dst, `,"disclosures":[`...)
		for i := range e.Disclosures {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendDisclosureJSON(dst, &e.Disclosures[i])
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"history":`...)
	if e.History == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range e.History {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendChangeJSON(dst, &e.History[i])
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// QuickEventHash is EventHash by AppendEventJSON: the same hash, for
// reading many events at once. EventHash stays the definition: a caller
// compares with it whatever does not match.
func QuickEventHash(e *Event) string {
	buf := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(buf)
	*buf = AppendEventJSON((*buf)[:0], e)
	sum := sha256.Sum256(*buf)
	return hex.EncodeToString(sum[:])
}

var jsonBufs = sync.Pool{New: func() any { return new([]byte) }}

func appendDisclosureJSON(dst []byte, d *Disclosure) []byte {
	dst = append(dst, `{"channel":`...)
	dst = appendJSONString(dst, string(d.Channel))
	dst = append(dst, `,"date":`...)
	dst = appendJSONDate(dst, d.Date)
	if d.URL != "" {
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, d.URL)
	}
	if d.Note != "" {
		dst = append(dst, `,"note":`...)
		dst = appendJSONString(dst, d.Note)
	}
	dst = append(dst, `,"by":`...)
	dst = appendJSONString(dst, d.By)
	dst = append(dst, `,"at":`...)
	dst = appendJSONTime(dst, d.At)
	if !d.Clock.IsZero() {
		dst = append(dst, `,"clock":`...)
		dst = appendJSONTime(dst, d.Clock)
	}
	if v := d.Void; v != nil {
		dst = append(dst, `,"void":{"action":`...)
		dst = appendJSONString(dst, v.Action)
		dst = append(dst, `,"reason":`...)
		dst = appendJSONString(dst, v.Reason)
		dst = append(dst, `,"by":`...)
		dst = appendJSONString(dst, v.By)
		dst = append(dst, `,"at":`...)
		dst = appendJSONTime(dst, v.At)
		if !v.Clock.IsZero() {
			dst = append(dst, `,"clock":`...)
			dst = appendJSONTime(dst, v.Clock)
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func appendChangeJSON(dst []byte, c *Change) []byte {
	dst = append(dst, `{"at":`...)
	dst = appendJSONTime(dst, c.At)
	if !c.Clock.IsZero() {
		dst = append(dst, `,"clock":`...)
		dst = appendJSONTime(dst, c.Clock)
	}
	dst = append(dst, `,"by":`...)
	dst = appendJSONString(dst, c.By)
	dst = append(dst, `,"action":`...)
	dst = appendJSONString(dst, c.Action)
	if c.Reason != "" {
		dst = append(dst, `,"reason":`...)
		dst = appendJSONString(dst, c.Reason)
	}
	dst = append(dst, `,"detail":`...)
	dst = appendJSONString(dst, c.Detail)
	return append(dst, '}')
}

// appendJSONDate writes a date as its MarshalText does, quoted: "" for
// none.
func appendJSONDate(dst []byte, d calendar.Date) []byte {
	dst = append(dst, '"')
	if !d.IsZero() {
		dst = d.AppendFormat(dst)
	}
	return append(dst, '"')
}

// appendJSONTime writes a time as its MarshalJSON does (RFC 3339 with
// nanoseconds, quoted), for the years 0 to 9999 it accepts.
func appendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s quoted and escaped as encoding/json escapes
// it, but for a byte that is not UTF-8, which it writes as U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
