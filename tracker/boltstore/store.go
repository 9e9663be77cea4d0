package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"gongkai/calendar"
	"gongkai/tracker"
)

// SchemaVersion is the layout this code reads and writes.
//
//	1: meta, calendar_years
//	2: + catalog, events, open_events, audit
//	3: events, audit and catalogue deflated (codec.go); plain values still read
//	4: + reminders, outbox, outbox_keys
const SchemaVersion = 4

// DefaultTimeout is how long Open waits for another process's lock.
const DefaultTimeout = 5 * time.Second

var (
	bucketMeta     = []byte("meta")
	bucketCalendar = []byte("calendar_years")
	bucketCatalog  = []byte("catalog")
	bucketEvents   = []byte("events")
	bucketOpen     = []byte("open_events")
	bucketAudit    = []byte("audit")
	bucketRemind   = []byte("reminders")
	bucketOutbox   = []byte("outbox")
	bucketOutKeys  = []byte("outbox_keys")
	bucketContent  = []byte("outbox_content") // id → text, HTML and attachments, written once
	bucketPending  = []byte("outbox_pending")
	bucketFailed   = []byte("outbox_unreported")
	bucketDates    = []byte("event_dates") // id → deadline and closed-on, to keep the two indexes below
	bucketByDue    = []byte("events_by_deadline")
	bucketByClosed = []byte("events_by_closed")
	keySchema      = []byte("schema_version")
	keyCatalog     = []byte("current")

	allBuckets = [][]byte{bucketCalendar, bucketCatalog, bucketEvents, bucketOpen, bucketAudit, bucketRemind, bucketOutbox, bucketOutKeys, bucketContent, bucketPending, bucketFailed, bucketDates, bucketByDue, bucketByClosed}
)

// ErrBusy means another process held the database for longer than the
// timeout.
var ErrBusy = errors.New("database busy")

// NotFoundError reports a database file that does not exist, when opening
// one to read.
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string { return "database " + e.Path + " does not exist" }

// OpenError reports a database file that cannot be used, in words for
// people.
type OpenError struct {
	Path   string
	Reason string // in Chinese
	Err    error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("数据库 %s 无法使用：%s", e.Path, e.Reason)
}

func (e *OpenError) Unwrap() error { return e.Err }

func openError(path string, err error) error {
	reason := err.Error()
	switch {
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch):
		reason = "不是 gongkai 的数据库文件，或文件已损坏"
	case errors.Is(err, berrors.ErrChecksum):
		reason = "文件已损坏（校验和不符），请从备份恢复"
	case errors.Is(err, fs.ErrNotExist):
		reason = "所在的文件夹不存在"
	case errors.Is(err, fs.ErrPermission):
		reason = "没有读写这个文件的权限"
	}
	return &OpenError{Path: path, Reason: reason, Err: err}
}

func newerSchema(path string, v int) error {
	return &OpenError{Path: path, Reason: fmt.Sprintf(
		"它由更新版本的 gongkai 写入（数据格式第 %d 版，本程序只认识到第 %d 版），请升级 gongkai", v, SchemaVersion)}
}

// Options tune Open.
type Options struct {
	ReadOnly bool          // open an existing file for reading only
	Timeout  time.Duration // wait for the lock; 0 means DefaultTimeout
	Mode     fs.FileMode   // mode of a new file; 0 means 0600
}

// Store is an open database.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens the database at path. A writable open creates it when missing
// and brings its schema up to date; a read-only open of a missing file
// fails. Failures are *tracker.Error values with the field "database": a
// missing file ENotFound (wrapping a *NotFoundError), a file that is not a
// usable database EInvalid (wrapping an *OpenError), a lock held beyond the
// timeout EBusy (wrapping ErrBusy).
func Open(path string, o Options) (*Store, error) {
	s, err := open(path, o)
	return s, translate(path, o, err)
}

