package app

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Settings are the rules of the office that the configuration sets.
type Settings struct {
	// LateAfter is the working days after an event past which logging it
	// is late (补登); 0 means tracker.DefaultLateAfter.
	LateAfter  int
	Reminders  tracker.ReminderRules
	Recipients Recipients
}

// Recipients are who hears about what.
type Recipients struct {
	Officers    []string
	Supervisors []string
	Owners      []tracker.Owner
	// Sections are the 股室 of each 一级事项 (from the accounts'
	// sections), which the reminders name as an event's owners.
	Sections map[string][]string
}

// Weekly returns who receives the weekly report: the supervisors, then the
// officers.
func (r Recipients) Weekly() []string {
	return append(append([]string{}, r.Supervisors...), r.Officers...)
}

// UnknownOwners returns the places, in Owners, of the owners whose 一级事项
// no matter of the catalogue has: they would hear nothing.
func (r Recipients) UnknownOwners(matters []tracker.Matter) []int {
	known := map[string]bool{}
	for _, m := range matters {
		known[m.Level1] = true
	}
	var out []int
	for i, o := range r.Owners {
		if !known[o.Level1] {
			out = append(out, i)
		}
	}
	return out
}

// Renderer renders digests and reports; notify.Renderer is one.
type Renderer interface {
	tracker.Renderer
	tracker.WeeklyRenderer
}

// Deliverer sends the outbox's messages that are due, one at a time, until
// none is left or ctx ends; notify.DelivererFor returns one.
type Deliverer interface {
	// Flush sends the messages that are due, and with all those waiting
	// for a retry as well.
	Flush(ctx context.Context, all bool) (Delivery, error)
}

// Maintenance is what a store offers beyond transactions. None of it
// changes the file, not even to upgrade it: it must be able to vet a
// backup as it is.
type Maintenance interface {
	// Create makes the database when there is none, then runs first (the
	// first write); it reports whether it made one, and leaves none when
	// first fails. Only Init creates a database: every other operation
	// on a missing one is tracker.ENotFound.
	Create(first func() error) (bool, error)
	// Backup writes a consistent copy of the database to dst, a new file;
	// BackupTo to w (a download).
	Backup(dst string) error
	BackupTo(w io.Writer) error
	// CheckFile checks the file's structure, every record and every
	// index. It hands each audit entry as tracker.ReadAuditEntry reads it
	// (without an entry: unreadable), and each event's hashes (empty:
	// unreadable), in key order, to audit and event, when not nil, so that
	// the audit chain and the events' binding are checked in the same
	// pass.
	CheckFile(audit func(key uint64, r tracker.ReadEntry), event func(key uint64, h tracker.StoredHash)) (*FileCheck, error)
	// Inspect runs fn in a read transaction of the file as it is.
	Inspect(fn func(tracker.Tx) error) error
	// Dump writes every record (of one bucket, when bucket is not "") to
	// w as a line of JSON each.
	Dump(w io.Writer, bucket string) error
}

// FileCheck is what CheckFile found.
type FileCheck struct {
	Path          string
	SchemaVersion int  // 0: none recorded
	Current       int  // the version this program reads and writes
	Outdated      bool // migrations are due: the next use upgrades the file
	Events, Open  int
	Problems      []string // damage, in Chinese, naming bucket and key
	// Structural: some damage is to the file's pages, not only to records
	// or indexes; reading further may fail.
	Structural bool
}

// Config is what a Local is built from.
type Config struct {
	Store tracker.Store
	// Maintenance, when the store offers it, backs up and checks the file.
	Maintenance Maintenance
	// Now is the operation clock (injected in tests and replays); RealNow
	// the machine's clock, which records keep beside it. Both default to
	// time.Now.
	Now, RealNow func() time.Time
	Settings     Settings
	Renderer     Renderer
	// Delivery returns what sends the outbox, recording each step in
	// store (whose writers queue with the others of this process); an
	// error is a fault of the setup (a password that cannot be read, say),
	// said before anything is recorded. Nil: nothing is sent.
	Delivery func(store tracker.Store) (Deliverer, error)
	// Hasher hashes passwords; nil: access.DefaultParams, made on first
	// use. Lockout is when failed logins lock an account; zero:
	// access.DefaultLockout.
	Hasher  *access.Hasher
	Lockout access.Lockout
}

// Local is the Service over a store in this process.
type Local struct {
	cfg Config

	// mu serialises the writers of this process: bbolt allows one write
	// transaction at a time, and a queue here keeps the order fair.
	mu sync.Mutex

	calMu  sync.Mutex
	cal    *calendar.Calendar
	calKey string

	hashState

	// principals are those Authenticate read, by token hash, until an
	// account, a section or a token is written.
	principals   sync.Map
	principalGen atomic.Uint64

	backups backups

	// phantoms count the failed logins to names no account has.
	phantomMu sync.Mutex
	phantoms  map[string]*access.Account
}

var _ Service = (*Local)(nil)

