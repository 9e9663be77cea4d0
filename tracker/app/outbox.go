package app

import (
	"context"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// deliverer returns what sends the outbox, or nil when nothing is
// configured to.
func (l *Local) deliverer() (Deliverer, error) {
	if l.cfg.Delivery == nil {
		return nil, nil
	}
	return l.cfg.Delivery(serial{l})
}

// flush sends what is due through dl.
func (l *Local) flush(ctx context.Context, dl Deliverer) (*Delivery, error) {
	return l.flushAll(ctx, dl, false)
}

// flushAll sends what is due through dl, and with all what waits for a
// retry as well.
func (l *Local) flushAll(ctx context.Context, dl Deliverer, all bool) (*Delivery, error) {
	if dl == nil {
		return &Delivery{}, nil
	}
	d, err := dl.Flush(ctx, all)
	return &d, err
}

// Outbox lists the outbox.
func (l *Local) Outbox(ctx context.Context) (*OutboxList, error) {
	if _, err := authorize(ctx, access.OpOutbox); err != nil {
		return nil, err
	}
	out := &OutboxList{Messages: []*tracker.Message{}}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		return tx.Messages(func(m *tracker.Message) error {
			out.Messages = append(out.Messages, m)
			return nil
		})
	})
	return out, err
}

// FlushOutbox sends the messages that are due, with in.Now those waiting
// for a retry too. Without a database there is nothing to send, and none
// is created.
func (l *Local) FlushOutbox(ctx context.Context, in FlushInput) (*Delivery, error) {
	if _, err := authorize(ctx, access.OpFlushOutbox); err != nil {
		return nil, err
	}
	if err := l.read(func(tracker.Tx, *calendar.Calendar) error { return nil }); noDatabase(err) {
		return &Delivery{}, nil
	}
	dl, err := l.deliverer()
	if err != nil {
		return nil, err
	}
	return l.flushAll(ctx, dl, in.Now)
}

// RetryMessage requeues a failed message and sends what is due.
func (l *Local) RetryMessage(ctx context.Context, in RetryInput) (*Delivery, error) {
	if _, err := authorize(ctx, access.OpRetryMessage); err != nil {
		return nil, err
	}
	dl, err := l.deliverer()
	if err != nil {
		return nil, err
	}
	if err := l.write(ctx, func(u *unit) error { return u.Requeue(in.ID, in.To) }); err != nil {
		return nil, err
	}
	return l.flush(ctx, dl)
}

// pack encodes a message's content for the store ahead of the write
// transaction, when the store can.
func (l *Local) pack(m *tracker.Message) error {
	if p, ok := l.cfg.Store.(tracker.Packer); ok {
		return p.PackMessage(m)
	}
	return nil
}
