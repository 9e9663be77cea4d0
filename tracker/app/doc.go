// Package app is gongkai's application layer: the use cases that every
// front end calls — the CLI, the HTTP API, the web dashboard — through one
// Go interface, Service. Local implements it over a tracker.Store; a remote
// client implements the same interface over HTTP, so a front end written
// against Service runs unchanged against either.
//
// Local owns the unit of work (one transaction per operation), the
// calendar in force (the embedded schedules and those imported into the
// database), the catalogue in force (the embedded one until a database has
// its own), and the serialisation of writers inside one process.
//
// It may import tracker and calendar, and nothing else of gongkai's: the
// store, the renderer and the mail transport are given to it as
// interfaces by whoever wires it (cmd).
//
// # Caveats
//
// Who acts is carried by the context (WithActor); "now" is Config.Now, so
// that tests and replays inject it. Errors are *tracker.Error values with
// a code and a field, never text for one front end.
//
// Rendering (digests, reports and their workbooks) happens outside write
// transactions: a job reads what it needs in a read transaction, renders,
// then records in a short write transaction that checks again what it
// read, so that staff are never kept waiting by a daemon job.
package app
