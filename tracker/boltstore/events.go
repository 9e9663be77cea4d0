package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"gongkai/calendar"
	"gongkai/tracker"
)

func idKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// Event returns the event with the id.
func (t *Tx) Event(id uint64) (*tracker.Event, error) {
	b := t.tx.Bucket(bucketEvents)
	var v []byte
	if b != nil {
		v = b.Get(idKey(id))
	}
	if v == nil {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldEvent, "没有编号为 %d 的事件", id)
	}
	return decodeEvent(id, v)
}

func decodeEvent(id uint64, v []byte) (*tracker.Event, error) {
	var e tracker.Event
	if err := DecodeValue(v, &e); err != nil {
		return nil, damaged(tracker.FieldEvent, "事件", id, err)
	}
	return &e, nil
}

// PutEvent stores an event, giving a new one the next id, and keeps the
// index of open events.
func (t *Tx) PutEvent(e *tracker.Event) error {
	if len(e.History) == 0 {
		return fmt.Errorf("event %d has no history: it was read as a summary and cannot be stored", e.ID)
	}
	b := t.tx.Bucket(bucketEvents)
	if e.ID == 0 {
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.ID = id
	}
	v, err := encodeEvent(e)
	if err != nil {
		return err
	}
	return t.PutEncodedEvent(e, v)
}

// EncodeEvent returns e as PutEncodedEvent stores it; it touches no
// transaction (tracker.Encoder).
func (t *Tx) EncodeEvent(e *tracker.Event, js []byte) ([]byte, error) {
	return encodeEventJSON(e, js)
}

// PutEncodedEvent stores event e, whose id is given and which
// EncodeEvent encoded as v, with its indexes.
func (t *Tx) PutEncodedEvent(e *tracker.Event, v []byte) error {
	if e.ID == 0 || len(e.History) == 0 {
		return fmt.Errorf("event %d: only an event with its id and history is stored encoded", e.ID)
	}
	b := t.tx.Bucket(bucketEvents)
	if err := b.Put(idKey(e.ID), v); err != nil {
		return err
	}
	if err := t.indexDates(e); err != nil {
		return err
	}
	open := t.tx.Bucket(bucketOpen)
	if e.State != tracker.Open {
		return open.Delete(idKey(e.ID))
	}
	return open.Put(idKey(e.ID), encodeCopy(e))
}

// dateKey is a date (4 bytes, sortable) then an id.
func dateKey(d calendar.Date, id uint64) []byte {
	var k [12]byte
	y, m, dd := d.Civil()
	binary.BigEndian.PutUint32(k[:4], uint32(y*10000+int(m)*100+dd))
	binary.BigEndian.PutUint64(k[4:], id)
	return k[:]
}

// indexDates keeps the indexes of events by deadline and by closing day.
// Their new keys wait in the transaction (dated) and are written in key
// order when it ends: see flushDated.
func (t *Tx) indexDates(e *tracker.Event) error {
	dates, figures := t.tx.Bucket(bucketDates), t.tx.Bucket(bucketFigures)
	var old eventDates
	if v := dates.Get(idKey(e.ID)); v != nil {
		if err := decodeDates(v, &old); err != nil {
			return damaged(tracker.FieldEvent, "事件的日期索引", e.ID, err)
		}
		if err := addFigure(figures, old.State, old.Deadline, old.Level1, -1); err != nil {
			return err
		}
		if err := t.unputDated(bucketByDue, dateKey(old.Deadline, e.ID)); err != nil {
			return err
		}
		if !old.ClosedOn.IsZero() {
			if err := t.unputDated(bucketByClosed, dateKey(old.ClosedOn, e.ID)); err != nil {
				return err
			}
		}
	}
	if err := addFigure(figures, e.State, e.Deadline, e.Level1(), 1); err != nil {
		return err
	}
	t.putDated(bucketByDue, dateKey(e.Deadline, e.ID))
	if !e.ClosedOn.IsZero() {
		t.putDated(bucketByClosed, dateKey(e.ClosedOn, e.ID))
	}
	return dates.Put(idKey(e.ID), datesOf(e))
}

// The date indexes' keys are a date then an id: the events of an import,
// a million of them, come in id order and their keys in no order at all,
// and bbolt, inserting each into the middle of a node that grows until
// the transaction commits, moves the node's tail every time — quadratic.
// So the keys a transaction adds wait in it (dated), and flushDated writes
// them in key order before it commits, or before it reads an index.

