package tracker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gongkai/calendar"
)

// Message states in the outbox.
const (
	Queued  = "queued"  // waiting to be sent (again, after NextTry)
	Sending = "sending" // claimed by a sender
	Sent    = "sent"    // accepted by the mail server, or written as a file
	Failed  = "failed"  // refused for good; `gongkai outbox --retry` requeues it
)

// Message is an e-mail in the outbox. It is queued in the same transaction
// that records the reminder stages it carries, so that a stage is never
// queued twice, and it keeps one Message-ID however often it is tried.
type Message struct {
	ID          uint64       `json:"id"`
	Key         string       `json:"key"` // unique: what it is, for whom, when
	MessageID   string       `json:"message_id"`
	Kind        string       `json:"kind"` // digest, report
	To          []string     `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	HTML        string       `json:"html,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Stages      []string     `json:"stages,omitempty"` // the reminder stages it carries

	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	Created   time.Time `json:"created"`
	ClaimedAt time.Time `json:"claimed_at,omitzero"`
	ClaimedBy string    `json:"claimed_by,omitempty"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	// Reported: a permanent failure listed in an officer digest already.
	Reported bool `json:"reported,omitempty"`
	// Held: queued, and waiting because the last try met a fault of the
	// setup (LastError says which), not of the message; it goes out as
	// soon as the setup is fixed, and such tries do not count in Attempts.
	Held bool `json:"held,omitempty"`
	// HeldSince is when a fault of the setup first held the message, and
	// Fault the last such fault: kept once it is sent, so that the
	// officers hear of the delay (see Unreported).
	HeldSince time.Time `json:"held_since,omitzero"`
	Fault     string    `json:"fault,omitempty"`
	// ContentOf, when not 0, is the message whose content (text, HTML,
	// attachments) this one shares: a report sent to several people is
	// stored once.
	ContentOf uint64 `json:"content_of,omitempty"`
	// Packed, when a Packer set it, is the content (text, HTML,
	// attachments, stages) as the store keeps it, encoded before the
	// transaction that stores the message.
	Packed []byte `json:"-"`
}

// Packer is a Store that can encode a message's content ahead of the
// transaction that stores it: a report's content is megabytes to
// compress and to write, which would hold the write transaction, and so
// every other writer, that much longer. A Packer may write a large content
// in small transactions of its own, so it is called outside any.
type Packer interface {
	PackMessage(m *Message) error
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

var stateNames = map[string]string{Queued: "待发", Sending: "发送中", Sent: "已发", Failed: "失败"}

// StateName returns a message state in Chinese.
func StateName(s string) string { return stateNames[s] }

// StateText says where the message stands, for people: its state, and for
// one that failed and waits to be retried, when (待重试（11-30 09:05）).
func (m *Message) StateText() string {
	if m.State == Queued && m.Held {
		return "等待（发信设置或服务器有问题，见最后错误）"
	}
	if m.State == Queued && m.Attempts > 0 {
		return "待重试（" + m.NextTry.In(calendar.Shanghai).Format("01-02 15:04") + "）"
	}
	return StateName(m.State)
}

// Unreported says whether the officers are still to hear of the message in
// a digest: it failed for good, or a fault of the setup delayed it.
func (m *Message) Unreported() bool {
	return !m.Reported && (m.State == Failed || m.State == Sent && !m.HeldSince.IsZero())
}

// Delayed says whether a fault of the setup held the message before it
// was sent.
func (m *Message) Delayed() bool { return m.State == Sent && !m.HeldSince.IsZero() }

// LastTime is when the message was sent, or else queued.
func (m *Message) LastTime() time.Time {
	if !m.SentAt.IsZero() {
		return m.SentAt
	}
	return m.Created
}

// NewMessageID returns the stable Message-ID of a message key.
func NewMessageID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "<" + hex.EncodeToString(sum[:12]) + "@gongkai>"
}

// Content is a rendered message.
type Content struct {
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
	// Packed is the content as the store keeps it, when a Packer encoded
	// it ahead of the transaction (see Message.Packed).
	Packed []byte
}

// Digest is one recipient's reminders of one run.
type Digest struct {
	Day calendar.Date
	To  string
	// Audience is who the recipient is, which decides what the digest
	// asks of them: ToOfficers (they register disclosures), ToOwners (a
	// section's staff) or ToSupervisors. A mailbox that is several hears
	// as the first of these it is.
	Audience Audience
	Items    []DigestItem
	Failures []*Message // permanent delivery failures to report (officers only)
	Office   string     // the catalogue's 公开主体, whom the reminders are from
	NextYear int        // when next year is still provisional from 1 November: that year (officers only)
}

// DigestItem is one event of a digest.
type DigestItem struct {
	Event   *Event
	Stage   Stage
	Left    int  // working days left, or overdue by when Overdue
	Overdue bool // past the deadline
	// Sections are the 股室 whose 一级事项 the event's matter is under.
	Sections []string
	// Previous is, for an escalation, the day supervisors were last told
	// of the event's deadline (zero: this is the first): it says what
	// changed since.
	Previous calendar.Date
}

// Renderer turns a digest into a message; notify implements it. A
// reminder run renders its digests on several goroutines at once.
type Renderer interface {
	Digest(d *Digest) (Content, error)
}

// Level1 returns the 一级事项 of an event's matter.
func (e *Event) Level1() string {
	l1, _, _ := strings.Cut(e.MatterName, " › ")
	return l1
}

// DigestKey is the outbox key of a digest: the day, the recipient and the
// stages it carries, so that a second run on the same day queues only what
// the first did not.
func DigestKey(d *Digest) string {
	h := sha256.New()
	for _, it := range d.Items {
		h.Write([]byte(it.Stage.Key + "\n"))
	}
	for _, f := range d.Failures {
		fmt.Fprintf(h, "failure %d\n", f.ID)
	}
	fmt.Fprintf(h, "next year %d\n", d.NextYear)
	return fmt.Sprintf("digest/%s/%s/%s", d.Day, AddressOf(d.To), hex.EncodeToString(h.Sum(nil))[:12])
}

// AddressOf returns the bare address of "名字 <a@b.cn>".
func AddressOf(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}

// Requeue puts a permanently failed message back in the queue, to the
// corrected addresses to when given.
func (o *Ops) Requeue(id uint64, to []string) error {
	m, err := o.Tx.MessageState(id)
	if err != nil {
		return err
	}
	if m.State != Failed {
		return FieldErrorf(EConflict, FieldMessage, "邮件 %d 的状态是“%s”，只有投递失败的邮件才能重发", id, StateName(m.State))
	}
	for i, a := range to {
		if to[i], err = Address(FieldTo, a); err != nil {
			return err
		}
	}
	if len(to) > 0 {
		m.To = to
	}
	m.State, m.Attempts, m.NextTry, m.Reported = Queued, 0, time.Time{}, false
	m.Held, m.HeldSince, m.Fault = false, time.Time{}, ""
	if err := o.Tx.PutMessage(m); err != nil {
		return err
	}
	return o.audit(AuditRequeue, subject(subjectMessage, id), map[string]any{"message": id, "to": m.To, "last_error": m.LastError})
}
