package app

import (
	"context"
	"errors"

	"gongkai/calendar"
	"gongkai/tracker"
)

// Audit lists the audit entries whose operation fell on a day in the
// query's range.
func (l *Local) Audit(ctx context.Context, q AuditQuery) (*AuditList, error) {
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return nil, tracker.Invalid(tracker.FieldDateRange, "起始日期 %s 晚于截止日期 %s", q.From, q.To)
	}
	out := &AuditList{Entries: []AuditView{}}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		return tx.AuditEntries(func(_ uint64, a *tracker.AuditEntry) error {
			day := calendar.Today(a.At)
			if (!q.From.IsZero() && day.Before(q.From)) || (!q.To.IsZero() && day.After(q.To)) {
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

// VerifyAudit checks the audit log's chain.
func (l *Local) VerifyAudit(ctx context.Context) (*AuditVerification, error) {
	out := AuditVerification{Simulated: []AuditView{}}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		var err error
		out.Head, err = verifyChain(tx, func(a *tracker.AuditEntry) {
			if a.Simulated() {
				out.Simulated = append(out.Simulated, auditView(a))
			}
		})
		return err
	})
	return &out, damaged(err)
}

// verifyChain checks the chain in tx and returns its head; each entry,
// once checked, is given to each (when not nil).
func verifyChain(tx tracker.Tx, each func(*tracker.AuditEntry)) (tracker.AuditHead, error) {
	var chk tracker.AuditChecker
	err := tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
		if p := chk.Next(key, a); p != nil {
			return p
		}
		if each != nil {
			each(a)
		}
		return nil
	})
	return chk.Head(), err
}

// damaged turns a break in the audit chain into an EDamaged error.
func damaged(err error) error {
	var p *tracker.AuditProblem
	if errors.As(err, &p) {
		return &tracker.Error{Code: tracker.EDamaged, Message: p.Message, Err: p}
	}
	return err
}
