package tracker

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// EventHash returns the hash that binds an event's stored state into the
// audit log: SHA-256, in hex, of the event's canonical encoding, the JSON
// that encoding/json writes for it as it reads back from that JSON. A
// store keeps an event so that it reads back as that JSON (boltstore, in a
// binary form that it checks for this when it writes one), so an event
// read back hashes to what it hashed to when written.
//
// Reading back changes one thing only: a string that is not valid UTF-8 is
// written with U+FFFD escaped (\ufffd) and reads back holding U+FFFD
// itself, which is written raw. Such an event is hashed as it reads back.
//
// Fields added to Event later must be omitempty or omitzero, so that
// events stored before them keep their encoding, and their hash.
func EventHash(e *Event) (string, error) {
	js, err := EventJSON(e)
	if err != nil {
		return "", err
	}
	return eventHashOf(js), nil
}

// eventHashOf is EventHash given EventJSON's bytes.
func eventHashOf(js []byte) string {
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:])
}

// EventJSON returns the canonical encoding of an event that EventHash
// hashes: encoding/json's, of the event as it reads back from JSON (a byte
// that is not UTF-8 is U+FFFD), which AppendEventJSON writes directly,
// many times faster. Every event stored is checked to read back as
// encoding/json writes it (boltstore's encodeEvent), and the tests hold
// AppendEventJSON to encoding/json field by field.
func EventJSON(e *Event) ([]byte, error) {
	return AppendEventJSON(nil, e), nil
}

// The audit content's key for the hash of an event as stored after the
// change the entry records ("state" is the event's status).
const contentEventHash = "event_sha256"

// baselined is one event of a baseline entry's content.
type baselined struct {
	Event uint64 `json:"event"`
	Hash  string `json:"event_sha256"`
}

// baselineContent is a baseline entry's content.
type baselineContent struct {
	Detail string      `json:"detail"`
	Events []baselined `json:"events"`
}

