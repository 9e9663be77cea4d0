package tracker

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gongkai/calendar"
)

// Ops runs gongkai's operations inside one transaction: each checks its
// input, changes the events, and appends to the audit log, so that a
// failure anywhere writes nothing.
type Ops struct {
	Tx    Tx
	Cal   Calendar
	Clock Clock
	// RealNow reads the machine's clock (time.Now when nil) for the audit
	// log and, when Clock.Real is not set, for the records that keep it
	// beside a simulated time (GONGKAI_NOW in tests and replays).
	RealNow func() time.Time
	// LateAfter is the working days after which a logging is late.
	LateAfter int
}

// realNow reads the machine's clock.
func (o *Ops) realNow() time.Time {
	if o.RealNow != nil {
		return o.RealNow()
	}
	return time.Now()
}

// clock is the operation's clock for the records of a change: Clock,
// with the machine's time read now unless Clock.Real says it.
func (o *Ops) clock() Clock {
	c := o.Clock
	if c.Real.IsZero() {
		c.Real = o.realNow()
	}
	return c
}

func (o *Ops) audit(action, subject string, content any) error {
	canonical := false
	b, ok := content.(json.RawMessage) // written as JSON already; the store makes it canonical
	if c, isCanon := content.(canonicalJSON); isCanon {
		b, ok, canonical = json.RawMessage(c), true, true
	}
	if !ok {
		var err error
		if b, err = json.Marshal(content); err != nil {
			return err
		}
	}
	real := o.realNow()
	at := o.Clock.Now
	if at.IsZero() {
		at = real // an operation given no clock runs on the machine's
	}
	return o.Tx.Audit(&AuditEntry{
		At:        at.UTC(),
		Clock:     real.UTC(),
		Actor:     o.Clock.By,
		Action:    action,
		Subject:   subject,
		Content:   b,
		Canonical: canonical,
	})
}

// canonicalJSON is an audit entry's content written as encoding/json
// writes it (eventAuditContent's): the store need not rewrite it.
type canonicalJSON []byte

// Init loads the catalogue into a database that has none; it reports
// whether it did. Running it again changes nothing.
func (o *Ops) Init(c *Catalog) (bool, error) {
	have, err := o.Tx.Catalog()
	if err != nil || have != nil {
		return false, err
	}
	if err := o.Tx.PutCatalog(c); err != nil {
		return false, err
	}
	return true, o.audit(AuditInit, subjectCatalog, map[string]any{"name": c.Name, "version": c.Version, "matters": len(c.Matters)})
}

// ImportCatalog replaces the catalogue in force. Events keep the matter
// details they were logged with.
func (o *Ops) ImportCatalog(c *Catalog, file string) error {
	if err := o.Tx.PutCatalog(c); err != nil {
		return err
	}
	return o.audit(AuditCatalogImport, subjectCatalog, map[string]any{"name": c.Name, "version": c.Version, "matters": len(c.Matters), "file": file})
}

// catalog returns the catalogue in force.
func (o *Ops) catalog() (*Catalog, error) {
	c, err := o.Tx.Catalog()
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, FieldErrorf(ENotFound, FieldCatalog, "数据库中还没有公开目录：请先初始化数据库")
	}
	return c, nil
}

// findMatter finds a matter of the catalogue in force.
func (o *Ops) findMatter(query string) (*Matter, error) {
	c, err := o.catalog()
	if err != nil {
		return nil, err
	}
	return FindMatter(c, query)
}

// FindMatter finds a matter by its 序号 or by a fragment of its name. An
// ambiguous fragment is an error listing the candidates.
func FindMatter(c *Catalog, query string) (*Matter, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, Invalid(FieldMatter, "事项未给出：请给出事项的序号或名称中的文字")
	}
	if n, err := strconv.Atoi(Narrow(q)); err == nil {
		for i := range c.Matters {
			if c.Matters[i].Seq == n {
				return &c.Matters[i], nil
			}
		}
		return nil, FieldErrorf(ENotFound, FieldMatter, "事项 %d 不在目录《%s》中（目录共 %d 项）", n, c.Name, len(c.Matters))
	}
	var found []*Matter
	norm := normalize(q)
	for i := range c.Matters {
		m := &c.Matters[i]
		if strings.Contains(normalize(m.Level1+m.Level2+m.Level3), norm) {
			found = append(found, m)
		}
	}
	// A name that is exactly one matter's most specific level wins over
	// matters that merely contain it.
	if len(found) > 1 {
		var exact []*Matter
		for _, m := range found {
			if normalize(m.ShortName()) == norm {
				exact = append(exact, m)
			}
		}
		if len(exact) == 1 {
			return exact[0], nil
		}
	}
	switch len(found) {
	case 0:
		return nil, FieldErrorf(ENotFound, FieldMatter, "事项“%s”不在目录中：没有名称含这些文字的事项", q)
	case 1:
		return found[0], nil
	}
	var lines []string
	for i, m := range found {
		if i == 10 {
			lines = append(lines, fmt.Sprintf("  ……另有 %d 项", len(found)-10))
			break
		}
		lines = append(lines, fmt.Sprintf("  %d  %s", m.Seq, m.Name()))
	}
	return nil, Invalid(FieldMatter, "事项“%s”对应 %d 个事项，请改用序号或更具体的名称：\n%s", q, len(found), strings.Join(lines, "\n"))
}

