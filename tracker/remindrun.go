package tracker

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/calendar"
)

// Owner is someone who also hears about the matters under one 一级事项.
type Owner struct {
	Level1 string
	Emails []string
}

// RemindRequest is one reminder run.
type RemindRequest struct {
	Rules       ReminderRules
	Officers    []string
	Supervisors []string
	Owners      []Owner
	// Sections name the 股室 of each 一级事项, for the digests to say
	// who owns an event.
	Sections map[string][]string
	// NextYear, when not 0, is next year while its schedule is still
	// provisional (from 1 November): officers are told, at most once a
	// week for this alone.
	NextYear int
}

// ReminderPlan is what a reminder run queues and records, decided from one
// consistent read: one digest per recipient, and the reminder marks after
// the run. Rendering the digests happens outside any transaction; the
// plan is recorded in a short one (RecordReminders).
type ReminderPlan struct {
	Day     calendar.Date
	Digests []*Digest // one per recipient with something to say and nothing queued yet
	Keys    []string  // each digest's outbox key
	// Marks are the reminder marks of every event with a stage due, after
	// the run, in the order of the events read (by id).
	Marks    []EventMarks
	Failures []*Message // permanent delivery failures and delays the officers now hear of
	Stages   int
}

// EventMarks are an event's reminder marks.
type EventMarks struct {
	ID    uint64
	State ReminderState
}

// ReminderInputs is what a reminder run reads of the database: every open
// event with its reminder marks, the delivery failures not yet reported,
// and the provisional-year notices of the week already queued. It is read
// in a short transaction; planning and rendering happen after it.
type ReminderInputs struct {
	Events   []*Event
	States   []ReminderState // the marks of Events[i]
	Failures []*Message
	Noticed  map[string]bool // keys of notices already queued
	Office   string          // the catalogue's 公开主体
}

