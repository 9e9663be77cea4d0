package boltstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// keyKind says how a bucket's keys are made, so that they can be shown.
type keyKind int

const (
	keyRaw    keyKind = iota // not known: text when it is text, else hex
	keyText                  // a string
	keyID                    // an id or sequence number: 8 bytes big-endian
	keyUint32                // a year (yearKey) or another number: 4 bytes big-endian
	keyDateID                // a date as yyyymmdd in 4 bytes, then an id (dateKey)
	keyFigure                // a state's code, a date in 4 bytes, a 一级事项 (figureKey)
)

// valueKind says how a bucket's values are stored.
type valueKind int

const (
	valueRaw    valueKind = iota // not known: JSON or a stored value when it is one, else text or hex
	valueText                    // a string (meta)
	valueStored                  // JSON, plain or deflated (codec.go)
	valueEmpty                   // nothing: the key is all (indexes)
	valueID                      // an id: 8 bytes big-endian (outbox_keys)
	valueChunk                   // a chunk of a large value (outbox_blobs): its size
	valueMarks                   // reminder marks (marks.go), compact or JSON
)

// layout is how one bucket's records are made.
type layout struct {
	key   keyKind
	value valueKind
	// secret names the fields of a stored value that a dump shows as
	// "（已隐去）": a password's hash is not for printing.
	secret []string
}

// layouts are the buckets gongkai writes. Buckets not listed here (a newer
// version's, or someone else's) are dumped as they come.
var layouts = map[string]layout{
	string(bucketMeta):     {key: keyText, value: valueText},
	string(bucketCalendar): {key: keyUint32, value: valueStored},
	string(bucketCatalog):  {key: keyText, value: valueStored},
	string(bucketEvents):   {key: keyID, value: valueStored},
	string(bucketOpen):     {key: keyID, value: valueStored}, // a copy without history; empty if indexed before copies were kept
	string(bucketAudit):    {key: keyID, value: valueStored},
	string(bucketRemind):   {key: keyID, value: valueMarks},
	string(bucketOutbox):   {key: keyID, value: valueStored},
	string(bucketOutKeys):  {key: keyText, value: valueID},
	string(bucketContent):  {key: keyID, value: valueStored},
	string(bucketBlobs):    {key: keyRaw, value: valueChunk},
	string(bucketPending):  {key: keyID, value: valueEmpty},
	string(bucketFailed):   {key: keyID, value: valueEmpty},
	string(bucketDates):    {key: keyID, value: valueStored},
	string(bucketByDue):    {key: keyDateID, value: valueEmpty},
	string(bucketByClosed): {key: keyDateID, value: valueEmpty},
	string(bucketFigures):  {key: keyFigure, value: valueID},
	string(bucketMigrated): {key: keyUint32, value: valueStored},
	string(bucketAccounts): {key: keyText, value: valueStored, secret: []string{"password_hash"}},
	string(bucketSections): {key: keyText, value: valueStored},
	string(bucketTokens):   {key: keyText, value: valueStored},
}

// Dump writes every record of the named bucket, or of every bucket when
// bucket is "", as one line of JSON each:
//
//	{"bucket":"events","key":12,"value":{"id":12,"summary":"调整办理材料",…}}
//
// Keys are shown as what they mean: ids, sequence numbers and years as
// numbers, index keys of a date and an id as {"date":"2026-11-30","id":12},
// names as strings, anything else as {"hex":"…"}. Values are shown as the
// JSON they hold, inflated when stored deflated; an empty value as null; a
// value that cannot be read as {"raw_hex":"…","error":"…"}, so that a
// damaged record is shown rather than stopping the dump. Records of a
// nested bucket (gongkai makes none) follow with the bucket named
// "outer/inner".
//
// Dump streams from one read transaction: it holds one record at a time,
// whatever the size of the file. An unknown bucket is a *tracker.Error
// (tracker.EInvalid) that lists the buckets the file has.
func (s *Store) Dump(w io.Writer, bucket string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	err := s.view(func(tx *bolt.Tx) error {
		d := dumper{w: bw}
		if bucket != "" {
			b := tx.Bucket([]byte(bucket))
			if b == nil {
				return tracker.Errorf(tracker.EInvalid, "数据库中没有名为 %q 的桶：已有的桶是 %s", bucket, bucketList(tx))
			}
			return d.bucket(bucket, layouts[bucket], b)
		}
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return d.bucket(string(name), layouts[string(name)], b)
		})
	})
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("dump: %w", ferr)
	}
	return err
}