var spaceRE = regexp.MustCompile(`\s+`)

func normalize(s string) string { return spaceRE.ReplaceAllString(s, "") }

// Log records an event and returns it with its id.
func (o *Ops) Log(matter string, r LogRequest) (*Event, error) {
	m, err := o.findMatter(matter)
	if err != nil {
		return nil, err
	}
	r.Matter = m
	r.LateAfter = o.LateAfter
	e, err := NewEvent(r, o.Cal, o.clock())
	if err != nil {
		return nil, err
	}
	if err := o.Tx.PutEvent(e); err != nil {
		return nil, err
	}
	return e, o.auditEvent(e)
}

// auditEvent records an event's latest change in the audit log, with the
// hash of the event as stored (EventHash): call it after storing e.
func (o *Ops) auditEvent(e *Event) error {
	return o.auditChange(e, e.History[len(e.History)-1])
}

// PutImported stores an event ImportEvent made (and Disclose completed),
// with one audit entry: its import, and what it is now.
func (o *Ops) PutImported(e *Event) error {
	stored := false
	if e.ID == 0 {
		if r, ok := o.Tx.(IDReserver); ok {
			id, err := r.ReserveEventIDs(1)
			if err != nil {
				return err
			}
			e.ID = id
		} else if err := o.Tx.PutEvent(e); err != nil { // it gives the id
			return err
		} else {
			stored = true
		}
	}
	p, err := PrepareImported(e, nil)
	if err != nil {
		return err
	}
	if stored {
		return o.audit(ActImported, subject(subjectEvent, e.ID), json.RawMessage(p.content))
	}
	return o.PutPrepared(p)
}

// Prepared is an imported event ready to store: its id given, its audit
// entry's content written (and with it the event's hash). Preparing is
// most of the work of storing, and touches no transaction: an import
// prepares the next events while the transaction's writer stores these.
type Prepared struct {
	Event   *Event
	content []byte
	encoded []byte // by an Encoder, when there is one
}

// PrepareImported prepares e, whose id is given (IDReserver), to store;
// enc, when not nil, encodes it too.
func PrepareImported(e *Event, enc Encoder) (*Prepared, error) {
	if e.ID == 0 {
		return nil, fmt.Errorf("an imported event is prepared once it has its id")
	}
	c := e.History[0]
	c.Detail += "；状态 " + e.State.Name()
	if len(e.Disclosures) > 0 {
		var parts []string
		for _, d := range e.Disclosures {
			parts = append(parts, d.Channel.Name()+" "+d.Date.String())
		}
		c.Detail += "（已公开：" + strings.Join(parts, "、") + "）"
	}
	js, err := EventJSON(e)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Event: e, content: eventAuditContent(e, c, eventHashOf(js))}
	if enc != nil {
		if p.encoded, err = enc.EncodeEvent(e, js); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// PutPrepared stores a prepared event and its audit entry.
func (o *Ops) PutPrepared(p *Prepared) error {
	var err error
	if enc, ok := o.Tx.(Encoder); ok && p.encoded != nil {
		err = enc.PutEncodedEvent(p.Event, p.encoded)
	} else {
		err = o.Tx.PutEvent(p.Event)
	}
	if err != nil {
		return err
	}
	return o.audit(ActImported, subject(subjectEvent, p.Event.ID), canonicalJSON(p.content))
}

// auditChange records change last of event e in the audit log, with the
// hash of the event as stored.
func (o *Ops) auditChange(e *Event, last Change) error {
	h, err := EventHash(e)
	if err != nil {
		return err
	}
	return o.audit(last.Action, subject(subjectEvent, e.ID), canonicalJSON(eventAuditContent(e, last, h)))
}

// eventAuditContent is the content of an event's audit entry, as
// encoding/json writes the map of its fields (keys in order), written
// directly: an import writes a million of them.
func eventAuditContent(e *Event, last Change, hash string) []byte {
	b := make([]byte, 0, 256+len(e.Summary)+len(last.Detail))
	b = append(b, `{"date":`...)
	b = appendJSONDate(b, e.Date)
	b = append(b, `,"deadline":`...)
	b = appendJSONDate(b, e.Deadline)
	b = append(b, `,"detail":`...)
	b = appendJSONString(b, last.Detail)
	b = append(b, `,"event":`...)
	b = strconv.AppendUint(b, e.ID, 10)
	b = append(b, `,"`+contentEventHash+`":`...)
	b = appendJSONString(b, hash)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(e.Kind))
	b = append(b, `,"matter":`...)
	b = strconv.AppendInt(b, int64(e.Matter), 10)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, last.Reason)
	b = append(b, `,"ref":`...)
	b = appendJSONString(b, e.Ref)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(e.State))
	b = append(b, `,"summary":`...)
	b = appendJSONString(b, e.Summary)
	return append(b, '}')
}