// GatherReminders reads the inputs of a reminder run on day.
func GatherReminders(tx Tx, day calendar.Date, r RemindRequest) (*ReminderInputs, error) {
	in := &ReminderInputs{Noticed: map[string]bool{}}
	if cat, err := tx.Catalog(); err != nil {
		return nil, err
	} else if cat != nil {
		in.Office = cat.Office()
	}
	err := tx.OpenEvents(func(e *Event) error {
		st, err := tx.ReminderState(e.ID)
		if err != nil {
			return err
		}
		in.Events = append(in.Events, e)
		in.States = append(in.States, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := tx.UnreportedFailures(func(m *Message) error {
		in.Failures = append(in.Failures, m)
		return nil
	}); err != nil {
		return nil, err
	}
	if r.NextYear != 0 {
		for _, to := range r.Officers {
			key := noticeKey(day, r.NextYear, to)
			m, err := tx.MessageByKey(key)
			if err != nil {
				return nil, err
			}
			in.Noticed[key] = m != nil
		}
	}
	return in, nil
}

// noticeKey is the outbox key of the provisional-year notice alone: once a
// week per officer.
func noticeKey(day calendar.Date, nextYear int, to string) string {
	year, week := day.Start().ISOWeek()
	return fmt.Sprintf("notice/provisional/%d/%d-W%02d/%s", nextYear, year, week, AddressOf(to))
}

// PlanReminders plans the reminders due on day from what a reminder run
// read: for every open event, the stage due per audience; one digest per
// recipient (officers get every officer stage, owners those of their 一级
// 事项, supervisors the escalations; a mailbox hears of an event once
// however the configuration writes it); permanent failures and the
// provisional-year notice for the officers. The marks it plans are
// recorded in in.States, whose maps become the plan's Marks: inputs are
// planned once.
func PlanReminders(in *ReminderInputs, cal Calendar, day calendar.Date, r RemindRequest) (*ReminderPlan, error) {
	if len(r.Officers) == 0 {
		return nil, FieldErrorf(EInvalid, FieldRecipients, "配置中没有 recipients.officers（政务公开专员的邮箱）：提醒无人接收，未作任何记录")
	}
	p := &ReminderPlan{Day: day, Failures: in.Failures}
	// The items of an event are next to each other, in the order of the
	// events: a mailbox's items come in that order too (see add).
	items := make([]DigestItem, 0, 2*len(in.Events))
	var pacer Pacer
	for i, e := range in.Events {
		pacer.Step()
		st := in.States[i]
		stages, err := PlanEvent(e, r.Rules, cal, day, st)
		if err != nil {
			return nil, err
		}
		if len(stages) == 0 {
			continue
		}
		left, _, err := cal.WorkdaysBetween(day, e.Deadline)
		if err != nil {
			return nil, err
		}
		for _, s := range stages {
			if s.Audience == ToSupervisors && len(r.Supervisors) == 0 {
				continue // nobody to escalate to: not recorded, so it goes out once someone is configured
			}
			it := DigestItem{Event: e, Stage: s, Left: abs(left), Overdue: day.After(e.Deadline), Sections: r.Sections[e.Level1()]}
			if s.Audience == ToSupervisors {
				it.Previous = st.LastEscalation(e.Deadline)
			}
			items = append(items, it)
			st.Record(s, e.Deadline, day)
		}
		p.Marks = append(p.Marks, EventMarks{e.ID, st})
	}
	p.Stages = len(items)

	// A mailbox is parsed out of each configured address once, not once
	// per event.
	mailboxes := map[string]string{}
	mailbox := func(to string) string {
		k, ok := mailboxes[to]
		if !ok {
			k = strings.ToLower(AddressOf(to))
			mailboxes[to] = k
		}
		return k
	}
	digests := map[string]*Digest{}
	var order []string
	// digest returns to's digest and mailbox; the recipient is aud, or
	// what they were found to be already, whichever comes first in
	// audiences.
	audiences := []Audience{ToOfficers, ToSupervisors, ToOwners}
	digest := func(to string, aud Audience) (*Digest, string) {
		k := mailbox(to)
		d, ok := digests[k]
		if !ok {
			d = &Digest{Day: day, To: to, Audience: aud, Office: in.Office}
			digests[k] = d
			order = append(order, k)
		} else if slices.Index(audiences, aud) < slices.Index(audiences, d.Audience) {
			d.Audience = aud
		}
		return d, k
	}
	// Every recipient is known for what they are before their items are.
	for _, to := range r.Officers {
		digest(to, ToOfficers)
	}
	for _, ow := range r.Owners {
		for _, to := range ow.Emails {
			digest(to, ToOwners)
		}
	}
	for _, to := range r.Supervisors {
		digest(to, ToSupervisors)
	}
	picks := map[string][]int32{} // mailbox → its items, by index
	add := func(to string, i int) {
		k := mailbox(to)
		if n := len(picks[k]); n > 0 && items[picks[k][n-1]].Event.ID == items[i].Event.ID {
			// Someone who is several recipients hears of an event once:
			// of its first item (an officer who is also an owner or a
			// supervisor, of the officers' stage, or of the escalation
			// when only that is due), except that a supervisor who is
			// also an owner hears of the escalation.
			if items[i].Stage.Audience == ToSupervisors && digests[k].Audience == ToSupervisors {
				picks[k][n-1] = int32(i)
			}
			return
		}
		picks[k] = append(picks[k], int32(i))
	}
	for i, it := range items {
		switch it.Stage.Audience {
		case ToOfficers:
			for _, to := range r.Officers {
				add(to, i)
			}
			for _, ow := range r.Owners {
				if ow.Level1 == it.Event.Level1() {
					for _, to := range ow.Emails {
						add(to, i)
					}
				}
			}
		case ToSupervisors:
			for _, to := range r.Supervisors {
				add(to, i)
			}
		}
	}
	for _, to := range r.Officers {
		d, _ := digest(to, ToOfficers)
		d.Failures = p.Failures
		d.NextYear = r.NextYear
	}
	rank := rankItems(items, &pacer)
	for _, k := range order {
		d := digests[k]
		pk := picks[k]
		slices.SortFunc(pk, func(a, b int32) int {
			pacer.Step()
			return cmp.Compare(rank[a], rank[b])
		})
		d.Items = make([]DigestItem, len(pk))
		for j, i := range pk {
			d.Items[j] = items[i]
		}
		key := DigestKey(d)
		if len(d.Items) == 0 && len(d.Failures) == 0 {
			if d.NextYear == 0 {
				continue
			}
			key = noticeKey(day, d.NextYear, d.To) // the notice alone: once a week
			if in.Noticed[key] {
				continue
			}
		}
		p.Digests = append(p.Digests, d)
		p.Keys = append(p.Keys, key)
	}
	return p, nil
}

// Message returns the message of the plan's digest i, given its content.
func (p *ReminderPlan) Message(i int, c Content, now time.Time) *Message {
	d := p.Digests[i]
	m := &Message{Key: p.Keys[i], MessageID: NewMessageID(p.Keys[i]), Kind: "digest", To: []string{d.To},
		Subject: c.Subject, Text: c.Text, HTML: c.HTML, Attachments: c.Attachments, State: Queued, Created: now}
	for _, it := range d.Items {
		m.Stages = append(m.Stages, it.Stage.Key)
	}
	return m
}

// MarkChunk is how many reminder marks a transaction of RecordMarks
// writes: a few milliseconds of a server's writers' time each.
var MarkChunk = 5000

// RecordRemindersFirst queues the plan's messages and records its
// reminder marks, in one transaction: a stage is never queued twice, and a
// message whose key is taken meanwhile is left out. It writes at most
// limit marks (0: all) and returns the others, for RecordMarks in later
// transactions (on a server, shared with the events staff log meanwhile),
// so that a run over a hundred thousand events does not hold every writer
// of a server for the time of one large commit. Until they
// are written, the events whose marks wait are planned again by another
// run: the same day, its digests are queued already (their keys are
// taken) and it only writes the marks; a later day (a crash in between),
// a stage of theirs may go out twice. Nothing is ever left unsent.
func (o *Ops) RecordRemindersFirst(p *ReminderPlan, msgs []*Message, limit int) ([]*Message, []EventMarks, error) {
	var queued []*Message
	for _, m := range msgs {
		if have, err := o.Tx.MessageByKey(m.Key); err != nil {
			return nil, nil, err
		} else if have != nil {
			continue
		}
		if err := o.Tx.PutMessage(m); err != nil {
			return nil, nil, err
		}
		queued = append(queued, m)
	}
	for _, f := range p.Failures {
		f.Reported = true
		if err := o.Tx.PutMessage(f); err != nil {
			return nil, nil, err
		}
	}
	// In key order, as the events were read: bbolt then walks its pages
	// once, forwards.
	marks := p.Marks
	byID := func(a, b EventMarks) int { return cmp.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(marks, byID) {
		marks = slices.SortedFunc(slices.Values(marks), byID)
	}
	var rest []EventMarks
	if limit > 0 && len(marks) > limit {
		marks, rest = marks[:limit], marks[limit:]
	}
	if err := o.RecordMarks(marks); err != nil {
		return nil, nil, err
	}
	if len(queued) == 0 && len(marks) == 0 {
		return nil, nil, nil
	}
	return queued, rest, o.audit(AuditRemind, subjectOutbox, map[string]any{"day": p.Day, "stages": p.Stages, "messages": len(queued), "failures_reported": len(p.Failures)})
}

// RecordMarks writes reminder marks, in event order.
func (o *Ops) RecordMarks(marks []EventMarks) error {
	for _, m := range marks {
		if err := o.Tx.PutReminderState(m.ID, m.State); err != nil {
			return err
		}
	}
	return nil
}

// rankItems returns each item's place in a digest, which lists the
// overdue first, longest overdue first, then the others by deadline: by
// deadline, as an item is overdue when its deadline is before the run's
// day; then by event (each event is in a digest once). Small keys are
// sorted, once for every digest, rather than each digest's large items;
// pacer paces the sort.
func rankItems(items []DigestItem, pacer *Pacer) []int32 {
	type key struct {
		deadline calendar.Date
		i        int32
		id       uint64
	}
	keys := make([]key, len(items))
	for i, it := range items {
		keys[i] = key{it.Event.Deadline, int32(i), it.Event.ID}
	}
	slices.SortFunc(keys, func(a, b key) int {
		pacer.Step()
		if c := a.deadline.Compare(b.deadline); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	rank := make([]int32, len(items))
	for r, k := range keys {
		rank[k.i] = int32(r)
	}
	return rank
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// AuditSince is a Tx that reads the audit entries written after the one
// numbered seq (boltstore's), without reading those before.
type AuditSince interface {
	AuditEntriesAfter(seq uint64, fn func(a *AuditEntry) error) error
}

// errChanged stops the reading of the entries at the first that changes
// the plan.
var errChanged = fmt.Errorf("changed")

// PlanCheck checks that a plan, made from a read that saw the audit log's
// first seq entries, still holds as the log grows: every change written
// since (each has its audit entry) is to an event outside the plan that
// has no reminder due on the day either — new events logged, say, while a
// server keeps busy. Anything else (a change to an event of the plan, or
// to one now due; another run; an import of the calendar or the
// catalogue; an account's, which may change who hears) does not hold, and
// nor does a Tx that cannot read the log from an entry on.
//
// Each entry is read once: Holds in a read transaction goes through what
// was written while the plan was made, and the write transaction that
// records the plan then has only the last few entries to read, keeping
// other writers waiting that much less.
type PlanCheck struct {
	cal    Calendar
	day    calendar.Date
	r      RemindRequest
	seq    uint64          // the entries read so far: the first seq
	inPlan map[uint64]bool // the events of the plan
	broken bool            // an entry read did not hold
}

// NewPlanCheck is a check of plan p read with the log's first seq entries.
func NewPlanCheck(seq uint64, p *ReminderPlan, cal Calendar, day calendar.Date, r RemindRequest) *PlanCheck {
	c := &PlanCheck{cal: cal, day: day, r: r, seq: seq, inPlan: make(map[uint64]bool, len(p.Marks))}
	for _, m := range p.Marks {
		c.inPlan[m.ID] = true
	}
	return c
}

// Holds reports whether the plan still holds in tx, reading the entries
// written after those read by an earlier call. Once it does not, it never
// does again.
func (c *PlanCheck) Holds(tx Tx) (bool, error) {
	since, ok := tx.(AuditSince)
	if c.broken || !ok {
		return false, nil
	}
	// An event is read once a call, after every entry of it in tx: one
	// changed again later has an entry of that change, read by a later call.
	checked := map[uint64]bool{}
	err := since.AuditEntriesAfter(c.seq, func(a *AuditEntry) error {
		c.seq = a.Seq
		if slices.Contains(LoginActions, a.Action) {
			return nil // who came in: nothing a reminder says
		}
		kind, n, _ := strings.Cut(a.Subject, " ")
		id, err := strconv.ParseUint(n, 10, 64)
		if kind != subjectEvent || err != nil || c.inPlan[id] {
			return errChanged
		}
		if checked[id] {
			return nil
		}
		checked[id] = true
		e, err := tx.Event(id)
		if err != nil {
			return err
		}
		if e.State != Open {
			return nil
		}
		st, err := tx.ReminderState(id)
		if err != nil {
			return err
		}
		stages, err := PlanEvent(e, c.r.Rules, c.cal, c.day, st)
		if err != nil {
			return err
		}
		if len(stages) > 0 {
			return errChanged
		}
		return nil
	})
	if err != nil {
		c.broken = true
	}
	if errors.Is(err, errChanged) {
		return false, nil
	}
	return err == nil, err
}
