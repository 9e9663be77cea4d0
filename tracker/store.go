package tracker

import "gongkai/calendar"

// Store is the database: each operation runs in one transaction, written
// whole or not at all.
type Store interface {
	View(func(Tx) error) error
	Update(func(Tx) error) error
}

// EventFigures is a Tx that keeps counts of its events by state,
// deadline and 一级事项 as they change, and finds open events by deadline:
// the dashboard's figures without reading every event.
type EventFigures interface {
	// EventCounts calls fn for every count of the events in state st
	// (Open, Done, DoneLate, Waived or Cancelled) whose deadline is in
	// [from, to], by deadline.
	EventCounts(st Status, from, to calendar.Date, fn func(deadline calendar.Date, level1 string, n int) error) error
	// OpenEventsDue calls fn for every event open now whose deadline is
	// in [from, to], by deadline then id, without its history.
	OpenEventsDue(from, to calendar.Date, fn func(*Event) error) error
}

// EventSearcher is a Tx that finds the events a text search may match
// without reading every event.
type EventSearcher interface {
	// SearchEvents calls fn with the id of every event whose summary or
	// 文号 may contain text and whose logger may be by ("" for any): a
	// superset of those that do, in id order.
	SearchEvents(text, by string, fn func(id uint64) error) error
}

// IDReserver is a Tx that gives out the ids of new events ahead of
// storing them: an event's hash covers its id, and an import hashes the
// next events while the transaction stores these. Events stored with ids
// it gave keep them.
type IDReserver interface {
	ReserveEventIDs(n int) (first uint64, err error)
}

// Encoder is a Tx that encodes events apart from storing them: EncodeEvent
// touches no transaction, and may run on other goroutines while the
// transaction's own stores what was encoded, with PutEncodedEvent. js is
// EventJSON(e), which the caller has already.
type Encoder interface {
	EncodeEvent(e *Event, js []byte) ([]byte, error)
	PutEncodedEvent(e *Event, v []byte) error
}

// Tx is one transaction of a Store.
type Tx interface {
	// Generation names the state of the database the transaction began
	// from: a write transaction whose generation is that of an earlier
	// read sees exactly what that read saw, so that a plan made in the
	// read may be recorded without reading again.
	Generation() uint64

	// Catalog returns the catalogue in force, or nil before init.
	Catalog() (*Catalog, error)
	PutCatalog(*Catalog) error

	// Event returns the event with the id, or an Error with ENotFound.
	Event(id uint64) (*Event, error)
	// PutEvent stores an event, giving a new one (ID 0) the next id.
	PutEvent(*Event) error
	// EventsByDeadline calls fn for every event whose deadline is in
	// [from, to]; EventsByClosed for every event closed (done, done late
	// or waived) in [from, to]. Both read indexes, not every event.
	EventsByDeadline(from, to calendar.Date, fn func(*Event) error) error
	EventsByClosed(from, to calendar.Date, fn func(*Event) error) error
	// EventsDue calls fn for every event whose deadline is in [from, to],
	// by deadline, with only what counts it for the on-time rate: ID,
	// State, Date, Deadline, ClosedOn, and MatterName holding its 一级事项
	// alone. It reads no event, only the index and each event's dates.
	EventsDue(from, to calendar.Date, fn func(*Event) error) error
	// Events calls fn for every event in id order. fn must not store
	// events: collect them and store them after Events returns.
	Events(fn func(*Event) error) error
	// StoredEvents calls fn for every event with the key it is stored
	// under, in key order, for checks: an event under another event's key
	// was moved outside gongkai. e is nil when the stored value cannot be
	// read. fn must not store events.
	StoredEvents(fn func(key uint64, e *Event) error) error
	// OpenEvents calls fn for every event whose state is Open, in id
	// order, without reading the others and without their History: for
	// lists. Such an event cannot be stored back.
	OpenEvents(fn func(*Event) error) error

	Schedules() ([]calendar.Schedule, error)
	PutSchedule(calendar.Schedule) error

	// ReminderState returns how far event id's reminders have gone.
	ReminderState(id uint64) (ReminderState, error)
	PutReminderState(id uint64, s ReminderState) error

	// PutMessage stores a message, giving a new one (ID 0) the next id;
	// a new message whose Key is taken is refused.
	PutMessage(*Message) error
	// Message returns the message with the id, content included, or an
	// Error with ENotFound.
	Message(id uint64) (*Message, error)
	// MessageState is Message without the content (text, HTML,
	// attachments), which a message keeps from its first put; so are the
	// messages the methods below return.
	MessageState(id uint64) (*Message, error)
	// MessageByKey returns the message with the key, or nil.
	MessageByKey(key string) (*Message, error)
	// Messages calls fn for every message in id order; fn must not store.
	Messages(fn func(*Message) error) error
	// PendingMessages is Messages for those queued or being sent only,
	// read from an index: the outbox only grows.
	PendingMessages(fn func(*Message) error) error
	// UnreportedFailures is Messages for those the officers are still to
	// hear of (Message.Unreported): failed, or delayed by a fault of the
	// setup.
	UnreportedFailures(fn func(*Message) error) error

	// Audit appends an entry to the audit log, setting Seq, Prev and Hash.
	Audit(*AuditEntry) error
	// AuditHead returns the last entry's sequence number and hash, without
	// verifying the chain (that is `gongkai audit verify`).
	AuditHead() (AuditHead, error)
	// AuditEntries calls fn for every entry in storage order with its key.
	AuditEntries(fn func(key uint64, a *AuditEntry) error) error
}