// Dump writes the file's records as Store.Dump does, from a read-only open
// of the file: a missing or empty file is ENotFound, and nothing is
// created.
func (f *File) Dump(w io.Writer, bucket string) error {
	s, err := f.readOnly()
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Dump(w, bucket)
}

// bucketList names the file's buckets for a message, in their order.
func bucketList(tx *bolt.Tx) string {
	var names []string
	tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, keyName(name))
		return nil
	})
	if len(names) == 0 {
		return "（没有：文件是空的）"
	}
	return strings.Join(names, "、")
}

// dumper writes records as lines of JSON.
type dumper struct {
	w       io.Writer
	line    bytes.Buffer
	scratch bytes.Buffer
}

func (d *dumper) bucket(name string, l layout, b *bolt.Bucket) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			if nested := b.Bucket(k); nested != nil {
				if err := d.bucket(name+"/"+keyName(k), layout{}, nested); err != nil {
					return err
				}
				continue
			}
		}
		d.line.Reset()
		d.line.WriteString(`{"bucket":`)
		d.line.Write(appendString(d.line.AvailableBuffer(), name))
		d.line.WriteString(`,"key":`)
		d.line.Write(appendKey(d.line.AvailableBuffer(), l.key, k))
		d.line.WriteString(`,"value":`)
		d.value(l, v)
		d.line.WriteString("}\n")
		if _, err := d.w.Write(d.line.Bytes()); err != nil {
			return fmt.Errorf("dump: %w", err)
		}
	}
	return nil
}

// value appends v shown as JSON.
func (d *dumper) value(l layout, v []byte) {
	kind := l.value
	if len(v) == 0 {
		d.line.WriteString("null")
		return
	}
	switch kind {
	case valueText:
		if utf8.Valid(v) {
			d.line.Write(appendString(d.line.AvailableBuffer(), string(v)))
			return
		}
		d.raw(v, "不是 UTF-8 文本")
	case valueStored:
		if isBlobRef(v) {
			sum, n := parseBlobRef(v)
			fmt.Fprintf(&d.line, `{"blob":"%x","chunks":%d}`, sum, n)
			return
		}
		js, err := ValueJSON(v)
		if err == nil && len(l.secret) > 0 {
			js, err = hideFields(js, l.secret)
		}
		if err == nil {
			err = d.json(js)
		}
		if err != nil {
			d.raw(v, "无法解码："+err.Error())
		}
	case valueMarks:
		js, err := marksJSON(v)
		if err == nil {
			err = d.json(js)
		}
		if err != nil {
			d.raw(v, "无法解码："+err.Error())
		}
	case valueChunk:
		fmt.Fprintf(&d.line, `{"bytes":%d}`, len(v))
	case valueEmpty:
		d.raw(v, "索引记录应当为空")
	case valueID:
		if len(v) == 8 {
			d.line.WriteString(strconv.FormatUint(binary.BigEndian.Uint64(v), 10))
			return
		}
		d.raw(v, fmt.Sprintf("应为 8 字节的编号，实有 %d 字节", len(v)))
	default:
		if js, err := ValueJSON(v); err == nil && d.json(js) == nil {
			return
		}
		if json.Valid(v) && d.json(v) == nil {
			return
		}
		if utf8.Valid(v) {
			d.line.Write(appendString(d.line.AvailableBuffer(), string(v)))
			return
		}
		d.raw(v, "既不是 JSON 也不是文本")
	}
}

// json appends js, valid JSON, on one line, with the <, > and & that
// encoding/json escapes shown as they are.
func (d *dumper) json(js []byte) error {
	d.scratch.Reset()
	if err := json.Compact(&d.scratch, js); err != nil {
		return err
	}
	d.line.Write(unescapeHTML(d.scratch.Bytes()))
	return nil
}