// AuditBaseline binds into the audit log the events written before audit
// entries carried an event's hash: it appends entries (action
// AuditBaseline, 建立基线) with the hash of every stored event whose
// latest audit entry carries none (an entry per thousand of them), and
// returns how many events it bound.
// When there is none it appends nothing, so running it again is harmless.
//
// The baseline vouches only for events gongkai wrote: an event no entry
// names (added outside gongkai), or one that differs from the hash its
// latest entry carries (changed outside gongkai), is left out and stays
// reported. It cannot tell whether an unbound event was changed outside
// gongkai before the baseline: it records each as it finds it.
//
// A migration calls it once, in the transaction that brings a database
// written by an older version to the schema whose entries carry hashes,
// after anything that rewrites stored events; o needs Tx, and Clock.By to
// name who upgraded (Clock.Now, when zero, is the machine's clock). An
// audit entry that cannot be read is an error (an *AuditProblem).
func (o *Ops) AuditBaseline() (int, error) {
	var b EventBinder
	if err := o.Tx.AuditEntries(func(_ uint64, a *AuditEntry) error {
		b.Entry(a)
		return nil
	}); err != nil {
		return 0, err
	}
	if err := b.Stored(o.Tx, nil); err != nil {
		return 0, err
	}
	ids := b.Result().Unbound
	if len(ids) == 0 {
		return 0, nil
	}
	// An entry per thousand events: a log read by people and verified
	// entry by entry keeps entries of a sensible size.
	for from := 0; from < len(ids); from += baselineChunk {
		part := ids[from:min(from+baselineChunk, len(ids))]
		c := baselineContent{
			Detail: fmt.Sprintf("为写于记录事件哈希之前的事件 %d 至 %d（%d 个）建立基线：记下其现有内容的哈希，自此与审计日志绑定",
				part[0], part[len(part)-1], len(part)),
			Events: make([]baselined, len(part)),
		}
		for i, id := range part {
			c.Events[i] = baselined{Event: id, Hash: b.unbound[id]}
		}
		if err := o.audit(AuditBaseline, subjectEvents, c); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// baselineChunk is how many events one baseline entry binds.
const baselineChunk = 1000

// EventBinder compares the events as stored with the audit log. Every
// change of an event appends an entry that carries the hash of the event
// as stored after it (EventHash); a baseline entry carries the hashes of
// events written before entries did. So every stored event must hash to
// what the latest entry naming it says, every event the log names must be
// stored, and every stored event must be named.
//
// Feed it every audit entry in storage order (Entry), then every stored
// event with the key it is stored under (Stored; or Event, or Found, one
// at a time),
// then read Result. An event stored under another event's key (moved or
// swapped) fails to match, since its id is part of what is hashed.
type EventBinder struct {
	latest map[uint64]binding // by event id: the latest entry naming it
	// unbound holds the hashes of the stored events whose latest entry
	// carries none, for a baseline.
	unbound map[uint64]string
	r       EventBinding
}

// binding is the latest audit entry naming an event. It holds no pointer,
// so that the collector does not walk a million of them.
type binding struct {
	seq    uint64
	hash   digest
	stored bool // an event is stored under the id
}

// digest is an event hash as a binding keeps it: its 32 bytes, when it is
// 64 lowercase hex digits as EventHash writes it.
type digest struct {
	sum  [32]byte
	kind uint8 // noHash, aHash, or notAHash: text that matches no event
}

const (
	noHash   = iota // the entry carries none: written before entries did
	aHash           // sum holds it
	notAHash        // the entry carries text that is no hash
)

// digestOf reads a hash as EventHash writes it; "" is noHash.
func digestOf[T string | []byte](h T) digest {
	switch {
	case len(h) == 0:
		return digest{}
	case len(h) != 2*sha256.Size:
		return digest{kind: notAHash}
	}
	d := digest{kind: aHash}
	for i := range d.sum {
		hi, lo := unhex(h[2*i]), unhex(h[2*i+1])
		if hi > 15 || lo > 15 {
			return digest{kind: notAHash}
		}
		d.sum[i] = hi<<4 | lo
	}
	return d
}

// unhex is a lowercase hex digit's value, 255 for another byte.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return 255
}

// EventBinding is what comparing the stored events with the audit log
// found. The lists hold event ids (the keys events are stored under), in
// ascending order, and are never nil.
type EventBinding struct {
	// Bound counts the events stored as their latest audit entry says.
	Bound int `json:"bound"`
	// Unbound are the events whose latest audit entry carries no hash
	// (未绑定): written before entries did, and bound by no baseline yet.
	// Their content cannot be checked; that is no sign of damage.
	Unbound []uint64 `json:"unbound"`
	// Mismatched are the events stored otherwise than their latest audit
	// entry says, or that cannot be read: changed, swapped or replaced
	// outside gongkai.
	Mismatched []uint64 `json:"mismatched"`
	// Unaudited are the stored events that no audit entry names: added
	// outside gongkai.
	Unaudited []uint64 `json:"unaudited"`
	// Missing are the events the audit log names that are not stored:
	// removed outside gongkai.
	Missing []uint64 `json:"missing"`
}

// Entry takes the next audit entry: an event's change, or a baseline, binds
// the events it names.
func (b *EventBinder) Entry(a *AuditEntry) { b.Bind(BindsOf(a)) }

// Bind takes the next audit entry by the events it binds (BindsOf, read
// where the entry was, on another core, say).
func (b *EventBinder) Bind(x Binds) {
	if x.single {
		b.bind(x.one.id, x.seq, x.one.hash)
	}
	for _, e := range x.many {
		b.bind(e.id, x.seq, e.hash)
	}
}

// Binds are the events an audit entry binds, with the hash it carries of
// each: an event's change binds that event, a baseline a thousand.
type Binds struct {
	seq    uint64
	single bool
	one    boundEvent
	many   []boundEvent
}

type boundEvent struct {
	id   uint64
	hash digest
}

// BindsOf reads the events an audit entry binds.
func BindsOf(a *AuditEntry) Binds {
	kind, n, _ := strings.Cut(a.Subject, " ")
	switch {
	case kind == subjectEvent:
		id, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return Binds{}
		}
		return Binds{seq: a.Seq, single: true, one: boundEvent{id, contentHash(a.Content)}}
	case a.Action == AuditBaseline && kind == subjectEvents:
		var c baselineContent
		_ = json.Unmarshal(a.Content, &c)
		x := Binds{seq: a.Seq, many: make([]boundEvent, len(c.Events))}
		for i, e := range c.Events {
			x.many[i] = boundEvent{e.Event, digestOf(e.Hash)}
		}
		return x
	}
	return Binds{}
}

