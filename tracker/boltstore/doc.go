// Package boltstore keeps all of gongkai's data in one bbolt file: the
// imported holiday schedules, the catalogue, the events with their
// indexes, the hash-chained audit log, reminder marks and the outbox. It
// implements tracker.Store (Store, held open by one process; File, opened
// for each transaction) and app.Maintenance (backup, check). Nothing else
// of gongkai's imports bbolt.
//
// Layout, one file per kind of record:
//
//	store.go      meta: schema_version; opening, errors, transactions
//	migrate.go    migrations: the numbered steps each file has run
//	schedules.go  calendar_years: year (4-byte big-endian) → calendar.Schedule
//	catalog.go    catalog: "current" → the catalogue in force
//	events.go     events: id (8-byte big-endian) → tracker.Event;
//	              open_events: id → the event without its history, in a
//	              binary form that lists decode fast (copies.go);
//	              event_dates: id → its deadline and closing day, to keep
//	              events_by_deadline and events_by_closed (date, id → nil),
//	              and its state, date and 一级事项, which the on-time rate
//	              reads (EventsDue)
//	audit.go      audit: sequence → tracker.AuditEntry
//	outbox.go     reminders: event id → tracker.ReminderState;
//	              outbox: id → a message's state; outbox_content: id → its
//	              text, HTML, attachments and stages, written once; outbox_keys:
//	              key → id; outbox_pending, outbox_unreported: id → nil
//	blobs.go      outbox_blobs: a large attachment's bytes, or a content
//	              still large without its attachments, in chunks (SHA-256,
//	              number → up to 1 MB), each written in a transaction of its
//	              own ahead of the message; outbox_content names them
//
// # Values and the codec
//
// The first byte of a value says how it is stored (codec.go). Events and
// audit entries, which check and audit verify read by the million, are in
// binary forms compressed with S2 and a frozen dictionary (records.go):
// an event takes about 170 bytes and decodes in a couple of microseconds,
// an audit entry about 200; each reads back exactly as its JSON, which
// the audit chain and the events' binding hash. The copies in open_events
// and the records of event_dates are binary, not compressed; reminder
// marks have a compact form of their own (marks.go). The catalogue,
// messages and their content are JSON deflated with another frozen
// dictionary; values written by earlier versions in those forms (plain or
// deflated JSON) are still read. The price is a file that bbolt's own
// tools show as bytes: `gongkai dump` prints every record as a JSON line,
// so the file can still be read by a person. A dictionary never changes
// (tests fail if one does): a value is only readable with the dictionary
// it was written with, and a better one would get new tags.
//
// # Migrations
//
// A file records the schema version and every migration it has run. A
// writable open runs those it has not, each once, in a transaction of its
// own; an index added later is a migration that builds it for the data
// already there, so an upgraded file answers exactly as one written
// today. A migration that rewrites every record of a large bucket does so
// in batches, each in a transaction of its own. A read-only open of a file
// that still needs migrations is marked
// Outdated; File upgrades such a file before its first read. A file of a
// newer version (or with a migration this program does not know) is
// refused. Files written by every earlier layout are test fixtures
// (testdata/upgrade, with the script that made them).
//
// # Caveats
//
// bbolt holds an exclusive lock on the file while it is open for writing
// (a shared one for reading), and a second Open — even in the same process
// — waits for it: Open waits at most Options.Timeout (5 s by default),
// then fails with EBusy. File therefore holds the file only for one
// transaction. Values read inside a transaction are copied out before it
// ends. Failures of Open are *tracker.Error values with the field
// "database".
package boltstore
