package app

import (
	"context"
	"sync"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// SystemStatus is how the server stands, for its administrators: the
// database, the outbox, the last backup, and the daemon's jobs.
type SystemStatus struct {
	Database DatabaseStatus    `json:"database"`
	Audit    tracker.AuditHead `json:"audit"`
	Outbox   OutboxCounts      `json:"outbox"`
	// LastBackup is the last backup this server made since it started
	// (nil: none); the audit log keeps every one.
	LastBackup *BackupRecord `json:"last_backup,omitempty"`
	// Jobs are the daemon's jobs (filled by the server, which runs them).
	Jobs []JobRun `json:"jobs"`
	// Mail says how mail goes out (the transport), filled by the server.
	Mail string `json:"mail,omitempty"`
}

// DatabaseStatus is the database's file.
type DatabaseStatus struct {
	Path string `json:"path"`
	Size int64  `json:"size"` // bytes; 0 when not known
}

// OutboxCounts count the outbox's messages by how they stand.
type OutboxCounts struct {
	Queued int `json:"queued"`
	Held   int `json:"held"` // queued, waiting for a fault of the setup to be fixed
	Failed int `json:"failed"`
	Sent   int `json:"sent"`
}

// BackupRecord is a backup made: when, by whom, where to.
type BackupRecord struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
	To string    `json:"to"` // a file, or "下载"
}

// JobRun is one of the daemon's jobs: its last run and the next.
type JobRun struct {
	Name    string    `json:"name"`
	Last    time.Time `json:"last,omitzero"`
	Outcome string    `json:"outcome,omitempty"` // what the last run did, or why it failed
	Failed  bool      `json:"failed,omitempty"`
	Next    time.Time `json:"next,omitzero"`
}

// backups remembers the last backup of this process.
type backups struct {
	mu   sync.Mutex
	last *BackupRecord
}

// recordBackup remembers a backup, and writes it to the audit log: who
// took a copy of everything, passwords' hashes included, is for the
// auditors to see.
func (l *Local) recordBackup(ctx context.Context, to string) {
	rec := &BackupRecord{At: l.cfg.RealNow(), By: Actor(ctx), To: to}
	l.backups.mu.Lock()
	l.backups.last = rec
	l.backups.mu.Unlock()
	_ = l.write(ctx, func(u *unit) error { return u.AuditBackup(to) })
}

// Status says how the server stands.
func (l *Local) Status(ctx context.Context) (*SystemStatus, error) {
	if _, err := authorize(ctx, access.OpStatus); err != nil {
		return nil, err
	}
	out := &SystemStatus{Jobs: []JobRun{}}
	if p, ok := l.cfg.Store.(interface{ DatabasePath() string }); ok {
		out.Database.Path = p.DatabasePath()
	}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		var err error
		if out.Audit, err = tx.AuditHead(); err != nil {
			return err
		}
		if s, ok := tx.(interface{ Size() int64 }); ok {
			out.Database.Size = s.Size()
		}
		return tx.Messages(func(m *tracker.Message) error {
			switch {
			case m.State == tracker.Failed:
				out.Outbox.Failed++
			case m.State == tracker.Sent:
				out.Outbox.Sent++
			case m.Held:
				out.Outbox.Held++
			default:
				out.Outbox.Queued++
			}
			return nil
		})
	})
	l.backups.mu.Lock()
	out.LastBackup = l.backups.last
	l.backups.mu.Unlock()
	return out, err
}

// jobRuns records the daemon's runs, apart from the jobs' lock (held for
// a whole run), so that the status is read while a job runs.
type jobRuns struct {
	mu    sync.Mutex
	runs  map[string]JobRun
	times JobTimes
}

// Job names, as the status shows them.
const (
	jobReminders = "每日提醒"
	jobWeekly    = "周报"
	jobFlush     = "发送邮件"
)

func (r *jobRuns) record(name string, at time.Time, outcome string, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[string]JobRun{}
	}
	r.runs[name] = JobRun{Name: name, Last: at, Outcome: outcome, Failed: failed}
}

// Runs are the jobs' last runs and next times, at now.
func (j *Jobs) Runs(now time.Time) []JobRun {
	j.runs.mu.Lock()
	defer j.runs.mu.Unlock()
	times := j.runs.times
	out := []JobRun{}
	for _, job := range []struct {
		name  string
		sched Schedule
	}{{jobReminders, times.Reminders}, {jobWeekly, times.Weekly}, {jobFlush, nil}} {
		r := j.runs.runs[job.name]
		r.Name = job.name
		if job.sched != nil {
			r.Next = job.sched.Next(now.In(calendar.Shanghai))
		}
		out = append(out, r)
	}
	return out
}
