// Package tracker is gongkai's domain: the disclosure catalogue and its
// matters, the events that start a disclosure deadline, disclosures,
// corrections, statuses and the audit log. It decides; storage and
// delivery are elsewhere, behind the small interfaces declared here.
//
// It may import calendar (dates and working days) and nothing else of
// gongkai's.
//
// # Caveats
//
// Nothing is deleted: an amendment, a retraction or a reopening is a new
// record with a reason, and every old value stays in an event's history.
// Every change is appended to a hash-chained audit log in the same
// transaction as the change itself, and an event's change with the hash
// of the event as stored after it (EventHash), which binds the events to
// the log. A field added to Event must therefore be omitempty or
// omitzero: otherwise every event stored before it would encode and hash
// differently, and no longer match the log. A record written under a
// simulated clock keeps the machine's clock beside its time.
package tracker