// putDated adds key to a date index, when the transaction ends.
func (t *Tx) putDated(index []byte, key []byte) {
	if t.dated == nil {
		t.dated = map[string]map[string]struct{}{}
	}
	m := t.dated[string(index)]
	if m == nil {
		m = map[string]struct{}{}
		t.dated[string(index)] = m
	}
	m[string(key)] = struct{}{}
}

// unputDated removes key from a date index: from those waiting, or from
// the bucket.
func (t *Tx) unputDated(index []byte, key []byte) error {
	if m := t.dated[string(index)]; m != nil {
		if _, ok := m[string(key)]; ok {
			delete(m, string(key))
			return nil
		}
	}
	return t.tx.Bucket(index).Delete(key)
}

// flushDated writes the waiting keys of the date indexes, in key order.
func (t *Tx) flushDated() error {
	for index, m := range t.dated {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b := t.tx.Bucket([]byte(index))
		for _, k := range keys {
			if err := b.Put([]byte(k), nil); err != nil {
				return err
			}
		}
	}
	t.dated = nil
	return nil
}

// datesOf is an event's record of event_dates.
func datesOf(e *tracker.Event) []byte {
	return encodeDates(eventDates{Deadline: e.Deadline, ClosedOn: e.ClosedOn, State: e.State, Date: e.Date, Level1: e.Level1(),
		Text: searchText(e)})
}

// searchText is what a search of events reads of e (eventDates.Text).
func searchText(e *tracker.Event) string {
	return tracker.Narrow(e.Summary) + "\n" + tracker.Narrow(e.Ref) + "\n" + e.By
}

var _ tracker.EventSearcher = (*Tx)(nil)

// SearchEvents calls fn with the id of every event whose summary or 文号
// may contain text and whose logger may be by ("" for any), in id order:
// it reads event_dates' records by their bytes alone, so an event it
// names may still not match (the caller checks the event itself); none
// that matches is left out.
func (t *Tx) SearchEvents(text, by string, fn func(id uint64) error) error {
	dates := t.tx.Bucket(bucketDates)
	if dates == nil {
		return nil
	}
	tf, bf := newFinder([]byte(tracker.Narrow(text))), newFinder([]byte(by))
	c := dates.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) > 0 && v[0] == tagDatesText && (!tf.in(v) || !bf.in(v)) {
			continue
		}
		if err := fn(binary.BigEndian.Uint64(k)); err != nil {
			return err
		}
	}
	return nil
}

// EventsByDeadline calls fn for every event whose deadline is in
// [from, to], by deadline.
func (t *Tx) EventsByDeadline(from, to calendar.Date, fn func(*tracker.Event) error) error {
	return t.byDate(bucketByDue, from, to, fn)
}

// EventsDue calls fn for every event whose deadline is in [from, to], as
// event_dates keeps it: without reading the events themselves.
func (t *Tx) EventsDue(from, to calendar.Date, fn func(*tracker.Event) error) error {
	dates := t.tx.Bucket(bucketDates)
	if dates == nil {
		return nil
	}
	return t.eachDated(bucketByDue, from, to, func(k []byte) error {
		id := binary.BigEndian.Uint64(k)
		v := dates.Get(k)
		if v == nil {
			return damaged(tracker.FieldEvent, "索引所指事件的日期记录", id, errMissing)
		}
		var d eventDates
		if err := decodeDates(v, &d); err != nil {
			return damaged(tracker.FieldEvent, "事件的日期记录", id, err)
		}
		return fn(&tracker.Event{ID: id, State: d.State, Date: d.Date, Deadline: d.Deadline, ClosedOn: d.ClosedOn, MatterName: d.Level1})
	})
}

// eachDated calls fn with the key (in events) of every event that date
// index lists in [from, to], in the index's order.
func (t *Tx) eachDated(index []byte, from, to calendar.Date, fn func(id []byte) error) error {
	if err := t.flushDated(); err != nil {
		return err
	}
	ix := t.tx.Bucket(index)
	if ix == nil {
		return nil
	}
	end := dateKey(to, 1<<64-1)
	c := ix.Cursor()
	for k, _ := c.Seek(dateKey(from, 0)); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.Next() {
		if err := fn(k[4:]); err != nil {
			return err
		}
	}
	return nil
}

// EventsByClosed calls fn for every event closed in [from, to].
func (t *Tx) EventsByClosed(from, to calendar.Date, fn func(*tracker.Event) error) error {
	return t.byDate(bucketByClosed, from, to, fn)
}

