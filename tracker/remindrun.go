package tracker

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	// NextYear, when not 0, is next year while its schedule is still
	// provisional (from 1 November): officers are told, at most once a
	// week for this alone.
	NextYear int
	Render   Renderer
}

// RemindRun plans the reminders due today, renders one digest per
// recipient, and queues them in the outbox in the same transaction that
// records the stages as done, so that a stage is never queued twice. It
// returns the queued messages; sending is the outbox's business.
func (o *Ops) RemindRun(r RemindRequest) ([]*Message, error) {
	if len(r.Officers) == 0 {
		return nil, FieldErrorf(EInvalid, FieldRecipients, "配置中没有 recipients.officers（政务公开专员的邮箱）：提醒无人接收，未作任何记录")
	}
	today := o.Clock.Today
	var items []DigestItem
	states := map[uint64]ReminderState{}
	err := o.Tx.OpenEvents(func(e *Event) error {
		st, err := o.Tx.ReminderState(e.ID)
		if err != nil {
			return err
		}
		stages, err := PlanEvent(e, r.Rules, o.Cal, today, st)
		if err != nil || len(stages) == 0 {
			return err
		}
		left, _, err := o.Cal.WorkdaysBetween(today, e.Deadline)
		if err != nil {
			return err
		}
		for _, s := range stages {
			if s.Audience == ToSupervisors && len(r.Supervisors) == 0 {
				continue // nobody to escalate to: not recorded, so it goes out once someone is configured
			}
			items = append(items, DigestItem{Event: e, Stage: s, Left: abs(left), Overdue: today.After(e.Deadline)})
			st.Record(s, e.Deadline)
		}
		states[e.ID] = st
		return nil
	})
	if err != nil {
		return nil, err
	}

	// One digest per recipient: officers get every officer item; owners
	// those of their 一级事项; supervisors the escalations.
	// A mailbox is one recipient however the configuration writes it
	// (专员 <A@x.cn>, a@x.cn), and hears of an event once per run.
	digests := map[string]*Digest{}
	var order []string
	digest := func(to string) *Digest {
		k := strings.ToLower(AddressOf(to))
		d, ok := digests[k]
		if !ok {
			d = &Digest{Day: today, To: to}
			digests[k] = d
			order = append(order, k)
		}
		return d
	}
	seen := map[string]map[uint64]bool{} // mailbox → events in its digest
	add := func(to string, it DigestItem) {
		d := digest(to)
		k := strings.ToLower(AddressOf(to))
		if seen[k] == nil {
			seen[k] = map[uint64]bool{}
		}
		if seen[k][it.Event.ID] {
			return // an officer who is also an owner or a supervisor hears once
		}
		seen[k][it.Event.ID] = true
		d.Items = append(d.Items, it)
	}
	for _, it := range items {
		switch it.Stage.Audience {
		case ToOfficers:
			for _, to := range r.Officers {
				add(to, it)
			}
			for _, ow := range r.Owners {
				if ow.Level1 == it.Event.Level1() {
					for _, to := range ow.Emails {
						add(to, it)
					}
				}
			}
		case ToSupervisors:
			for _, to := range r.Supervisors {
				add(to, it)
			}
		}
	}

	// Permanent delivery failures not yet reported go to the officers.
	var failures []*Message
	if err := o.Tx.UnreportedFailures(func(m *Message) error {
		failures = append(failures, m)
		return nil
	}); err != nil {
		return nil, err
	}
	year, week := today.Start().ISOWeek()
	noticeKey := fmt.Sprintf("notice/provisional/%d/%d-W%02d", r.NextYear, year, week)
	for _, to := range r.Officers {
		d := digest(to)
		d.Failures = failures
		if r.NextYear != 0 {
			d.NextYear = r.NextYear
		}
	}

	var queued []*Message
	for _, k := range order {
		d := digests[k]
		to := d.To
		if len(d.Items) == 0 && len(d.Failures) == 0 {
			if d.NextYear == 0 {
				continue
			}
			// The provisional-year notice alone: once a week.
			if m, err := o.Tx.MessageByKey(noticeKey + "/" + AddressOf(to)); err != nil || m != nil {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		sortItems(d.Items)
		c, err := r.Render.Digest(d)
		if err != nil {
			return nil, err
		}
		key := DigestKey(d)
		if len(d.Items) == 0 && len(d.Failures) == 0 {
			key = noticeKey + "/" + AddressOf(to)
		}
		if m, err := o.Tx.MessageByKey(key); err != nil || m != nil {
			if err != nil {
				return nil, err
			}
			continue // the same digest is queued already
		}
		m := &Message{Key: key, MessageID: NewMessageID(key), Kind: "digest", To: []string{to},
			Subject: c.Subject, Text: c.Text, HTML: c.HTML, Attachments: c.Attachments,
			State: Queued, Created: o.Clock.Now}
		for _, it := range d.Items {
			m.Stages = append(m.Stages, it.Stage.Key)
		}
		if err := o.Tx.PutMessage(m); err != nil {
			return nil, err
		}
		queued = append(queued, m)
	}
	for _, f := range failures {
		f.Reported = true
		if err := o.Tx.PutMessage(f); err != nil {
			return nil, err
		}
	}
	ids := slices.Sorted(maps.Keys(states))
	for _, id := range ids {
		if err := o.Tx.PutReminderState(id, states[id]); err != nil {
			return nil, err
		}
	}
	if len(queued) == 0 && len(ids) == 0 {
		return nil, nil
	}
	return queued, o.audit(AuditRemind, subjectOutbox, map[string]any{"day": today, "stages": len(items), "messages": len(queued), "failures_reported": len(failures)})
}

// sortItems orders a digest: overdue first, longest overdue first; then by
// deadline; then by event.
func sortItems(items []DigestItem) {
	slices.SortStableFunc(items, func(a, b DigestItem) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		if c := a.Event.Deadline.Compare(b.Event.Deadline); c != 0 {
			return c
		}
		return cmp.Compare(a.Event.ID, b.Event.ID)
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