func open(path string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Mode == 0 {
		o.Mode = 0o600
	}
	if o.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, &NotFoundError{Path: path}
		}
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, &OpenError{Path: path, Reason: "这是一个文件夹，不是数据库文件", Err: fs.ErrInvalid}
	}
	db, err := bolt.Open(path, o.Mode, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, path: path}
	if o.ReadOnly {
		err = s.checkSchema()
	} else {
		err = s.migrate()
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// translate turns the failures of open into the domain's errors.
func translate(path string, o Options, err error) error {
	var (
		nf *NotFoundError
		oe *OpenError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf):
		return &tracker.Error{Code: tracker.ENotFound, Field: tracker.FieldDatabase, Message: fmt.Sprintf("数据库 %s 不存在", nf.Path), Err: err}
	case errors.As(err, &oe):
		return &tracker.Error{Code: tracker.EInvalid, Field: tracker.FieldDatabase, Message: oe.Error(), Err: err}
	case errors.Is(err, ErrBusy):
		wait := o.Timeout
		if wait <= 0 {
			wait = DefaultTimeout
		}
		return &tracker.Error{Code: tracker.EBusy, Field: tracker.FieldDatabase, Err: err,
			Message: fmt.Sprintf("数据库 %s 正被其他进程使用，%s内未能取得，请稍后重试", path, waitText(wait))}
	}
	return err
}

// waitText says a lock wait in Chinese: "5 秒", "200 毫秒".
func waitText(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d 秒", int(d/time.Second))
	}
	return fmt.Sprintf("%d 毫秒", d.Milliseconds())
}

// SchemaVersion returns the schema version recorded in the file; 0 when
// none is.
func (s *Store) SchemaVersion() (int, error) {
	v := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil
		}
		n, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil {
			return &OpenError{Path: s.path, Reason: fmt.Sprintf("数据格式版本 %q 无法识别，文件可能已损坏", meta.Get(keySchema)), Err: err}
		}
		v = n
		return nil
	})
	return v, err
}

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// DB returns the underlying bbolt database, for tests and consistency checks.
func (s *Store) DB() *bolt.DB { return s.db }

// migrate creates the buckets and records the schema version. A database
// already up to date is not written to at all: even an empty commit would
// change the file, and a command that fails must leave it byte for byte.
func (s *Store) migrate() error {
	current := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get(keySchema)) != strconv.Itoa(SchemaVersion) {
			return nil
		}
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				return nil
			}
		}
		current = true
		return nil
	}); err != nil || current {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		v := 0
		if b := meta.Get(keySchema); b != nil {
			if v, err = strconv.Atoi(string(b)); err != nil {
				return fmt.Errorf("database schema version %q: %w", b, err)
			}
		}
		if v > SchemaVersion {
			return newerSchema(s.path, v)
		}
		// Every version so far only adds buckets.
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
}

func (s *Store) checkSchema() error {
	return s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil // a file no writer has set up yet: nothing in it
		}
		v, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil {
			return &OpenError{Path: s.path, Reason: fmt.Sprintf("数据格式版本 %q 无法识别，文件可能已损坏", meta.Get(keySchema)), Err: err}
		}
		if v > SchemaVersion {
			return newerSchema(s.path, v)
		}
		return nil
	})
}

func yearKey(y int) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], uint32(y))
	return k[:]
}

// Tx is one transaction: everything done in it is written together or not
// at all.
type Tx struct {
	tx *bolt.Tx
	// The audit log's last entry, once known in this transaction.
	lastSeq  uint64
	lastHash string
}

var _ tracker.Store = (*Store)(nil)
var _ tracker.Tx = (*Tx)(nil)

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tracker.Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// Update runs fn in a read-write transaction, committed when fn returns
// nil and rolled back otherwise.
func (s *Store) Update(fn func(tracker.Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketEvents, bucketOpen, bucketAudit, bucketOutbox} {
			// Keys only grow: pack the pages instead of leaving them half full.
			tx.Bucket(b).FillPercent = 0.95
		}
		return fn(&Tx{tx: tx})
	})
}

// Schedules returns the imported schedules, oldest year first.
func (s *Store) Schedules() (out []calendar.Schedule, err error) {
	err = s.View(func(tx tracker.Tx) error {
		out, err = tx.Schedules()
		return err
	})
	return out, err
}

