// Package notify renders gongkai's messages and delivers the outbox.
//
// Rendering: the reminder digest (text, with an .xlsx of every event past
// the body's hundred), the weekly report (text, HTML, .xlsx, CSV), and the
// writers every export uses: CSV (a byte-order mark for Excel and WPS, and
// a quote before a cell that would start a formula) and JSON (a long list
// written as it goes, one element a line). It
// implements tracker's Renderer and WeeklyRenderer, and is called by the
// application layer outside any transaction.
//
// Delivery: as .eml files when there is no mail server, by SMTP otherwise
// (TransportFor builds the one the configuration names). The Sender claims
// a message in a short write transaction before sending it, so that two
// senders never send the same one, reads its content in a read
// transaction, sends outside any, and records the outcome in another:
// 4xx answers and network errors are retried with backoff, 5xx answers and
// bad addresses are permanent. DelivererFor gives it to the application
// layer as an app.Deliverer.
//
// It may import tracker, tracker/app, calendar and config.
//
// # Caveats
//
// A message is sent outside any transaction (the database is not locked
// while a mail server is slow), so a crash between the server's acceptance
// and the recording of it sends the message again on the next run — with
// the same Message-ID, which lets the receiving side tell.
package notify
