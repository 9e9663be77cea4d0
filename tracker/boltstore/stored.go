package boltstore

import (
	"encoding/binary"

	"gongkai/tracker"
)

// StoredEvents calls fn for every event with the key it is stored under,
// in key order; e is nil when the value cannot be read. Like Events, it
// decodes a batch at a time on every core. A key that is not an id (8
// bytes) is damage: an EDamaged error.
func (t *Tx) StoredEvents(fn func(key uint64, e *tracker.Event) error) error {
	events := t.tx.Bucket(bucketEvents)
	if events == nil {
		return nil
	}
	var (
		keys []uint64
		raw  [][]byte // valid for the transaction, which outlives a batch
		evs  []*tracker.Event
	)
	flush := func() error {
		n := len(raw)
		evs = append(evs[:0], make([]*tracker.Event, n)...)
		tracker.OnCores(n, func(i int) {
			evs[i], _ = decodeEvent(keys[i], raw[i]) // unreadable: nil
		})
		for i, e := range evs {
			if err := fn(keys[i], e); err != nil {
				return err
			}
		}
		keys, raw = keys[:0], raw[:0]
		return nil
	}
	err := events.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return tracker.FieldErrorf(tracker.EDamaged, tracker.FieldEvent, "事件记录中有一个键（%x）不是事件编号：记录在 gongkai 之外被改动", k)
		}
		keys, raw = append(keys, binary.BigEndian.Uint64(k)), append(raw, v)
		if len(raw) == decodeBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
