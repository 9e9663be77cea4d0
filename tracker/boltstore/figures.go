package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

var _ tracker.EventFigures = (*Tx)(nil)

// event_figures counts the events by state, deadline and 一级事项: the
// figures of the dashboard's overview, kept as events change (in the
// transaction that changes them) so that the overview reads a few
// thousand counts rather than a million events. A key is the state's
// code (1 byte), the deadline (4 bytes, as dateKey's) and the 一级事项;
// its value the count (8 bytes). A count that falls to zero is deleted.

var stateCodes = map[tracker.Status]byte{tracker.Open: 1, tracker.Done: 2, tracker.DoneLate: 3, tracker.Waived: 4, tracker.Cancelled: 5}

func figureKey(st tracker.Status, deadline calendar.Date, level1 string) ([]byte, error) {
	code, ok := stateCodes[st]
	if !ok {
		return nil, fmt.Errorf("state %q has no code in event_figures", st)
	}
	k := make([]byte, 0, 5+len(level1))
	k = append(k, code)
	k = append(k, dateKey(deadline, 0)[:4]...)
	return append(k, level1...), nil
}

// addFigure adds n (±1) to a count. A record of event_dates older than
// its state (before migration 13, which rewrote them all) counts in no
// cell.
func addFigure(b *bolt.Bucket, st tracker.Status, deadline calendar.Date, level1 string, n int64) error {
	k, err := figureKey(st, deadline, level1)
	if err != nil {
		return nil
	}
	have := int64(0)
	if v := b.Get(k); len(v) == 8 {
		have = int64(binary.BigEndian.Uint64(v))
	}
	have += n
	if have <= 0 {
		return b.Delete(k)
	}
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(have))
	return b.Put(k, v[:])
}

// parseFigureKey reads a key of event_figures.
func parseFigureKey(k []byte) (tracker.Status, calendar.Date, string, bool) {
	if len(k) < 5 || !utf8.Valid(k[5:]) {
		return "", calendar.Date{}, "", false
	}
	for st, code := range stateCodes {
		if code == k[0] {
			d, _, ok := parseDateKey(append(slices.Clone(k[1:5]), make([]byte, 8)...))
			return st, d, string(k[5:]), ok
		}
	}
	return "", calendar.Date{}, "", false
}

// keyDate reads the 4 bytes of a date key.
func keyDate(k []byte) calendar.Date {
	n := binary.BigEndian.Uint32(k)
	return calendar.DateOf(int(n/10000), time.Month(n/100%100), int(n%100))
}

// EventCounts calls fn for every count of the events in state st whose
// deadline is in [from, to], by deadline (tracker.EventFigures).
func (t *Tx) EventCounts(st tracker.Status, from, to calendar.Date, fn func(deadline calendar.Date, level1 string, n int) error) error {
	b := t.tx.Bucket(bucketFigures)
	if b == nil {
		return nil
	}
	code, ok := stateCodes[st]
	if !ok {
		return nil // overdue is open: asked for as open
	}
	start := append([]byte{code}, dateKey(from, 0)[:4]...)
	end := append([]byte{code}, dateKey(to, 0)[:4]...)
	c := b.Cursor()
	for k, v := c.Seek(start); k != nil && len(k) >= 5 && bytes.Compare(k[:5], end) <= 0; k, v = c.Next() {
		if len(v) != 8 {
			return damaged(tracker.FieldEvent, "事件统计", 0, fmt.Errorf("count of %d bytes", len(v)))
		}
		if err := fn(keyDate(k[1:5]), string(k[5:]), int(binary.BigEndian.Uint64(v))); err != nil {
			return err
		}
	}
	return nil
}

// OpenEventsDue calls fn for every event open now whose deadline is in
// [from, to], by deadline then id, as open_events keeps it (without its
// history) (tracker.EventFigures).
func (t *Tx) OpenEventsDue(from, to calendar.Date, fn func(*tracker.Event) error) error {
	open := t.tx.Bucket(bucketOpen)
	if open == nil {
		return nil
	}
	return t.eachDated(bucketByDue, from, to, func(k []byte) error {
		v := open.Get(k)
		if v == nil {
			return nil // closed
		}
		id := binary.BigEndian.Uint64(k)
		if len(v) == 0 { // indexed before copies were kept
			e, err := t.Event(id)
			if err != nil {
				return err
			}
			return fn(e)
		}
		e, err := decodeEvent(id, v)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

// buildFigures counts the events of event_dates into event_figures, anew.
func buildFigures(tx *bolt.Tx) error {
	b, err := renew(tx, bucketFigures)
	if err != nil {
		return err
	}
	type cell struct {
		st       tracker.Status
		deadline calendar.Date
		level1   string
	}
	counts := map[cell]int64{}
	if err := tx.Bucket(bucketDates).ForEach(func(k, v []byte) error {
		var d eventDates
		if err := decodeDates(v, &d); err != nil {
			return damaged(tracker.FieldEvent, "事件的日期记录", binary.BigEndian.Uint64(k), err)
		}
		counts[cell{d.State, d.Deadline, d.Level1}]++
		return nil
	}); err != nil {
		return err
	}
	type kv struct{ k, v []byte }
	var rows []kv
	for c, n := range counts {
		k, err := figureKey(c.st, c.deadline, c.level1)
		if err != nil {
			continue // no state: counts in no cell (addFigure)
		}
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], uint64(n))
		rows = append(rows, kv{k, v[:]})
	}
	slices.SortFunc(rows, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	for _, r := range rows {
		if err := b.Put(r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}