// ReadEntry is an audit entry as read for a check, with what is worked
// out of it where it was read (on another core, say): its ComputeHash and
// the events it binds.
type ReadEntry struct {
	*AuditEntry // nil: it cannot be read
	Hash        string
	Binds       Binds
}

// ReadAuditEntry works out what a check needs of an audit entry (nil:
// one that cannot be read).
func ReadAuditEntry(a *AuditEntry) ReadEntry {
	if a == nil {
		return ReadEntry{}
	}
	return ReadEntry{AuditEntry: a, Hash: a.ComputeHash(), Binds: BindsOf(a)}
}

// hashKey starts the hash in an event entry's content as Tx.Audit stores
// it: compact JSON, in which the key's quotes cannot be part of a string.
var hashKey = []byte(`"` + contentEventHash + `":"`)

// contentHash returns the event hash an event entry's content carries,
// noHash for none. It looks for the key rather than decode the whole
// content: a log has an entry per change.
func contentHash(content []byte) digest {
	if i := bytes.Index(content, hashKey); i >= 0 {
		h := content[i+len(hashKey):]
		if len(h) > 2*sha256.Size && h[2*sha256.Size] == '"' {
			return digestOf(h[:2*sha256.Size])
		}
	}
	if !bytes.Contains(content, []byte("sha256")) && !bytes.Contains(content, []byte(`\u`)) {
		return digest{} // no such key, however spelled: entries written before hashes
	}
	var c struct {
		Hash string `json:"event_sha256"`
	}
	_ = json.Unmarshal(content, &c) // content that does not read binds to nothing
	return digestOf(c.Hash)
}

func (b *EventBinder) bind(id, seq uint64, hash digest) {
	if b.latest == nil {
		b.latest = map[uint64]binding{}
	}
	b.latest[id] = binding{seq: seq, hash: hash}
}