// Schedules returns the imported schedules, oldest year first.
func (t *Tx) Schedules() ([]calendar.Schedule, error) {
	var out []calendar.Schedule
	b := t.tx.Bucket(bucketCalendar)
	if b == nil {
		return nil, nil // a file no writer has set up yet
	}
	err := b.ForEach(func(k, v []byte) error {
		var sc calendar.Schedule
		if err := json.Unmarshal(v, &sc); err != nil {
			return fmt.Errorf("imported schedule %d: %w", binary.BigEndian.Uint32(k), err)
		}
		out = append(out, sc)
		return nil
	})
	return out, err
}

// PutSchedule stores an imported schedule, replacing any of the same year.
func (t *Tx) PutSchedule(sc calendar.Schedule) error {
	v, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bucketCalendar).Put(yearKey(sc.Year), v)
}

// Catalog returns the catalogue in force, or nil before init.
func (t *Tx) Catalog() (*tracker.Catalog, error) {
	b := t.tx.Bucket(bucketCatalog)
	if b == nil {
		return nil, nil
	}
	v := b.Get(keyCatalog)
	if v == nil {
		return nil, nil
	}
	var c tracker.Catalog
	if err := DecodeValue(v, &c); err != nil {
		return nil, fmt.Errorf("stored catalogue: %w", err)
	}
	return &c, nil
}

// PutCatalog replaces the catalogue in force.
func (t *Tx) PutCatalog(c *tracker.Catalog) error {
	v, err := EncodeValue(c)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bucketCatalog).Put(keyCatalog, v)
}

func idKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// Event returns the event with the id.
func (t *Tx) Event(id uint64) (*tracker.Event, error) {
	b := t.tx.Bucket(bucketEvents)
	var v []byte
	if b != nil {
		v = b.Get(idKey(id))
	}
	if v == nil {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldEvent, "没有编号为 %d 的事件", id)
	}
	return decodeEvent(id, v)
}

func decodeEvent(id uint64, v []byte) (*tracker.Event, error) {
	var e tracker.Event
	if err := DecodeValue(v, &e); err != nil {
		return nil, fmt.Errorf("stored event %d: %w", id, err)
	}
	return &e, nil
}

// PutEvent stores an event, giving a new one the next id, and keeps the
// index of open events.
func (t *Tx) PutEvent(e *tracker.Event) error {
	if len(e.History) == 0 {
		return fmt.Errorf("event %d has no history: it was read as a summary and cannot be stored", e.ID)
	}
	b := t.tx.Bucket(bucketEvents)
	if e.ID == 0 {
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.ID = id
	}
	v, err := EncodeValue(e)
	if err != nil {
		return err
	}
	if err := b.Put(idKey(e.ID), v); err != nil {
		return err
	}
	if err := t.indexDates(e); err != nil {
		return err
	}
	open := t.tx.Bucket(bucketOpen)
	if e.State != tracker.Open {
		return open.Delete(idKey(e.ID))
	}
	// The index of open events keeps a copy without the history, so that
	// listing what is open reads one compact bucket.
	summary := *e
	summary.History = nil
	sv, err := EncodeValue(&summary)
	if err != nil {
		return err
	}
	return open.Put(idKey(e.ID), sv)
}

// dateKey is a date (4 bytes, sortable) then an id.
func dateKey(d calendar.Date, id uint64) []byte {
	var k [12]byte
	y, m, dd := d.Civil()
	binary.BigEndian.PutUint32(k[:4], uint32(y*10000+int(m)*100+dd))
	binary.BigEndian.PutUint64(k[4:], id)
	return k[:]
}

