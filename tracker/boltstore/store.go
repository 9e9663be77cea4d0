package boltstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"gongkai/tracker"
)

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
	bucketFigures  = []byte("event_figures") // counts of events by state, deadline and 一级事项 (figures.go)
	bucketMigrated = []byte("migrations")    // number → the migration's name and when it ran
	bucketAccounts = []byte("accounts")      // name → access.Account
	bucketSections = []byte("sections")      // name → access.Section
	bucketTokens   = []byte("tokens")        // SHA-256 of the secret, hex → access.Token
	keySchema      = []byte("schema_version")
	keyGeneration  = []byte("generation") // counts the writes of data (Tx.Generation)
	keyCatalog     = []byte("current")

	allBuckets = [][]byte{bucketCalendar, bucketCatalog, bucketEvents, bucketOpen, bucketAudit, bucketRemind, bucketOutbox, bucketOutKeys, bucketContent, bucketBlobs, bucketPending, bucketFailed, bucketDates, bucketByDue, bucketByClosed, bucketFigures, bucketAccounts, bucketSections, bucketTokens}
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
	Path    string
	Reason  string // in Chinese
	Err     error
	Damaged bool // the file is damaged, or not a database: restore it from a backup
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("数据库 %s 无法使用：%s", e.Path, e.Reason)
}

func (e *OpenError) Unwrap() error { return e.Err }

func openError(path string, err error) error {
	if tracker.AsError(err) != nil {
		return err // damage found while opening (guarded)
	}
	oe := &OpenError{Path: path, Reason: err.Error(), Err: err, Damaged: true}
	switch {
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch):
		oe.Reason = "不是 gongkai 的数据库文件，或文件已损坏"
	case errors.Is(err, berrors.ErrChecksum):
		oe.Reason = "文件已损坏（校验和不符），请从备份恢复"
	case strings.HasPrefix(err.Error(), "file size too small"):
		oe.Reason = fmt.Sprintf("文件太短，不是完整的数据库，或文件已损坏（%v）", err)
	case errors.Is(err, fs.ErrNotExist):
		oe.Reason, oe.Damaged = "所在的文件夹不存在", false
	case errors.Is(err, fs.ErrPermission):
		oe.Reason, oe.Damaged = "没有读写这个文件的权限", false
	default:
		oe.Reason = fmt.Sprintf("无法打开（%v）", err)
		oe.Damaged = false
	}
	return oe
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
	// Upgrading, when not nil, hears that a file written by an older
	// gongkai is about to be upgraded: once per open that upgrades, before
	// the migrations run (a minute or more for a million events), never
	// for a new file.
	Upgrading func()
	// AnySchema, with ReadOnly, opens a file whatever its schema, a newer
	// gongkai's included, for what copies it as it is (a backup).
	AnySchema bool
	// Bulk: the writer will add much in one transaction (an import of a
	// ledger); see mmapSize.
	Bulk bool
}

// Store is an open database.
type Store struct {
	db   *bolt.DB
	path string
	// outdated: opened read-only, the file still needs migrations, and
	// its indexes cannot be trusted until they run.
	outdated bool
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
	var (
		db   *bolt.DB
		file *os.File
	)
	err := guarded(path, func() (err error) {
		db, err = bolt.Open(path, o.Mode, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly, InitialMmapSize: mmapSize(o),
			OpenFile: func(name string, flag int, perm fs.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				file = f
				return f, err
			}})
		return err
	})
	if db == nil && file != nil && tracker.ErrorCode(err) == tracker.EDamaged {
		// bbolt panicked part way through opening a damaged file (reading
		// its freelist): close the descriptor it would have kept. Its
		// mapping stays, and with it the lock, until the process ends:
		// bbolt gives no handle on it. A command ends there; a process
		// that lives on must not wait for this file again.
		file.Close()
	}
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, path: path}
	if err = s.wholeFile(); err == nil {
		switch {
		case o.ReadOnly && o.AnySchema:
		case o.ReadOnly:
			s.outdated, err = s.checkSchema()
		default:
			err = s.migrate(o.Upgrading)
		}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// mmapSize is the address space a bulk writer maps from the start. bbolt
// maps the file and, whenever a commit outgrows the mapping, maps it
// again, first copying every page the transaction changed out of the old
// mapping: an import of a million events would copy its gigabyte a dozen
// times. Mapping 8 GiB of address space from the start costs no memory
// where the system maps beyond the end of a file (Linux, the BSDs, macOS);
// Windows would grow the file to it, so there bbolt's own steps stay, as
// they do for every other writer.
func mmapSize(o Options) int {
	if !o.Bulk || o.ReadOnly || runtime.GOOS == "windows" || strconv.IntSize < 64 {
		return 0
	}
	return int(bulkMmap)
}

// bulkMmap is a variable, not a constant: 8 GiB is no int on a 32-bit
// system, which never uses it.
var bulkMmap int64 = 8 << 30

// wholeFile makes sure the file is as long as its pages say: a file cut
// short (a copy that stopped, a full disk) would fault on its last pages.
func (s *Store) wholeFile() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return openError(s.path, err)
	}
	return s.view(func(tx *bolt.Tx) error {
		if want := tx.Size(); fi.Size() < want {
			return &OpenError{Path: s.path, Damaged: true, Reason: fmt.Sprintf(
				"文件被截短了：它的页面要求至少 %d 字节，实际只有 %d 字节，请从备份恢复", want, fi.Size())}
		}
		return nil
	})
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
		code := tracker.EInvalid
		if oe.Damaged {
			code = tracker.EDamaged
		}
		return &tracker.Error{Code: code, Field: tracker.FieldDatabase, Message: oe.Error(), Err: err}
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
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil
		}
		n, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil {
			return &OpenError{Path: s.path, Damaged: true, Reason: fmt.Sprintf("数据格式版本 %q 无法识别，文件可能已损坏", meta.Get(keySchema)), Err: err}
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

// Tx is one transaction: everything done in it is written together or not
// at all.
type Tx struct {
	tx *bolt.Tx
	// The audit log's last entry, once known in this transaction.
	lastSeq  uint64
	lastHash string
	// marks looks up reminder marks in a read transaction (ReminderState).
	marks *lookupCursor
	// dated: keys of the date indexes waiting to be written (putDated),
	// by index.
	dated map[string]map[string]struct{}
}

// Generation counts the writes of data committed before this transaction
// began: every Update moves it on (meta "generation"); the chunks of large
// contents, written ahead of their message, do not, since no plan reads
// them.
func (t *Tx) Generation() uint64 {
	if meta := t.tx.Bucket(bucketMeta); meta != nil {
		n, _ := strconv.ParseUint(string(meta.Get(keyGeneration)), 10, 64)
		return n
	}
	return 0
}

var _ tracker.Store = (*Store)(nil)
var _ tracker.Tx = (*Tx)(nil)

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tracker.Tx) error) error {
	return s.naming(s.view(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) }))
}