// Stored takes every event stored in tx, after every entry, hashing them
// a batch at a time on every core (by QuickEventHash; by EventHash when
// that does not match); each event (nil: unreadable) then goes to each,
// when not nil.
func (b *EventBinder) Stored(tx Tx, each func(*Event)) error {
	const batch = 512
	keys, evs, hashes := make([]uint64, 0, batch), make([]*Event, 0, batch), make([]string, batch)
	flush := func() {
		n := len(evs)
		OnCores(n, func(i int) {
			hashes[i] = ""
			if evs[i] != nil {
				hashes[i] = QuickEventHash(evs[i])
			}
		})
		for i, key := range keys {
			if each != nil {
				each(evs[i])
			}
			// Should QuickEventHash ever differ from EventHash on an
			// event, EventHash decides.
			e := evs[i]
			b.Found(key, StoredHash{Raw: hashes[i], Canonical: func() string { return hashOrNone(e) }})
		}
		keys, evs = keys[:0], evs[:0]
	}
	err := tx.StoredEvents(func(key uint64, e *Event) error {
		keys, evs = append(keys, key), append(evs, e)
		if len(evs) == batch {
			flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	return nil
}

// hashOrNone is e's hash, or "" when e is nil or cannot be encoded: such
// an event matches nothing.
func hashOrNone(e *Event) string {
	if e == nil {
		return ""
	}
	h, _ := EventHash(e)
	return h
}

// Event takes the event stored under key; e is nil when the stored value
// cannot be read. Call it once per key, after every entry.
func (b *EventBinder) Event(key uint64, e *Event) { b.hashed(key, hashOrNone(e)) }

// StoredHash is how an event read from a store hashes, for Found.
type StoredHash struct {
	// Raw is the hash the store found for the event as stored, which is
	// its EventHash when the store keeps events so: the SHA-256, in hex, of
	// an event's JSON as stored, or the EventHash of one kept in a form
	// that reads back as its canonical JSON (computed where it was read,
	// on another core, say).
	Raw string
	// Canonical computes the EventHash itself, for an event stored
	// otherwise (in JSON an earlier version encoded differently); nil when
	// the event cannot be read.
	Canonical func() string
}

// Found takes the event stored under key, as Event does, by its hashes as
// read from the store (on another core, say): the canonical one is
// computed only when the raw one is not what the latest entry naming the
// event says. Call it once per key, after every entry.
func (b *EventBinder) Found(key uint64, h StoredHash) {
	if bd, ok := b.latest[key]; ok && bd.hash.kind == aHash && bd.hash == digestOf(h.Raw) {
		b.hashed(key, h.Raw)
		return
	}
	canonical := ""
	if h.Canonical != nil {
		canonical = h.Canonical()
	}
	b.hashed(key, canonical)
}

// hashed takes the event stored under key by its hash, "" when it cannot
// be read.
func (b *EventBinder) hashed(key uint64, h string) {
	bd, audited := b.latest[key]
	switch {
	case h == "":
		b.r.Mismatched = append(b.r.Mismatched, key)
	case !audited:
		b.r.Unaudited = append(b.r.Unaudited, key)
	case bd.hash.kind == noHash:
		b.r.Unbound = append(b.r.Unbound, key)
		if b.unbound == nil {
			b.unbound = map[uint64]string{}
		}
		b.unbound[key] = h
	case bd.hash != digestOf(h):
		b.r.Mismatched = append(b.r.Mismatched, key)
	default:
		b.r.Bound++
	}
	if audited {
		bd.stored = true
		b.latest[key] = bd
	}
}

// Result returns what the entries and events fed so far show.
func (b *EventBinder) Result() EventBinding {
	r := EventBinding{Bound: b.r.Bound, Missing: []uint64{}}
	for _, id := range slices.Sorted(maps.Keys(b.latest)) {
		if !b.latest[id].stored {
			r.Missing = append(r.Missing, id)
		}
	}
	sorted := func(ids []uint64) []uint64 {
		out := slices.Clone(ids)
		if out == nil {
			out = []uint64{}
		}
		slices.Sort(out)
		return out
	}
	r.Unbound, r.Mismatched, r.Unaudited = sorted(b.r.Unbound), sorted(b.r.Mismatched), sorted(b.r.Unaudited)
	return r
}

// Damaged reports whether any event is stored otherwise than the audit
// log says: mismatched, unaudited or missing. Unbound events are not.
func (r *EventBinding) Damaged() bool {
	return len(r.Mismatched)+len(r.Unaudited)+len(r.Missing) > 0
}

// Damage returns an EDamaged error naming every event stored otherwise
// than the audit log says, or nil.
func (r *EventBinding) Damage() error {
	if !r.Damaged() {
		return nil
	}
	var parts []string
	if len(r.Mismatched) > 0 {
		parts = append(parts, fmt.Sprintf("事件 %s 的内容与审计日志最后所记不符或无法读取（被改动、调换或替换）", IDList(r.Mismatched)))
	}
	if len(r.Unaudited) > 0 {
		parts = append(parts, fmt.Sprintf("事件 %s 在审计日志中没有任何记录（被添加）", IDList(r.Unaudited)))
	}
	if len(r.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("事件 %s 在审计日志中有记录，数据库中却没有（被删除）", IDList(r.Missing)))
	}
	return FieldErrorf(EDamaged, FieldEvent, "事件记录与审计日志不符（在 gongkai 之外被改动过）：%s。请从备份恢复，并核查这些事件",
		strings.Join(parts, "；"))
}

// IDList names events for people: "3、5、8"; of a longer list, the
// first 20 and how many there are.
func IDList(ids []uint64) string {
	const most = 20
	s := make([]string, 0, min(len(ids), most))
	for _, id := range ids[:min(len(ids), most)] {
		s = append(s, strconv.FormatUint(id, 10))
	}
	out := strings.Join(s, "、")
	if len(ids) > most {
		out += fmt.Sprintf(" 等 %d 个", len(ids))
	}
	return out
}