// indexDates keeps the indexes of events by deadline and by closing day.
func (t *Tx) indexDates(e *tracker.Event) error {
	dates, due, closed := t.tx.Bucket(bucketDates), t.tx.Bucket(bucketByDue), t.tx.Bucket(bucketByClosed)
	var old struct{ Deadline, ClosedOn calendar.Date }
	if v := dates.Get(idKey(e.ID)); v != nil {
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("event %d dates: %w", e.ID, err)
		}
		if err := due.Delete(dateKey(old.Deadline, e.ID)); err != nil {
			return err
		}
		if !old.ClosedOn.IsZero() {
			if err := closed.Delete(dateKey(old.ClosedOn, e.ID)); err != nil {
				return err
			}
		}
	}
	if err := due.Put(dateKey(e.Deadline, e.ID), nil); err != nil {
		return err
	}
	if !e.ClosedOn.IsZero() {
		if err := closed.Put(dateKey(e.ClosedOn, e.ID), nil); err != nil {
			return err
		}
	}
	v, _ := json.Marshal(struct{ Deadline, ClosedOn calendar.Date }{e.Deadline, e.ClosedOn})
	return dates.Put(idKey(e.ID), v)
}

// EventsByDeadline calls fn for every event whose deadline is in
// [from, to], by deadline.
func (t *Tx) EventsByDeadline(from, to calendar.Date, fn func(*tracker.Event) error) error {
	return t.byDate(bucketByDue, from, to, fn)
}

// EventsByClosed calls fn for every event closed in [from, to].
func (t *Tx) EventsByClosed(from, to calendar.Date, fn func(*tracker.Event) error) error {
	return t.byDate(bucketByClosed, from, to, fn)
}

func (t *Tx) byDate(index []byte, from, to calendar.Date, fn func(*tracker.Event) error) error {
	ix, events := t.tx.Bucket(index), t.tx.Bucket(bucketEvents)
	if ix == nil || events == nil {
		return nil
	}
	d := batchDecoder{fn: fn, decode: decodeEvent}
	end := dateKey(to, 1<<64-1)
	c := ix.Cursor()
	for k, _ := c.Seek(dateKey(from, 0)); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.Next() {
		id := k[4:]
		v := events.Get(id)
		if v == nil {
			return fmt.Errorf("indexed event %d is missing", binary.BigEndian.Uint64(id))
		}
		if err := d.add(id, v); err != nil {
			return err
		}
	}
	return d.flush()
}

// Events calls fn for every event in id order. Events are decoded a batch
// at a time on every core, and handed to fn in order: decoding (inflate and
// JSON) is most of the cost of a list.
func (t *Tx) Events(fn func(*tracker.Event) error) error {
	events := t.tx.Bucket(bucketEvents)
	if events == nil {
		return nil
	}
	d := batchDecoder{fn: fn, decode: decodeEvent}
	if err := events.ForEach(d.add); err != nil {
		return err
	}
	return d.flush()
}

// OpenEvents calls fn for every open event, without its history, read
// from the index of open events, which keeps a copy of each for lists.
func (t *Tx) OpenEvents(fn func(*tracker.Event) error) error {
	events, open := t.tx.Bucket(bucketEvents), t.tx.Bucket(bucketOpen)
	if events == nil || open == nil {
		return nil
	}
	d := batchDecoder{fn: fn, decode: decodeEvent}
	err := open.ForEach(func(k, v []byte) error {
		if len(v) == 0 {
			// Indexed before the index kept copies (schema 3 before
			// this): read the event itself.
			if v = events.Get(k); v == nil {
				return fmt.Errorf("open event %d is missing from the events", binary.BigEndian.Uint64(k))
			}
		}
		return d.add(k, v)
	})
	if err != nil {
		return err
	}
	return d.flush()
}

// batchDecoder gathers raw events (valid only in their transaction, which
// outlives the batch) and decodes them in parallel.
type batchDecoder struct {
	ids    []uint64
	raw    [][]byte
	evs    []*tracker.Event
	errs   []error
	fn     func(*tracker.Event) error
	decode func(uint64, []byte) (*tracker.Event, error)
}

const decodeBatch = 512

func (d *batchDecoder) add(k, v []byte) error {
	d.ids = append(d.ids, binary.BigEndian.Uint64(k))
	d.raw = append(d.raw, v)
	if len(d.raw) == decodeBatch {
		return d.flush()
	}
	return nil
}

