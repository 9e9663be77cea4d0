package boltstore

import (
	"encoding/binary"
	"hash/maphash"
	"slices"

	"gongkai/calendar"
	"gongkai/tracker"
)

// datesSeen is what Check remembers of event_dates, the events and the
// date indexes, to compare them as it reads them rather than look each
// record up in the others (a million random lookups): by event id, as
// ids run from 1 to the events' sequence.
//
// The buckets are read in the order of their names: event_dates, events,
// events_by_closed, events_by_deadline. Each record of event_dates is kept
// here; each event read marks its id; each key of a date index found
// right marks its id in that index. When an index has been read, every
// record of event_dates whose key it lacks is reported.
type datesSeen struct {
	byID     []keptDates     // zero Deadline: no record
	unreadID map[uint64]bool // records that could not be decoded
	complete bool            // event_dates was read whole
	events   []uint64        // bitset: an event is stored under the id
	eventsOK bool            // events was read whole
	byDue    []uint64        // bitset: events_by_deadline holds the id's key
	byClosed []uint64        // bitset: events_by_closed holds it
}

// maxSeen bounds the ids remembered (8 bytes and 3 bits each); a file
// with more events is checked by lookups.
const maxSeen = 50_000_000

// seeDates keeps an event_dates record; false when it is not kept (the
// caller looks its index keys up).
func (c *checker) seeDates(id uint64, d *eventDates) bool {
	if c.seen == nil {
		b := c.tx.Bucket(bucketEvents)
		if b == nil || b.Sequence() >= maxSeen {
			return false
		}
		n := b.Sequence() + 1
		c.seen = &datesSeen{byID: make([]keptDates, n), events: bitset(n), byDue: bitset(n), byClosed: bitset(n)}
	}
	if id == 0 || id >= uint64(len(c.seen.byID)) || d.Deadline.IsZero() {
		return false
	}
	c.seen.byID[id] = keep(d)
	return true
}

// keep is what check keeps of a record of event_dates.
func keep(d *eventDates) keptDates {
	return keptDates{d.Deadline, d.ClosedOn, rateHash(d.State, d.Date, d.Level1, d.Text)}
}

// keptDates is what check keeps of a record of event_dates: its dates, and
// the hash of what the on-time rate reads (a million records' strings
// would weigh on the collector).
type keptDates struct {
	Deadline, ClosedOn calendar.Date
	rate               uint64
}

// rateSeed seeds rateHash, for one process.
var rateSeed = maphash.MakeSeed()

// rateHash hashes what the on-time rate reads of an event.
func rateHash(state tracker.Status, date calendar.Date, level1, text string) uint64 {
	var h maphash.Hash
	h.SetSeed(rateSeed)
	h.WriteString(string(state))
	h.WriteByte(0)
	h.WriteString(date.String())
	h.WriteByte(0)
	h.WriteString(level1)
	h.WriteByte(0)
	h.WriteString(text)
	return h.Sum64()
}

func bitset(n uint64) []uint64 { return make([]uint64, (n+63)/64) }

func set(b []uint64, id uint64)      { b[id/64] |= 1 << (id % 64) }
func has(b []uint64, id uint64) bool { return b[id/64]&(1<<(id%64)) != 0 }

// unread notes an event_dates record that cannot be decoded.
func (s *datesSeen) unread(k []byte) {
	if s == nil || len(k) != 8 {
		return
	}
	if s.unreadID == nil {
		s.unreadID = map[uint64]bool{}
	}
	s.unreadID[binary.BigEndian.Uint64(k)] = true
}

// datesRead ends the reading of event_dates: what was kept stands for the
// bucket only when all of it was read.
func (c *checker) datesRead() {
	c.figuresOK = !c.broken && !c.figuresLost
	if c.figures == nil {
		c.figures = map[string]int64{}
	}
	if c.seen == nil {
		return
	}
	if c.broken {
		c.seen = nil
		return
	}
	c.seen.complete = true
}

// dates answers for event_dates: ok false when it cannot (the caller
// looks the record up).
func (s *datesSeen) dates(k []byte) (*keptDates, presence, bool) {
	if s == nil || !s.complete || len(k) != 8 {
		return nil, absent, false
	}
	id := binary.BigEndian.Uint64(k)
	switch {
	case id == 0 || id >= uint64(len(s.byID)):
		return nil, absent, false
	case s.unreadID[id]:
		return nil, unknown, true
	case s.byID[id].Deadline.IsZero():
		return nil, absent, true
	}
	kept := s.byID[id]
	return &kept, present, true
}