func (d *dumper) raw(v []byte, why string) {
	d.line.WriteString(`{"raw_hex":"`)
	d.line.WriteString(hex.EncodeToString(v))
	d.line.WriteString(`","error":`)
	d.line.Write(appendString(d.line.AvailableBuffer(), why))
	d.line.WriteByte('}')
}

// appendKey appends k shown as JSON. A key that is not of the kind its
// bucket holds is shown as hex.
func appendKey(b []byte, kind keyKind, k []byte) []byte {
	switch kind {
	case keyID:
		if len(k) == 8 {
			return strconv.AppendUint(b, binary.BigEndian.Uint64(k), 10)
		}
	case keyUint32:
		if len(k) == 4 {
			return strconv.AppendUint(b, uint64(binary.BigEndian.Uint32(k)), 10)
		}
	case keyDateID:
		if d, id, ok := parseDateKey(k); ok {
			b = append(b, `{"date":"`...)
			b = d.AppendFormat(b)
			b = append(b, `","id":`...)
			b = strconv.AppendUint(b, id, 10)
			return append(b, '}')
		}
	case keyFigure:
		if st, d, level1, ok := parseFigureKey(k); ok {
			b = append(b, `{"state":`...)
			b = appendString(b, string(st))
			b = append(b, `,"deadline":"`...)
			b = d.AppendFormat(b)
			b = append(b, `","level1":`...)
			b = appendString(b, level1)
			return append(b, '}')
		}
	case keyText:
		if utf8.Valid(k) {
			return appendString(b, string(k))
		}
	default:
		if isText(k) {
			return appendString(b, string(k))
		}
	}
	b = append(b, `{"hex":"`...)
	b = hex.AppendEncode(b, k)
	return append(b, `"}`...)
}

// showKey returns a key shown as in a dump, for messages.
func showKey(kind keyKind, k []byte) string { return string(appendKey(nil, kind, k)) }

// keyName returns a bucket's name for people: the name, or its hex.
func keyName(k []byte) string {
	if isText(k) {
		return string(k)
	}
	return hex.EncodeToString(k)
}

// isText reports whether k reads as text: UTF-8 without control
// characters.
func isText(k []byte) bool {
	if len(k) == 0 || !utf8.Valid(k) {
		return false
	}
	for _, r := range string(k) {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// parseDateKey reads a dateKey.
func parseDateKey(k []byte) (calendar.Date, uint64, bool) {
	if len(k) != 12 {
		return calendar.Date{}, 0, false
	}
	n := int(binary.BigEndian.Uint32(k[:4]))
	y, m, dd := n/10000, time.Month(n/100%100), n%100
	if !calendar.Valid(y, m, dd) {
		return calendar.Date{}, 0, false
	}
	return calendar.DateOf(y, m, dd), binary.BigEndian.Uint64(k[4:]), true
}

// appendString appends s as a JSON string, escaping only what JSON
// requires: Chinese, <, > and & stay readable.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// unescapeHTML turns the \u003c, \u003e and \u0026 of compact JSON back
// into <, > and &, in place. Other escapes are kept as they are.
func unescapeHTML(js []byte) []byte {
	if !bytes.Contains(js, []byte(`\u00`)) {
		return js
	}
	out := js[:0]
	for i := 0; i < len(js); i++ {
		c := js[i]
		if c != '\\' || i+1 >= len(js) {
			out = append(out, c)
			continue
		}
		if js[i+1] == 'u' && i+5 < len(js) {
			switch string(js[i+2 : i+6]) {
			case "003c", "003C":
				out = append(out, '<')
				i += 5
				continue
			case "003e", "003E":
				out = append(out, '>')
				i += 5
				continue
			case "0026":
				out = append(out, '&')
				i += 5
				continue
			}
		}
		// Any other escape: keep both characters, so that the second is
		// not taken for the start of another.
		out = append(out, c, js[i+1])
		i++
	}
	return out
}

// hideFields replaces the named fields of a JSON object, when set, with
// "（已隐去）", keeping the others as they are.
func hideFields(js []byte, fields []string) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(js, &obj); err != nil {
		return nil, err
	}
	for _, f := range fields {
		if v, ok := obj[f]; ok && string(v) != `""` {
			obj[f] = json.RawMessage(`"（已隐去）"`)
		}
	}
	return json.Marshal(obj)
}