func (d *batchDecoder) flush() error {
	n := len(d.raw)
	if n == 0 {
		return nil
	}
	d.evs = slices.Grow(d.evs[:0], n)[:n]
	d.errs = slices.Grow(d.errs[:0], n)[:n]
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				d.evs[i], d.errs[i] = d.decode(d.ids[i], d.raw[i])
			}
		})
	}
	wg.Wait()
	d.ids, d.raw = d.ids[:0], d.raw[:0]
	for i := range n {
		if d.errs[i] != nil {
			return d.errs[i]
		}
		if err := d.fn(d.evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Audit appends an entry, chained to the last one.
func (t *Tx) Audit(a *tracker.AuditEntry) error {
	b := t.tx.Bucket(bucketAudit)
	if t.lastSeq == 0 {
		if k, v := b.Cursor().Last(); k != nil {
			var last tracker.AuditEntry
			if err := DecodeValue(v, &last); err != nil {
				return fmt.Errorf("last audit entry: %w", err)
			}
			t.lastSeq, t.lastHash = binary.BigEndian.Uint64(k), last.Hash
		}
	}
	a.Seq, a.Prev = t.lastSeq+1, t.lastHash
	if len(a.Content) == 0 {
		a.Content = json.RawMessage("null")
	}
	// Hash the content in the form it is stored in: encoding/json compacts
	// it and escapes <, > and & (as in a URL's query).
	canon, err := json.Marshal(a.Content)
	if err != nil {
		return fmt.Errorf("audit content: %w", err)
	}
	a.Content = canon
	a.Hash = a.ComputeHash()
	v, err := EncodeValue(a)
	if err != nil {
		return err
	}
	if err := b.Put(idKey(a.Seq), v); err != nil {
		return err
	}
	t.lastSeq, t.lastHash = a.Seq, a.Hash
	return nil
}

// AuditHead returns the last entry's sequence number and hash.
func (t *Tx) AuditHead() (tracker.AuditHead, error) {
	b := t.tx.Bucket(bucketAudit)
	if b == nil {
		return tracker.AuditHead{}, nil
	}
	k, v := b.Cursor().Last()
	if k == nil {
		return tracker.AuditHead{}, nil
	}
	var last tracker.AuditEntry
	if err := DecodeValue(v, &last); err != nil {
		return tracker.AuditHead{}, fmt.Errorf("last audit entry: %w", err)
	}
	return tracker.AuditHead{Count: binary.BigEndian.Uint64(k), Hash: last.Hash}, nil
}

// AuditEntries calls fn for every entry in storage order.
func (t *Tx) AuditEntries(fn func(key uint64, a *tracker.AuditEntry) error) error {
	b := t.tx.Bucket(bucketAudit)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var a tracker.AuditEntry
		key := binary.BigEndian.Uint64(k)
		if err := DecodeValue(v, &a); err != nil {
			return &tracker.AuditProblem{Key: key, Message: fmt.Sprintf("审计日志第 %d 个位置的记录无法读取：记录被改动", key)}
		}
		return fn(key, &a)
	})
}

// ReminderState returns how far event id's reminders have gone.
func (t *Tx) ReminderState(id uint64) (tracker.ReminderState, error) {
	var st tracker.ReminderState
	b := t.tx.Bucket(bucketRemind)
	if b == nil {
		return st, nil
	}
	if v := b.Get(idKey(id)); v != nil {
		if err := DecodeValue(v, &st); err != nil {
			return st, fmt.Errorf("reminder state of event %d: %w", id, err)
		}
	}
	return st, nil
}

// PutReminderState records how far event id's reminders have gone.
func (t *Tx) PutReminderState(id uint64, st tracker.ReminderState) error {
	v, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bucketRemind).Put(idKey(id), v)
}

// messageContent is what a message says, stored apart from its state, once:
// a sender changes the state of a message several times, and a report's
// content runs to megabytes.
type messageContent struct {
	Text        string               `json:"text"`
	HTML        string               `json:"html,omitempty"`
	Attachments []tracker.Attachment `json:"attachments,omitempty"`
}

