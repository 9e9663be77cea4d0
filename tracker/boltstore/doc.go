// Package boltstore keeps gongkai's data in one bbolt file: for now the
// holiday schedules imported with `gongkai calendar import`; the catalogue,
// events, audit log and outbox join it as they are built.
//
// Layout: bucket "meta" holds "schema_version"; bucket "calendar_years"
// maps a year (4-byte big-endian) to a calendar.Schedule as JSON. Opening a
// writable store creates the file (mode 0600 unless told otherwise) and
// migrates it to the current schema.
//
// It may import calendar; nothing of ours imports it but cmd.
//
// # Caveats
//
// bbolt holds an exclusive lock on the file while it is open for writing
// (a shared one for reading), and a second Open — even in the same process —
// waits for it. Callers therefore open the store for one operation and close
// it at once; Open waits at most Options.Timeout (5 s by default) and then
// returns ErrBusy. Values read inside a transaction are copied out before it
// ends.
package boltstore