// NewLocal returns the Service over cfg.Store.
func NewLocal(cfg Config) *Local {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RealNow == nil {
		cfg.RealNow = time.Now
	}
	return &Local{cfg: cfg}
}

// today returns the operation clock's date in Asia/Shanghai.
func (l *Local) today() calendar.Date { return calendar.Today(l.cfg.Now()) }

// orToday returns d, or today when d is zero.
func (l *Local) orToday(d calendar.Date) calendar.Date {
	if d.IsZero() {
		return l.today()
	}
	return d
}

// unit is one write transaction's work: the operations on it, the
// calendar in force, and whether the transaction set the database up.
type unit struct {
	*tracker.Ops
	cal         *calendar.Calendar
	initialised bool
}

// Batcher is a store whose writers of several goroutines may share a
// transaction and its commit (boltstore.Store.Batch): a server's many
// small writes, one sync of the disk for many.
type Batcher interface {
	Batch(fn func(tracker.Tx) error) error
}

// write runs fn in one write transaction, with the calendar in force, on a
// database that has a catalogue (the embedded one is loaded on first use).
// Nothing is written when fn fails.
func (l *Local) write(ctx context.Context, fn func(u *unit) error) error {
	return l.writeUnit(ctx, false, fn)
}

// batchWrite is write for a small change that may share its transaction
// with other goroutines' (a Batcher's): fn may then run more than once,
// and must do nothing outside the transaction but set its results.
func (l *Local) batchWrite(ctx context.Context, fn func(u *unit) error) error {
	return l.writeUnit(ctx, true, fn)
}

func (l *Local) writeUnit(ctx context.Context, batch bool, fn func(u *unit) error) error {
	by, err := tracker.Line(tracker.FieldBy, "操作人", Actor(ctx), tracker.MaxName)
	if err != nil {
		return err
	}
	update := l.cfg.Store.Update
	if b, ok := l.cfg.Store.(Batcher); ok && batch {
		update = b.Batch // bbolt queues the writers itself
	} else {
		l.mu.Lock()
		defer l.mu.Unlock()
	}
	now := l.cfg.Now()
	return update(func(tx tracker.Tx) error {
		cal, err := l.calendarOf(tx)
		if err != nil {
			return err
		}
		u := &unit{cal: cal, Ops: &tracker.Ops{Tx: tx, Cal: cal,
			Clock:   tracker.Clock{Now: now, Today: calendar.Today(now), By: by},
			RealNow: l.cfg.RealNow, LateAfter: l.cfg.Settings.LateAfter}}
		if have, err := tx.Catalog(); err != nil {
			return err
		} else if have == nil {
			if u.initialised, err = u.Init(tracker.EmbeddedCatalog()); err != nil {
				return err
			}
		}
		return fn(u)
	})
}

// serial is the store as the outbox's sender uses it: its writers queue
// with those of the operations.
type serial struct{ l *Local }

func (s serial) View(fn func(tracker.Tx) error) error { return s.l.cfg.Store.View(fn) }

func (s serial) Update(fn func(tracker.Tx) error) error {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	return s.l.cfg.Store.Update(fn)
}

// read runs fn in one read transaction with the calendar in force.
func (l *Local) read(fn func(tx tracker.Tx, cal *calendar.Calendar) error) error {
	return l.cfg.Store.View(func(tx tracker.Tx) error {
		cal, err := l.calendarOf(tx)
		if err != nil {
			return err
		}
		return fn(tx, cal)
	})
}

// noDatabase reports whether err says there is no database yet.
func noDatabase(err error) bool {
	e := tracker.AsError(err)
	return e != nil && e.Code == tracker.ENotFound && e.Field == tracker.FieldDatabase
}

// calendarOf returns the calendar in force in tx: the embedded schedules
// and those imported. It is built again only when the imports change.
func (l *Local) calendarOf(tx tracker.Tx) (*calendar.Calendar, error) {
	imported, err := tx.Schedules()
	if err != nil {
		return nil, err
	}
	var key strings.Builder
	for _, s := range imported {
		key.WriteString(strconv.Itoa(s.Year) + "/" + s.Digest + "/" + s.ImportedAt.String() + ";")
	}
	l.calMu.Lock()
	defer l.calMu.Unlock()
	if l.cal != nil && l.calKey == key.String() {
		return l.cal, nil
	}
	cal, err := calendar.New(imported...)
	if err != nil {
		return nil, err
	}
	l.cal, l.calKey = cal, key.String()
	return cal, nil
}

// Calendar returns the calendar in force: the embedded one where there is
// no database yet.
func (l *Local) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	if _, err := authorize(ctx, access.OpCalendar); err != nil {
		return nil, err
	}
	return l.calendarInForce()
}

// calendarInForce is the calendar in force, or the embedded one where
// there is no database yet.
func (l *Local) calendarInForce() (*calendar.Calendar, error) {
	var cal *calendar.Calendar
	err := l.read(func(_ tracker.Tx, c *calendar.Calendar) error {
		cal = c
		return nil
	})
	if noDatabase(err) {
		return calendar.Default(), nil
	}
	return cal, err
}
