package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Audit lists the audit entries whose operation fell on a day in the
// query's range.
func (l *Local) Audit(ctx context.Context, q AuditQuery) (*AuditList, error) {
	op := access.OpAudit
	if q.Logins {
		op = access.OpLogins
	}
	if _, err := authorize(ctx, op); err != nil {
		return nil, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return nil, tracker.Invalid(tracker.FieldDateRange, "起始日期 %s 晚于截止日期 %s", q.From, q.To)
	}
	action := ""
	if q.Action != "" {
		var ok bool
		if action, ok = tracker.AuditAction(q.Action); !ok {
			var names []string
			for _, a := range tracker.AuditActions() {
				names = append(names, tracker.AuditActionName(a))
			}
			return nil, tracker.Invalid(tracker.FieldAction, "操作 %q 无效：可选 %s", q.Action, strings.Join(names, "、"))
		}
	}
	actor, err := tracker.Line(tracker.FieldActor, "操作人", q.Actor, tracker.MaxName)
	if err != nil {
		return nil, err
	}
	out := &AuditList{Entries: []AuditView{}}
	err = l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		return tx.AuditEntries(func(_ uint64, a *tracker.AuditEntry) error {
			day := calendar.Today(a.At)
			switch {
			case !q.From.IsZero() && day.Before(q.From), !q.To.IsZero() && day.After(q.To),
				action != "" && a.Action != action,
				q.Logins && !slices.Contains(tracker.LoginActions, a.Action),
				actor != "" && a.Actor != actor,
				q.Event != 0 && !tracker.AuditConcerns(a, q.Event):
				return nil
			}
			out.Entries = append(out.Entries, auditView(a))
			return nil
		})
	})
	return out, damaged(err)
}

// auditView is an entry as people read it.
func auditView(a *tracker.AuditEntry) AuditView {
	return AuditView{AuditEntry: *a, ActionName: tracker.AuditActionName(a.Action),
		SubjectName: tracker.AuditSubjectName(a.Subject), Text: tracker.AuditText(a), Simulated: a.Simulated()}
}

// VerifyAudit checks the audit log's chain and the events against it.
func (l *Local) VerifyAudit(ctx context.Context) (*AuditVerification, error) {
	if _, err := authorize(ctx, access.OpVerifyAudit); err != nil {
		return nil, err
	}
	out := AuditVerification{Simulated: []AuditView{}}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		var err error
		out.Head, out.EventBinding, err = verifyRecords(tx, func(a *tracker.AuditEntry) {
			if a.Simulated() {
				if out.SimulatedCount < MaxSimulated {
					out.Simulated = append(out.Simulated, auditView(a))
				}
				out.SimulatedCount++
			}
		}, nil)
		return err
	})
	return &out, damaged(err)
}

// verifyRecords checks the audit chain in tx, then the stored events
// against it, and returns the chain's head and what binding the events
// found. Each entry, once checked, goes to onEntry, and each event
// (nil: unreadable) to onEvent, when not nil. A break in the chain is an
// *AuditProblem, and events stored otherwise than the log says an
// EDamaged error.
func verifyRecords(tx tracker.Tx, onEntry func(*tracker.AuditEntry), onEvent func(*tracker.Event)) (tracker.AuditHead, tracker.EventBinding, error) {
	var chk tracker.AuditChecker
	var b tracker.EventBinder
	err := tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
		if p := chk.Next(key, a); p != nil {
			return p
		}
		b.Entry(a)
		if onEntry != nil {
			onEntry(a)
		}
		return nil
	})
	if err != nil {
		var none tracker.EventBinder // the events were not compared
		return chk.Head(), none.Result(), err
	}
	err = b.Stored(tx, onEvent)
	r := b.Result()
	if err == nil {
		err = r.Damage()
	}
	return chk.Head(), r, err
}

// damaged turns a break in the audit chain into an EDamaged error.
func damaged(err error) error {
	var p *tracker.AuditProblem
	if errors.As(err, &p) {
		return &tracker.Error{Code: tracker.EDamaged, Message: p.Message, Err: p}
	}
	return err
}