func (t *Tx) byDate(index []byte, from, to calendar.Date, fn func(*tracker.Event) error) error {
	events := t.tx.Bucket(bucketEvents)
	if events == nil {
		return nil
	}
	d := batchDecoder{fn: fn, decode: decodeEvent}
	if err := t.eachDated(index, from, to, func(id []byte) error {
		v := events.Get(id)
		if v == nil {
			return damaged(tracker.FieldEvent, "索引所指的事件", binary.BigEndian.Uint64(id), errMissing)
		}
		return d.add(id, v)
	}); err != nil {
		return err
	}
	return d.flush()
}

// Events calls fn for every event in id order. Events are decoded a batch
// at a time on every core, and handed to fn in order: decoding (inflate and
// JSON) is most of the cost of a list.
func (t *Tx) Events(fn func(*tracker.Event) error) error {
	events := t.tx.Bucket(bucketEvents)
	if events == nil {
		return nil
	}
	d := batchDecoder{fn: fn, decode: decodeEvent}
	if err := events.ForEach(d.add); err != nil {
		return err
	}
	return d.flush()
}

// OpenEvents calls fn for every open event, without its history, read
// from the index of open events, which keeps a copy of each for lists.
func (t *Tx) OpenEvents(fn func(*tracker.Event) error) error {
	events, open := t.tx.Bucket(bucketEvents), t.tx.Bucket(bucketOpen)
	if events == nil || open == nil {
		return nil
	}
	d := batchDecoder{fn: fn, decode: decodeEvent}
	err := open.ForEach(d.add)
	if err != nil {
		return err
	}
	return d.flush()
}

// batchDecoder gathers raw events (valid only in their transaction, which
// outlives the batch) and decodes them in parallel.
type batchDecoder struct {
	ids    []uint64
	raw    [][]byte
	evs    []*tracker.Event
	errs   []error
	fn     func(*tracker.Event) error
	decode func(uint64, []byte) (*tracker.Event, error)
}

const decodeBatch = 512

func (d *batchDecoder) add(k, v []byte) error {
	d.ids = append(d.ids, binary.BigEndian.Uint64(k))
	d.raw = append(d.raw, v)
	if len(d.raw) == decodeBatch {
		return d.flush()
	}
	return nil
}

func (d *batchDecoder) flush() error {
	n := len(d.raw)
	if n == 0 {
		return nil
	}
	d.evs = slices.Grow(d.evs[:0], n)[:n]
	d.errs = slices.Grow(d.errs[:0], n)[:n]
	tracker.OnCores(n, func(i int) {
		d.evs[i], d.errs[i] = d.decode(d.ids[i], d.raw[i])
	})
	d.ids, d.raw = d.ids[:0], d.raw[:0]
	for i := range n {
		if d.errs[i] != nil {
			return d.errs[i]
		}
		if err := d.fn(d.evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// ReserveEventIDs gives out n new event ids, from first on: PutEvent
// stores an event with one of them as a new event.
func (t *Tx) ReserveEventIDs(n int) (uint64, error) {
	b := t.tx.Bucket(bucketEvents)
	first := b.Sequence() + 1
	return first, b.SetSequence(b.Sequence() + uint64(n))
}

// finder looks for a needle in many short records of Chinese text by its
// rarest byte: bytes.Contains anchors on the first, and in UTF-8 Chinese
// the lead bytes of most characters are a handful of values (0xE4–0xE9),
// so it stops at nearly every character. An ASCII letter or digit, or a
// continuation byte, is far rarer. About 3 times faster over a million
// records of event_dates.
type finder struct {
	needle []byte
	at     int // the anchor's position in needle
}

func newFinder(needle []byte) finder {
	rank := func(b byte) int {
		switch {
		case b >= '0' && b <= '9', b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z':
			return 0
		case b < 0x80:
			return 1
		case b < 0xC0: // a continuation byte
			return 2
		}
		return 3
	}
	f := finder{needle: needle}
	for i, b := range needle {
		if rank(b) <= rank(needle[f.at]) {
			f.at = i
		}
	}
	return f
}

// in reports whether h holds the needle.
func (f finder) in(h []byte) bool {
	n := len(f.needle)
	if n == 0 {
		return true
	}
	c := f.needle[f.at]
	for off := f.at; off < len(h); {
		i := bytes.IndexByte(h[off:], c)
		if i < 0 {
			return false
		}
		p := off + i - f.at
		if p+n <= len(h) && bytes.Equal(h[p:p+n], f.needle) {
			return true
		}
		off += i + 1
	}
	return false
}