// event notes an event read.
func (s *datesSeen) event(id uint64) {
	if s != nil && s.complete && id < uint64(len(s.byID)) {
		set(s.events, id)
	}
}

func (c *checker) eventsRead() {
	if c.seen != nil {
		c.seen.eventsOK = !c.broken
	}
}

// stored answers whether an event is stored under id: ok false when it
// cannot.
func (s *datesSeen) stored(id uint64) (stored, ok bool) {
	if s == nil || !s.complete || !s.eventsOK || id >= uint64(len(s.byID)) {
		return false, false
	}
	return has(s.events, id), true
}

// indexed notes a key of a date index found right.
func (s *datesSeen) indexed(bucket string, id uint64) {
	if s == nil || !s.complete || id >= uint64(len(s.byID)) {
		return
	}
	if bucket == string(bucketByDue) {
		set(s.byDue, id)
	} else {
		set(s.byClosed, id)
	}
}

// dateIndexRead ends the reading of a date index: every kept record of
// event_dates whose key it lacks is reported (unless the index could not
// be read whole: that is reported already).
func (c *checker) dateIndexRead() {
	if c.seen == nil || !c.seen.complete || c.broken {
		return
	}
	c.unindexed(c.bucket)
}

// unindexed reports the records of event_dates whose key the date index
// lacks.
func (c *checker) unindexed(bucket string) {
	due := bucket == string(bucketByDue)
	bits, what := c.seen.byClosed, "办结日"
	if due {
		bits, what = c.seen.byDue, "期限"
	}
	for id, d := range c.seen.byID {
		day := d.ClosedOn
		if due {
			day = d.Deadline
		}
		if day.IsZero() || has(bits, uint64(id)) {
			continue
		}
		c.r.add(string(bucketDates), showKey(keyID, idKey(uint64(id))), "%s 中没有事件 %d 的%s %s", bucket, id, what, day)
	}
}

// dateIndexesMissing reports a date index that is not in the file at all
// when event_dates has records it should hold.
func (c *checker) dateIndexesMissing() {
	if c.seen == nil || !c.seen.complete || c.indexesDue {
		return
	}
	for _, b := range [][]byte{bucketByDue, bucketByClosed} {
		if c.tx.Bucket(b) != nil {
			continue
		}
		due := string(b) == string(bucketByDue)
		for _, d := range c.seen.byID {
			day := d.ClosedOn
			if due {
				day = d.Deadline
			}
			if !day.IsZero() {
				c.lookup(b, nil) // reports the bucket missing
				break
			}
		}
	}
}

// verifyFigure keeps a count of event_figures, compared with
// event_dates once every bucket has been read (compareFigures).
func (c *checker) verifyFigure(k []byte, x any) {
	if !c.figuresOK {
		return
	}
	if c.figuresHave == nil {
		c.figuresHave = map[string]int64{}
	}
	c.figuresHave[string(k)] = x.(int64)
}

// figuresRead notes that event_figures was read whole.
func (c *checker) figuresRead() { c.figuresWhole = !c.broken }

// compareFigures reports the counts of event_figures that event_dates
// does not bear out. When the events or their dates are damaged
// themselves (reported already), the counts are not judged: they could
// not be right.
func (c *checker) compareFigures() {
	if !c.figuresOK || !c.figuresWhole || c.indexesDue {
		return
	}
	for _, p := range c.r.Problems {
		switch p.Bucket {
		case string(bucketEvents), string(bucketDates), string(bucketByDue), string(bucketByClosed):
			return
		}
	}
	keys := make([]string, 0, len(c.figures)+len(c.figuresHave))
	for k := range c.figures {
		keys = append(keys, k)
	}
	for k := range c.figuresHave {
		if _, ok := c.figures[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		want, have := c.figures[k], c.figuresHave[k]
		if want == have {
			continue
		}
		st, d, level1, ok := parseFigureKey([]byte(k))
		if !ok {
			c.r.add(string(bucketFigures), showKey(keyFigure, []byte(k)), "键无法读取")
			continue
		}
		c.r.add(string(bucketFigures), showKey(keyFigure, []byte(k)), "“%s”期限为 %s、%s的事件计为 %d 个，event_dates 中实有 %d 个", level1, d, st.Name(), have, want)
	}
}