// change loads an event, applies fn, stores it and audits it.
func (o *Ops) change(id uint64, fn func(*Event) error) (*Event, error) {
	e, err := o.Tx.Event(id)
	if err != nil {
		return nil, err
	}
	if err := fn(e); err != nil {
		return nil, err
	}
	if err := o.Tx.PutEvent(e); err != nil {
		return nil, err
	}
	return e, o.auditEvent(e)
}

// Disclose records disclosures of event id; with all, on every channel still
// pending.
func (o *Ops) Disclose(id uint64, channels []Channel, all bool, date calendar.Date, url, note string) (*Event, error) {
	return o.change(id, func(e *Event) error {
		chs := channels
		if e.State.Closed() {
			return e.refuseClosed("登记公开")
		}
		if all {
			chs = e.Pending()
			if len(chs) == 0 {
				return Invalid(FieldChannels, "事件 %d 的各渠道都已登记公开", e.ID)
			}
		}
		return e.Disclose(chs, date, url, note, o.clock())
	})
}

// Waive closes event id without disclosure.
func (o *Ops) Waive(id uint64, reason string) (*Event, error) {
	return o.change(id, func(e *Event) error { return e.Waive(reason, o.clock()) })
}

// Retract voids the disclosures of event id on channel c.
func (o *Ops) Retract(id uint64, c Channel, reason string) (*Event, error) {
	return o.change(id, func(e *Event) error { return e.Retract(c, reason, o.clock()) })
}

// Cancel voids event id, logged by mistake (作废).
func (o *Ops) Cancel(id uint64, reason string) (*Event, error) {
	return o.change(id, func(e *Event) error { return e.Cancel(reason, o.clock()) })
}

// Restore undoes the cancellation of event id.
func (o *Ops) Restore(id uint64, reason string) (*Event, error) {
	return o.change(id, func(e *Event) error { return e.Restore(reason, o.clock()) })
}

// Reopen reopens a closed event.
func (o *Ops) Reopen(id uint64, reason string) (*Event, error) {
	return o.change(id, func(e *Event) error { return e.Reopen(reason, o.clock()) })
}

// Amend corrects event id; matter, when not "", names a new matter.
func (o *Ops) Amend(id uint64, matter string, a Amendment) (*Event, error) {
	if matter != "" {
		m, err := o.findMatter(matter)
		if err != nil {
			return nil, err
		}
		a.Matter = m
	}
	a.LateAfter = o.LateAfter
	return o.change(id, func(e *Event) error { return e.Amend(a, o.Cal, o.clock()) })
}

// Recomputed is an event whose deadline a calendar change moved.
type Recomputed struct {
	Event  *Event
	Before calendar.Date
}

// RecomputeAll recomputes, on the calendar cal (after an import), the
// deadline of every event whose counting passes a day in [from, to] — the
// days the import may have changed — whatever its state; it records each
// change on its event and in the audit log, and returns them.
func (o *Ops) RecomputeAll(cal Calendar, from, to calendar.Date, why string) ([]Recomputed, error) {
	var changed []*Event
	var before []calendar.Date
	clk := o.clock()
	err := o.Tx.Events(func(e *Event) error {
		if e.Deadline.Before(from) || e.Date.After(to) {
			return nil // the days it counted are untouched
		}
		old := e.Deadline
		ok, err := e.Recompute(cal, clk, why)
		if err != nil {
			return err
		}
		if ok {
			changed = append(changed, e)
			before = append(before, old)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Recomputed, len(changed))
	for i, e := range changed {
		if err := o.Tx.PutEvent(e); err != nil {
			return nil, err
		}
		if err := o.auditEvent(e); err != nil {
			return nil, err
		}
		out[i] = Recomputed{Event: e, Before: before[i]}
	}
	return out, nil
}

// AuditCalendarImport records a calendar import in the audit log.
func (o *Ops) AuditCalendarImport(s calendar.Schedule, changedDays int) error {
	return o.audit(AuditCalendarImport, subject(subjectCalendar, uint64(s.Year)), map[string]any{
		"year": s.Year, "file": s.File, "sha256": s.Digest, "days": len(s.Days), "changed_days": changedDays,
	})
}

// AuditBackup records that a copy of the whole database was written to
// to (a file, or a download).
func (o *Ops) AuditBackup(to string) error {
	return o.audit(AuditBackup, subjectDatabase, map[string]any{"file": to})
}
