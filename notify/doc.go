// Package notify renders gongkai's messages (the reminder digest, later the
// weekly report) and delivers the outbox: as .eml files when there is no
// mail server, by SMTP otherwise. It claims a message in a transaction
// before sending it, so that two senders never send the same one, and
// classifies failures: 4xx and network errors are retried with backoff,
// 5xx and bad addresses are permanent.
//
// It may import tracker and calendar.
//
// # Caveats
//
// A message is sent outside any transaction (the database is not locked
// while a mail server is slow), so a crash between the server's acceptance
// and the recording of it sends the message again on the next run — with
// the same Message-ID, which lets the receiving side tell.
package notify