// naming makes an EDamaged error name the file it is about: a record
// cannot be read, whoever found it.
func (s *Store) naming(err error) error {
	if e := tracker.AsError(err); e != nil && e.Code == tracker.EDamaged && !strings.Contains(e.Message, s.path) {
		e.Message = fmt.Sprintf("数据库 %s 已损坏：%s", s.path, e.Message)
	}
	return err
}

// Update runs fn in a read-write transaction, committed when fn returns
// nil and rolled back otherwise.
func (s *Store) Update(fn func(tracker.Tx) error) error {
	return s.naming(s.update(func(tx *bolt.Tx) error { return s.unit(tx, fn) }))
}

// Batch runs fn in a read-write transaction that it may share with the
// writers of other goroutines calling Batch at the same time: one commit,
// one sync of the disk, for all of them (bbolt's DB.Batch). fn sees what
// those before it in the transaction wrote, as if each ran alone in turn.
// When one of them fails, the transaction is rolled back and the others
// run again without it: fn may run more than once, and must do nothing
// outside the transaction but set its results. Batch returns once fn's
// work is committed (or has failed).
func (s *Store) Batch(fn func(tracker.Tx) error) error {
	return s.naming(guarded(s.path, func() error {
		return s.db.Batch(func(tx *bolt.Tx) error { return s.unit(tx, fn) })
	}))
}

// unit is one writer's work in tx: fn, then the date indexes it left to
// write and the next generation.
func (s *Store) unit(tx *bolt.Tx, fn func(tracker.Tx) error) error {
	for _, b := range [][]byte{bucketEvents, bucketOpen, bucketAudit, bucketOutbox} {
		// Keys only grow: pack the pages instead of leaving them half full.
		tx.Bucket(b).FillPercent = 0.95
	}
	t := &Tx{tx: tx}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushDated(); err != nil {
		return err
	}
	// The next generation: what a plan read before this one no longer
	// sees. Chunks of large contents (blobs.go) are written without it:
	// they change nothing a plan reads.
	return tx.Bucket(bucketMeta).Put(keyGeneration, strconv.AppendUint(nil, t.Generation()+1, 10))
}

// errMissing is a record an index points to and that is not there.
var errMissing = errors.New("record missing")

// damaged is a stored record that cannot be read, or that is missing
// where an index says it is: EDamaged, naming it (what, and its id or
// year when it has one).
func damaged(field, what string, id any, err error) error {
	name := what
	if s := fmt.Sprint(id); s != "" {
		name += " " + s + " "
	}
	return &tracker.Error{Code: tracker.EDamaged, Field: field, Err: err,
		Message: fmt.Sprintf("%s无法读取，请从备份恢复", name)}
}

// Size is the database file's size in bytes, as of the transaction.
func (t *Tx) Size() int64 { return t.tx.Size() }

// DatabasePath is the database file's path (for the system status).
func (s *Store) DatabasePath() string { return s.path }
