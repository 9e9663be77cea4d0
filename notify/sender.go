package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gongkai/tracker"
)

// Outgoing is a message ready for a transport.
type Outgoing struct {
	ID   uint64
	Key  string
	From string
	To   []string
	Raw  []byte // the MIME message
}

// Transport delivers messages.
type Transport interface {
	Send(ctx context.Context, m Outgoing) error
	Name() string
}

// SendError classifies a failure: permanent ones (5xx, a bad address) are
// not retried; others (4xx) are, after a backoff. A fault of the setup is
// no message's: the mail server cannot be reached or refuses the login,
// its certificate does not verify, the outbox folder cannot be written.
// Every message would meet it, so the pass stops at it, and the message
// waits, its try not counted, until the setup is fixed.
type SendError struct {
	Permanent bool
	Setup     bool
	Err       error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Sender delivers the outbox: claim a message in a transaction, send it
// outside any, record the outcome in another.
type Sender struct {
	// Update runs fn in one read-write transaction of the database, which
	// it opens for that alone.
	Update func(fn func(tx tracker.Tx) error) error
	// View runs fn in one read transaction; nil means Update. A message's
	// content (megabytes for a report) is read in one, outside the claim.
	View      func(fn func(tx tracker.Tx) error) error
	Transport Transport
	From      string
	Now       func() time.Time
	// Who claims messages, for the record (host and process).
	Who string
	// MaxAttempts before a retryable failure becomes permanent.
	MaxAttempts int
	// StaleClaim is how long a claim may stand before another sender takes
	// the message over (its sender died).
	StaleClaim time.Duration
}

// Backoff is the wait before attempt n+1: one minute, doubling, at most
// two hours, so that a mail server down for hours loses nothing and is
// not hammered.
func Backoff(attempts int) time.Duration {
	d := time.Minute << min(attempts-1, 7)
	return min(d, 2*time.Hour)
}

// Result counts what a flush did, and says why each message it could not
// send was not sent.
type Result struct {
	Sent, Retrying, Failed int
	Failures               []Failure
}

// Failure is a message a flush could not send.
type Failure struct {
	ID        uint64
	To        []string
	Err       string
	Permanent bool
}

// Flush sends every message that is due, one at a time, until none is left
// or ctx ends. With all, it does not wait for the retry time of messages
// that failed before (someone fixed what was wrong). A fault of the setup
// stops it: the error (tracker.EUnavailable) says what and how many
// messages wait.
func (s *Sender) Flush(ctx context.Context, all bool) (Result, error) {
	var r Result
	tried := map[uint64]bool{} // with all, each message once per pass
	for ctx.Err() == nil {
		m, err := s.claim(all, tried)
		if err != nil || m == nil {
			return r, err
		}
		tried[m.ID] = true
		raw, err := Build(m, s.From, s.Now())
		var sendErr error
		if err != nil {
			sendErr = &SendError{Permanent: true, Err: err}
		} else {
			sendErr = s.Transport.Send(ctx, Outgoing{ID: m.ID, Key: m.Key, From: s.From, To: m.To, Raw: raw})
		}
		state, err := s.record(m.ID, sendErr)
		if err != nil {
			return r, err
		}
		if se := (*SendError)(nil); errors.As(sendErr, &se) && se.Setup {
			return r, s.stopped(sendErr)
		}
		switch state {
		case tracker.Sent:
			r.Sent++
			continue
		case tracker.Failed:
			r.Failed++
		default:
			r.Retrying++
		}
		r.Failures = append(r.Failures, Failure{ID: m.ID, To: m.To, Err: sendErr.Error(), Permanent: state == tracker.Failed})
	}
	return r, ctx.Err()
}

// stopped is the error of a pass a fault of the setup stopped.
func (s *Sender) stopped(fault error) error {
	waiting := 0
	view := s.View
	if view == nil {
		view = s.Update
	}
	err := view(func(tx tracker.Tx) error {
		return tx.PendingMessages(func(*tracker.Message) error { waiting++; return nil })
	})
	if err != nil {
		return errors.Join(fault, err)
	}
	return &tracker.Error{Code: tracker.EUnavailable, Err: fault,
		Message: fmt.Sprintf("邮件发不出去（%s）：%s。发件箱中 %d 封邮件在等待，问题解决后自动发出（或运行 gongkai outbox --flush --now 立即发出）",
			s.Transport.Name(), fault, waiting)}
}

// claim takes the next due message for this sender; with all, any queued
// message not tried in this pass is due.
func (s *Sender) claim(all bool, tried map[uint64]bool) (*tracker.Message, error) {
	now := s.Now()
	stale := s.StaleClaim
	if stale <= 0 {
		stale = 10 * time.Minute
	}
	var claimed *tracker.Message
	err := s.Update(func(tx tracker.Tx) error {
		var due *tracker.Message
		err := tx.PendingMessages(func(m *tracker.Message) error {
			if due != nil {
				return nil
			}
			switch {
			case m.State == tracker.Queued && (all && !tried[m.ID] || !m.NextTry.After(now)):
				due = m
			case m.State == tracker.Sending && now.Sub(m.ClaimedAt) > stale:
				due = m // its sender died mid-send; the Message-ID stays the same
			}
			return nil
		})
		if err != nil || due == nil {
			return err
		}
		due.State, due.ClaimedAt, due.ClaimedBy = tracker.Sending, now, s.Who
		due.Attempts++
		if err := tx.PutMessage(due); err != nil {
			return err
		}
		claimed = due
		return nil
	})
	if err != nil || claimed == nil {
		return nil, err
	}
	// Its content, to send: written once, read beside the writers.
	view := s.View
	if view == nil {
		view = s.Update
	}
	var full *tracker.Message
	err = view(func(tx tracker.Tx) error {
		var err error
		full, err = tx.Message(claimed.ID)
		return err
	})
	if err != nil {
		// Not sent: a damaged content fails the message for good (it is
		// reported); anything else (the database busy) gives the claim
		// back, as if it had not been made.
		if tracker.ErrorCode(err) == tracker.EDamaged {
			_, rerr := s.record(claimed.ID, &SendError{Permanent: true, Err: err})
			return nil, errors.Join(err, rerr)
		}
		if rerr := s.Update(func(tx tracker.Tx) error {
			m, err := tx.MessageState(claimed.ID)
			if err != nil {
				return err
			}
			m.State, m.Attempts, m.ClaimedAt, m.ClaimedBy = tracker.Queued, m.Attempts-1, time.Time{}, ""
			return tx.PutMessage(m)
		}); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	full.State, full.Attempts, full.ClaimedAt, full.ClaimedBy = claimed.State, claimed.Attempts, claimed.ClaimedAt, claimed.ClaimedBy
	return full, nil
}

// record stores the outcome of an attempt and returns the new state.
func (s *Sender) record(id uint64, sendErr error) (string, error) {
	now := s.Now()
	var state string
	err := s.Update(func(tx tracker.Tx) error {
		m, err := tx.MessageState(id)
		if err != nil {
			return err
		}
		var se *SendError
		m.Held = false
		switch {
		case sendErr == nil:
			m.State, m.SentAt, m.LastError = tracker.Sent, now, ""
		case errors.As(sendErr, &se) && se.Setup:
			// Not the message's fault: it waits, due as it was, and the
			// try does not count towards giving up.
			m.State, m.LastError, m.Held, m.Fault = tracker.Queued, sendErr.Error(), true, sendErr.Error()
			if m.HeldSince.IsZero() {
				m.HeldSince = now
			}
			m.Attempts--
		case errors.As(sendErr, &se) && se.Permanent,
			s.MaxAttempts > 0 && m.Attempts >= s.MaxAttempts:
			m.State, m.LastError = tracker.Failed, sendErr.Error()
		default:
			m.State, m.LastError = tracker.Queued, sendErr.Error()
			m.NextTry = now.Add(Backoff(m.Attempts))
		}
		m.ClaimedAt, m.ClaimedBy = time.Time{}, ""
		state = m.State
		return tx.PutMessage(m)
	})
	if err != nil {
		return "", fmt.Errorf("记录邮件 %d 的投递结果：%w", id, err)
	}
	return state, nil
}
