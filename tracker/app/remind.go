package app

import (
	"context"
	"errors"
	"sync"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// errStale says a plan's read is no longer the database's state: another
// writer came in between.
var errStale = errors.New("the database changed since the plan was read")

// staleTries is how often a job plans afresh when writers keep coming in
// between its read and its write; after that it plans inside its write
// transaction, which always succeeds but keeps others waiting longer.
const staleTries = 3

// RemindRun is one reminder run on a day: on a working day, plan the
// reminders due, queue one digest per recipient in the transaction that
// records the stages, then send. On a day off it does nothing: the stages
// that fell on it go out at the next working day's run. From November,
// officers also hear when next year's schedule is still provisional. A
// past day makes up a missed run; a future one may only be tried dry.
//
// The plan is read in a read transaction and the digests rendered outside
// any; the write transaction only records, after checking that nothing
// was written since the read.
func (l *Local) RemindRun(ctx context.Context, run RemindInput) (*RemindResult, error) {
	if _, err := authorize(ctx, access.OpRemindRun); err != nil {
		return nil, err
	}
	dryRun := run.DryRun
	today := l.today()
	day := l.orToday(run.Day)
	if day.After(today) && !dryRun {
		return nil, tracker.Invalid(tracker.FieldAsOf, "日期 %s 在今天（%s）之后：未来的日子只能试运行，不记录、不发送", day, today)
	}
	s := l.cfg.Settings
	rcpt, err := l.recipients()
	if err != nil {
		return nil, err
	}
	req := tracker.RemindRequest{Rules: s.Reminders, Officers: rcpt.Officers,
		Supervisors: rcpt.Supervisors, Owners: rcpt.Owners, Sections: rcpt.Sections}
	if len(req.Officers) == 0 {
		return nil, tracker.FieldErrorf(tracker.EInvalid, tracker.FieldRecipients, "没有政务公开专员的邮箱（配置中的 recipients.officers，或有邮箱的公开专员账号）：提醒无人接收，未作任何记录")
	}
	var dl Deliverer
	if !dryRun {
		// A mail setup that cannot work is said before anything is recorded.
		var err error
		if dl, err = l.deliverer(); err != nil {
			return nil, err
		}
	}
	res := &RemindResult{Day: day, Queued: []*tracker.Message{}}
	// gather reads what a run needs, in a transaction; plan decides
	// outside it.
	var cal *calendar.Calendar
	gather := func(tx tracker.Tx, c *calendar.Calendar) (*tracker.ReminderInputs, error) {
		workday, err := c.IsWorkday(day)
		if err != nil || !workday {
			return nil, err
		}
		res.Workday, cal = true, c
		_, req.NextYear = c.Pending(day)
		return tracker.GatherReminders(tx, day, req)
	}
	plan := func(in *tracker.ReminderInputs) (*tracker.ReminderPlan, error) {
		return tracker.PlanReminders(in, cal, day, req)
	}
	// render renders the plan's digests; pack encodes their content for the
	// store ahead of the write, which a store may do in transactions of its
	// own: never from inside one.
	render := func(p *tracker.ReminderPlan, pack bool) ([]*tracker.Message, error) {
		// A digest per core (those a job may take): a long one's workbook
		// (100,000 events) takes a few tenths of a second to build, most
		// of it deflating, and allocates little.
		contents := make([]tracker.Content, len(p.Digests))
		errs := make([]error, len(p.Digests))
		workers := min(tracker.Cores(), len(p.Digests))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(p.Digests); i += workers {
					contents[i], errs[i] = l.cfg.Renderer.Digest(p.Digests[i])
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		msgs := make([]*tracker.Message, len(p.Digests))
		for i := range p.Digests {
			msgs[i] = p.Message(i, contents[i], l.cfg.Now())
			if pack {
				if err := l.pack(msgs[i]); err != nil {
					return nil, err
				}
			}
		}
		return msgs, nil
	}
	for try := 1; ; try++ {
		var in *tracker.ReminderInputs
		var gen uint64
		var head tracker.AuditHead
		err := l.read(func(tx tracker.Tx, c *calendar.Calendar) (err error) {
			gen = tx.Generation()
			if head, err = tx.AuditHead(); err != nil {
				return err
			}
			in, err = gather(tx, c)
			return err
		})
		if noDatabase(err) {
			// No database yet: no events to remind of.
			res.Workday, err = calendar.Default().IsWorkday(day)
			return res, err
		}
		if err != nil || in == nil {
			return res, err
		}
		p, err := plan(in)
		if err != nil {
			return nil, err
		}
		msgs, err := render(p, !dryRun) // a dry run writes nothing, not even chunks
		if err != nil {
			return nil, err
		}
		if dryRun {
			res.Queued = append(res.Queued, msgs...)
			return res, nil
		}
		last := try == staleTries
		// Written since the read: what a server's staff log all day leaves
		// the plan as it was, and is checked entry by entry rather than
		// read again; most of it here, outside the write transaction,
		// which then reads only what came in the last moment.
		check := tracker.NewPlanCheck(head.Count, p, cal, day, req)
		holds := true
		err = l.read(func(tx tracker.Tx, _ *calendar.Calendar) (err error) {
			if g := tx.Generation(); g != gen {
				gen = g
				holds, err = check.Holds(tx)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if !holds && !last {
			continue
		}
		var rest []tracker.EventMarks // marks left for later transactions
		err = l.write(ctx, func(u *unit) error {
			if holds && u.Tx.Generation() != gen {
				var err error
				if holds, err = check.Holds(u.Tx); err != nil {
					return err
				}
			}
			switch {
			case holds:
			case !last:
				return errStale
			default:
				// Writers kept coming in between: gather, plan, render and
				// record in this one transaction.
				in, err := gather(u.Tx, u.cal)
				if err != nil || in == nil {
					return err
				}
				if p, err = plan(in); err != nil {
					return err
				}
				if msgs, err = render(p, false); err != nil {
					return err
				}
			}
			q, r, err := u.RecordRemindersFirst(p, msgs, tracker.MarkChunk)
			res.Queued, rest = append(res.Queued, q...), r
			return err
		})
		if errors.Is(err, errStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// The other marks, a chunk at a time, each sharing its commit with
		// the events a server's staff log meanwhile (a Batcher's): rather
		// than a commit, two syncs of the disk, that they would wait for.
		for len(rest) > 0 {
			n := min(len(rest), tracker.MarkChunk)
			if err := l.batchWrite(ctx, func(u *unit) error { return u.RecordMarks(rest[:n]) }); err != nil {
				return nil, err
			}
			rest = rest[n:]
		}
		res.Delivery, err = l.flush(ctx, dl)
		return res, err
	}
}