// PutMessage stores a message; a new one gets the next id, and its key
// must be free. The content (text, HTML, attachments) of a new message is
// stored once; later puts store the state alone.
func (t *Tx) PutMessage(m *tracker.Message) error {
	isNew := m.ID == 0
	b, keys := t.tx.Bucket(bucketOutbox), t.tx.Bucket(bucketOutKeys)
	if m.ID == 0 {
		if keys.Get([]byte(m.Key)) != nil {
			return fmt.Errorf("outbox key %q is taken", m.Key)
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		m.ID = id
		if err := keys.Put([]byte(m.Key), idKey(id)); err != nil {
			return err
		}
	}
	if isNew && m.ContentOf == 0 {
		cv, err := EncodeValue(messageContent{m.Text, m.HTML, m.Attachments})
		if err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketContent).Put(idKey(m.ID), cv); err != nil {
			return err
		}
	}
	state := *m
	state.Text, state.HTML, state.Attachments = "", "", nil
	v, err := EncodeValue(&state)
	if err != nil {
		return err
	}
	if err := b.Put(idKey(m.ID), v); err != nil {
		return err
	}
	// The indexes of what senders and digests look for.
	for _, ix := range []struct {
		bucket []byte
		in     bool
	}{
		{bucketPending, m.State == tracker.Queued || m.State == tracker.Sending},
		{bucketFailed, m.State == tracker.Failed && !m.Reported},
	} {
		var err error
		if ix.in {
			err = t.tx.Bucket(ix.bucket).Put(idKey(m.ID), nil)
		} else {
			err = t.tx.Bucket(ix.bucket).Delete(idKey(m.ID))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// PendingMessages calls fn for every message queued or being sent.
func (t *Tx) PendingMessages(fn func(*tracker.Message) error) error {
	return t.indexed(bucketPending, fn)
}

// UnreportedFailures calls fn for every failed message not yet reported.
func (t *Tx) UnreportedFailures(fn func(*tracker.Message) error) error {
	return t.indexed(bucketFailed, fn)
}

func (t *Tx) indexed(index []byte, fn func(*tracker.Message) error) error {
	ix := t.tx.Bucket(index)
	if ix == nil {
		return nil
	}
	var ids []uint64
	if err := ix.ForEach(func(k, _ []byte) error {
		ids = append(ids, binary.BigEndian.Uint64(k))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		m, err := t.MessageState(id)
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// Message returns the message with the id, content included.
func (t *Tx) Message(id uint64) (*tracker.Message, error) {
	m, err := t.MessageState(id)
	if err != nil {
		return nil, err
	}
	from := id
	if m.ContentOf != 0 {
		from = m.ContentOf
	}
	if v := t.tx.Bucket(bucketContent).Get(idKey(from)); v != nil {
		var c messageContent
		if err := DecodeValue(v, &c); err != nil {
			return nil, fmt.Errorf("outbox message %d content: %w", id, err)
		}
		m.Text, m.HTML, m.Attachments = c.Text, c.HTML, c.Attachments
	}
	return m, nil
}

// MessageState returns the message with the id, without its content.
func (t *Tx) MessageState(id uint64) (*tracker.Message, error) {
	b := t.tx.Bucket(bucketOutbox)
	var v []byte
	if b != nil {
		v = b.Get(idKey(id))
	}
	if v == nil {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldMessage, "发件箱中没有编号为 %d 的邮件", id)
	}
	var m tracker.Message
	if err := DecodeValue(v, &m); err != nil {
		return nil, fmt.Errorf("outbox message %d: %w", id, err)
	}
	return &m, nil
}

// MessageByKey returns the message with the key, or nil.
func (t *Tx) MessageByKey(key string) (*tracker.Message, error) {
	keys := t.tx.Bucket(bucketOutKeys)
	if keys == nil {
		return nil, nil
	}
	k := keys.Get([]byte(key))
	if k == nil {
		return nil, nil
	}
	return t.MessageState(binary.BigEndian.Uint64(k))
}

// Messages calls fn for every message in id order.
func (t *Tx) Messages(fn func(*tracker.Message) error) error {
	b := t.tx.Bucket(bucketOutbox)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var m tracker.Message
		if err := DecodeValue(v, &m); err != nil {
			return fmt.Errorf("outbox message %d: %w", binary.BigEndian.Uint64(k), err)
		}
		return fn(&m)
	})
}
