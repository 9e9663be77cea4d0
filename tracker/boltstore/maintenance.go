package boltstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/atomic"
)

// Backup writes a consistent copy of the database to dst, from one read
// transaction: writers go on meanwhile, and the copy is the database as it
// was when the backup began. The copy is written beside dst, synced to
// disk, then given its name (atomic.Write), so that dst is never a
// partial copy. Backup refuses a dst that exists, even one that appears
// meanwhile, and a folder that does not (tracker.EInvalid, field "file");
// a copy that cannot be written (a full disk, say) is
// tracker.EUnavailable.
func (s *Store) Backup(dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return tracker.Invalid(tracker.FieldFile, "备份文件 %q 已存在：请换一个文件名，或先移走旧文件", dst)
	}
	dir := filepath.Dir(dst)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return tracker.Invalid(tracker.FieldFile, "备份文件 %q 所在的文件夹 %s 不存在", dst, dir)
	}
	err := atomic.Write(dst, 0o600, false, func(w io.Writer) error {
		return s.view(func(tx *bolt.Tx) error {
			_, err := tx.WriteTo(w)
			return err
		})
	})
	switch {
	case err == nil, tracker.ErrorCode(err) != "":
		return err
	case errors.Is(err, atomic.ErrExist):
		return tracker.Invalid(tracker.FieldFile, "备份文件 %s 在备份期间被其他程序创建，未覆盖它：请换一个文件名", dst)
	}
	return &tracker.Error{Code: tracker.EUnavailable, Field: tracker.FieldFile, Err: err,
		Message: fmt.Sprintf("备份到 %s 失败：%s", dst, tracker.OSProblem(err))}
}

// BackupTo writes a consistent copy of the database to w, from one read
// transaction, as Backup does to a file.
func (s *Store) BackupTo(w io.Writer) error {
	return s.view(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(w)
		return err
	})
}

// MaxProblems is how many problems a CheckReport lists; it counts the rest.
const MaxProblems = 1000

// CheckReport is what Check found.
type CheckReport struct {
	// Buckets are the file's buckets in the file's order, each with its
	// number of records.
	Buckets []BucketCount
	// Problems are what is damaged, at most MaxProblems of them, in the
	// order found: the file's structure first, then bucket by bucket.
	Problems []Problem
	// Omitted counts the problems found beyond MaxProblems.
	Omitted int
}

// BucketCount is one bucket and its number of records.
type BucketCount struct {
	Name    string
	Records int
	// Known: a bucket this version of gongkai writes, whose every record
	// Check decoded. Others are only counted.
	Known bool
}

// Problem is one damaged thing.
type Problem struct {
	Bucket  string // "" for the file's structure
	Key     string // the record's key as gongkai dump shows it; "" for a whole bucket or the file
	Message string // what is wrong, in Chinese
}

// String says the problem for people, naming the bucket and the key.
func (p Problem) String() string {
	switch {
	case p.Bucket == "":
		return p.Message
	case p.Key == "":
		return fmt.Sprintf("桶 %s：%s", p.Bucket, p.Message)
	}
	return fmt.Sprintf("桶 %s 键 %s：%s", p.Bucket, p.Key, p.Message)
}

// OK reports whether Check found nothing damaged.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// Records returns the number of records of the named bucket; 0 when the
// file has no such bucket.
func (r *CheckReport) Records(bucket string) int {
	for _, b := range r.Buckets {
		if b.Name == bucket {
			return b.Records
		}
	}
	return 0
}

func (r *CheckReport) add(bucket, key, format string, args ...any) {
	if len(r.Problems) >= MaxProblems {
		r.Omitted++
		return
	}
	r.Problems = append(r.Problems, Problem{Bucket: bucket, Key: key, Message: fmt.Sprintf(format, args...)})
}

// Check reads the whole file and reports what is damaged.
//
// First the file's structure, with bbolt's own check (Tx.Check): every
// page reachable from the root and the freelist, each page once, keys in
// order, no page both used and free, none lost. Then every record of every
// bucket gongkai writes is decoded as what it should be (events, their
// open copies, audit entries, the catalogue, imported schedules, reminder
// states, outbox messages, their content and keys, event dates), and every
// index is checked both ways: each key of open_events, events_by_deadline,
// events_by_closed, event_dates, reminders, outbox_pending,
// outbox_unreported, outbox_keys and outbox_content points to a record that
// exists and says the same, and each event and message is in the indexes
// its state asks for. It does not verify the audit log's hash chain
// (tracker.AuditChecker does). Events and outbox messages are never
// deleted: their ids must run from 1 to their bucket's sequence without a
// gap.
//
// Problems are reported, not returned as errors: the error is for a check
// that could not run. A file whose pages are damaged may stop the reading
// of records part way; that is reported as a problem too.
//
// On a store opened for writing, the structure is checked in a write
// transaction that is rolled back (bbolt's check is not safe beside a
// writer otherwise), so writers wait for that part; records are read in a
// read transaction, beside them.
func (s *Store) Check() (CheckReport, error) { return s.CheckWith(CheckHooks{}) }

// CheckHooks hand what Check reads, in key order, to a caller that checks
// more of it in the same pass: the audit chain and the events' binding.
type CheckHooks struct {
	// Audit takes each audit entry as tracker.ReadAuditEntry reads it, on
	// every core; without an entry when it cannot be read.
	Audit func(key uint64, r tracker.ReadEntry)
	// Event takes each event's hashes, the raw one computed on every
	// core; empty when it cannot be read.
	Event func(key uint64, h tracker.StoredHash)
}

// CheckWith is Check, handing the records it reads to hooks.
func (s *Store) CheckWith(hooks CheckHooks) (CheckReport, error) {
	var (
		r   CheckReport
		err error
	)
	structure := func(p any) { r.add("", "", "文件结构损坏：%s（%v）", pageTrouble(p), p) }
	if p := caught(func() {
		var tx *bolt.Tx
		if tx, err = s.db.Begin(!s.db.IsReadOnly()); err != nil {
			return
		}
		defer tx.Rollback()
		for err := range tx.Check() {
			structure(err)
		}
	}); p != nil {
		structure(p)
	}
	if err != nil {
		return r, fmt.Errorf("check: %w", err)
	}
	if p := caught(func() {
		err = s.db.View(func(tx *bolt.Tx) error {
			(&checker{tx: tx, r: &r, indexesDue: s.outdated, hooks: hooks}).run()
			return nil
		})
	}); p != nil {
		structure(p)
	}
	return r, err
}

// checker reads every record of one transaction.
type checker struct {
	tx *bolt.Tx
	r  *CheckReport

	bucket string
	kind   keyKind
	rule   rule
	// cur is the batch being gathered; decoding, the one before it, which
	// the workers decode meanwhile; spare, a batch to gather into next.
	cur, decoding, spare *recordBatch
	// verifying: a batch is being verified (a fault then is one of the
	// lookups, not of the walk).
	verifying bool
	// Buckets that lookups skip: missing, or with pages that could not
	// be read.
	skip map[string]bool
	// indexesDue: the file still needs migrations, which build its
	// indexes; they are not compared with the records until then.
	indexesDue bool
	hooks      CheckHooks
	// figures are the counts event_figures should hold, from event_dates
	// as read; figuresOK: it was read whole.
	figures   map[string]int64
	figuresOK bool
	// figuresLost: a record of event_dates could not be counted;
	// figuresHave, figuresWhole: event_figures as read, and whole.
	figuresLost  bool
	figuresHave  map[string]int64
	figuresWhole bool
	// broken: the bucket being read stopped part way (damaged pages).
	broken bool
	// cursors are the lookups' positions, by bucket: records are mostly
	// looked up in the order of their keys, a step or two apart.
	cursors map[string]*lookupCursor
	// dates holds event_dates as read (by event id) for the buckets read
	// after it, and the keys of the date indexes found right; nil when
	// event_dates could not be read whole.
	seen *datesSeen
}

// rule is how the records of one bucket are checked.
type rule struct {
	// decode reads a value as what it should be. It only reads its
	// arguments, so that batches are decoded on every core.
	decode func(k, v []byte) (any, error)
	// verify compares a decoded record with the others (indexes), in
	// order, in the transaction.
	verify func(c *checker, k []byte, x any)
	// records names the records of a bucket whose ids come from its
	// sequence and are never deleted: ids run from 1 to the sequence
	// without a gap.
	records string
	// undecoded takes the key of a record that cannot be decoded.
	undecoded func(c *checker, k []byte)
	// done runs when the bucket has been read (c.broken: not whole).
	done func(c *checker)
}

func (c *checker) run() {
	hasMeta, hasAny := false, false
	c.tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		hasAny = true
		hasMeta = hasMeta || bytes.Equal(name, bucketMeta)
		c.walk(name, b)
		return nil
	})
	c.dateIndexesMissing()
	c.compareFigures()
	if hasAny && !hasMeta {
		c.r.add("", "", "没有 meta 桶（数据格式版本）：不是完整的 gongkai 数据库")
	}
	if meta := c.tx.Bucket(bucketMeta); meta != nil && meta.Get(keySchema) == nil {
		c.r.add(string(bucketMeta), showKey(keyText, keySchema), "缺少数据格式版本")
	}
}

// walk reads every record of one bucket. Damaged pages make bbolt panic,
// or fault when they point outside the file: either is reported, and the
// next bucket is read.
func (c *checker) walk(name []byte, b *bolt.Bucket) {
	c.bucket = keyName(name)
	l, known := layouts[string(name)]
	c.kind, c.rule = l.key, rules[string(name)]
	count := BucketCount{Name: c.bucket, Known: known}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	c.broken = false
	defer func() {
		if p := recover(); p != nil {
			c.broken = true
			where := "无法读取"
			if count.Records > 0 {
				where = fmt.Sprintf("读到第 %d 条记录后无法继续", count.Records)
			}
			c.r.add(count.Name, "", "%s：%s，文件已损坏，请从备份恢复（%v）", where, pageTrouble(p), p)
			c.salvage()
		}
		c.r.Buckets = append(c.r.Buckets, count)
	}()
	var next uint64 = 1 // the id expected next, in a sequenced bucket
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if c.rule.records != "" && len(k) == 8 {
			id := binary.BigEndian.Uint64(k)
			if id > next {
				c.r.add(c.bucket, showKey(keyID, idKey(next)), "缺少编号 %d 至 %d 的%s：gongkai 从不删除%s", next, id-1, c.rule.records, c.rule.records)
			}
			next = id + 1
		}
		if v == nil && b.Bucket(k) != nil {
			if known {
				c.r.add(c.bucket, showKey(keyRaw, k), "gongkai 不使用嵌套的桶：这里却有一个")
			}
			continue
		}
		count.Records++
		if !known {
			continue
		}
		if why := badKey(l.key, k); why != "" {
			c.r.add(c.bucket, showKey(keyRaw, k), "键的格式不对：%s", why)
			continue
		}
		b := c.gathering()
		b.keys, b.vals = append(b.keys, k), append(b.vals, v)
		if len(b.keys) == checkBatch {
			c.flush()
		}
	}
	c.flush()
	c.settle()
	if c.rule.records != "" {
		switch last, seq := next-1, b.Sequence(); {
		case last > seq:
			c.r.add(c.bucket, "", "最大编号 %d 大于桶的序号 %d：新登记的%s会覆盖已有的%s", last, seq, c.rule.records, c.rule.records)
		case last < seq:
			c.r.add(c.bucket, showKey(keyID, idKey(last+1)), "缺少编号 %d 至 %d 的%s（最后的记录被删除）：gongkai 从不删除%s", last+1, seq, c.rule.records, c.rule.records)
		}
	}
	if c.rule.done != nil && !c.indexesDue {
		c.rule.done(c)
	}
}

var checkBatch = 512 // a variable for the tests, which make it small

// recordBatch is a batch of records: read in the transaction, decoded on
// every core, then verified in order.
type recordBatch struct {
	keys, vals [][]byte // valid in the transaction
	out        []any
	errs       []error
	// hashes of the batch's events (their stored JSON's, or their
	// canonical JSON's), for the hooks; the audit entries are read for
	// them (tracker.ReadEntry) in out.
	hashes []string
	done   sync.WaitGroup
}

// gathering returns the batch records are gathered into.
func (c *checker) gathering() *recordBatch {
	if c.cur == nil {
		c.cur, c.spare = c.spare, nil
		if c.cur == nil {
			c.cur = new(recordBatch)
		}
	}
	return c.cur
}

// flush starts decoding the batch gathered, and verifies the one before it
// while that goes on: the records are verified in order, each batch while
// the next is decoded.
func (c *checker) flush() {
	b := c.cur
	if b == nil || len(b.keys) == 0 {
		return
	}
	c.cur = nil
	c.decode(b)
	prev := c.decoding
	c.decoding = b
	if prev != nil {
		prev.done.Wait()
		c.verify(prev)
	}
}

// settle verifies the batch being decoded, once it is: the bucket is done.
func (c *checker) settle() {
	if b := c.decoding; b != nil {
		c.decoding = nil
		b.done.Wait()
		c.verify(b)
	}
}

// salvage verifies, when a bucket's pages failed part way, the records
// read before: the batch being decoded and the one being gathered. When
// it was verifying that failed, or verifying them fails too, the rest is
// dropped.
func (c *checker) salvage() {
	failed := c.verifying
	c.verifying = false
	defer func() {
		if recover() != nil {
			c.verifying = false
			c.discard()
		}
	}()
	if failed {
		c.discard()
		return
	}
	c.flush()
	c.settle()
}

// discard drops the batches of a bucket that could not be read whole,
// once their decoding is over.
func (c *checker) discard() {
	if b := c.decoding; b != nil {
		b.done.Wait()
		c.recycle(b)
	}
	if c.cur != nil {
		c.recycle(c.cur)
	}
	c.cur, c.decoding = nil, nil
}

func (c *checker) recycle(b *recordBatch) {
	clear(b.out)
	clear(b.vals)
	b.keys, b.vals = b.keys[:0], b.vals[:0]
	c.spare = b
}

// hand gives record i of the batch to the hooks, when it is theirs.
func (c *checker) hand(b *recordBatch, i int) {
	if len(b.keys[i]) != 8 {
		return // not an id: reported already
	}
	key := binary.BigEndian.Uint64(b.keys[i])
	switch {
	case c.hooks.Audit != nil && c.bucket == string(bucketAudit):
		r, _ := b.out[i].(tracker.ReadEntry)
		c.hooks.Audit(key, r)
	case c.hooks.Event != nil && c.bucket == string(bucketEvents):
		var h tracker.StoredHash
		if e, ok := b.out[i].(*tracker.Event); ok && b.errs[i] == nil {
			h = tracker.StoredHash{Raw: b.hashes[i], Canonical: func() string {
				s, _ := tracker.EventHash(e)
				return s
			}}
		}
		c.hooks.Event(key, h)
	}
}

// decode starts decoding the batch on every core; b.done says when it is
// over.
func (c *checker) decode(b *recordBatch) {
	n := len(b.keys)
	b.out = slices.Grow(b.out[:0], n)[:n]
	b.errs = slices.Grow(b.errs[:0], n)[:n]
	b.hashes = slices.Grow(b.hashes[:0], n)[:n]
	hashEvents := c.hooks.Event != nil && c.bucket == string(bucketEvents)
	readAudit := c.hooks.Audit != nil && c.bucket == string(bucketAudit)
	rule := c.rule
	tracker.Spread(&b.done, n, func(i int) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // a page outside the file: an error, not a crash
		b.hashes[i] = ""
		decode := rule.decode
		if hashEvents {
			decode = hashingEvent(&b.hashes[i])
		}
		b.out[i], b.errs[i] = safeDecode(decode, b.keys[i], b.vals[i])
		if b.errs[i] != nil {
			b.hashes[i] = ""
		} else if a, ok := b.out[i].(*tracker.AuditEntry); ok && readAudit {
			b.out[i] = tracker.ReadAuditEntry(a)
		}
	})
}

// verify checks a decoded batch against the others, in order, and hands
// its records to the hooks.
func (c *checker) verify(b *recordBatch) {
	c.verifying = true // left so when a fault stops it
	for i := range b.keys {
		switch {
		case b.errs[i] != nil:
			c.r.add(c.bucket, showKey(c.kind, b.keys[i]), "记录无法解码（%v）", b.errs[i])
			if c.rule.undecoded != nil && !c.indexesDue {
				c.rule.undecoded(c, b.keys[i])
			}
		case c.rule.verify != nil && !c.indexesDue:
			c.rule.verify(c, b.keys[i], b.out[i])
		}
		c.hand(b, i)
	}
	c.verifying = false
	c.recycle(b)
}

func safeDecode(decode func(k, v []byte) (any, error), k, v []byte) (x any, err error) {
	if decode == nil {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("读取时出错：%v", p)
		}
	}()
	return decode(k, v)
}

// badKey says why k is not a key of the kind, or "".
func badKey(kind keyKind, k []byte) string {
	want := 0
	switch kind {
	case keyID:
		want = 8
	case keyUint32:
		want = 4
	case keyDateID:
		want = 12
	}
	switch {
	case want != 0 && len(k) != want:
		return fmt.Sprintf("应为 %d 字节，实有 %d 字节", want, len(k))
	case kind == keyDateID:
		if _, _, ok := parseDateKey(k); !ok {
			return fmt.Sprintf("前 4 个字节 %d 不是 yyyymmdd 格式的日期", binary.BigEndian.Uint32(k[:4]))
		}
	case kind == keyText && !isText(k):
		return "不是文本"
	}
	return ""
}

// migrationRecord is a record of migrations: which one ran, and when.
type migrationRecord struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// eventDates is an event's record in event_dates: its deadline and
// closing day, which keep the date indexes right as they move, and what
// the on-time rate reads of the events due in a week (its state, date
// and 一级事项), so that the weekly report does not decode them.
//
// It is stored in a binary form (records.go); before schema 9, as JSON with
// Go's field names.
type eventDates struct {
	Deadline, ClosedOn calendar.Date
	State              tracker.Status
	Date               calendar.Date
	Level1             string
	// Text is what a search of events reads: the summary and the 文号
	// narrowed (tracker.Narrow), and who logged it, a line each (since
	// schema 19; "" in older records).
	Text string
}

// hashingEvent decodes an event, putting the SHA-256 of its stored JSON
// in *hash; for an event in its binary form, which reads back as its
// canonical JSON (records.go), the hash of that.
func hashingEvent(hash *string) func(k, v []byte) (any, error) {
	return func(_, v []byte) (any, error) {
		e := new(tracker.Event)
		err := decodeSeen(v, e, func(js []byte) {
			sum := sha256.Sum256(js)
			*hash = hex.EncodeToString(sum[:])
		})
		if err != nil {
			return nil, err
		}
		if v[0] == tagEvent {
			*hash = tracker.QuickEventHash(e) // encodeEvent checked it agrees
		}
		return e, nil
	}
}

// decodeAs returns a decoder of values into a new T.
func decodeAs[T any]() func(k, v []byte) (any, error) {
	return func(_, v []byte) (any, error) {
		x := new(T)
		if err := DecodeValue(v, x); err != nil {
			return nil, err
		}
		return x, nil
	}
}

// emptyValue is the decoder of index buckets whose keys are all.
func emptyValue(_, v []byte) (any, error) {
	if len(v) != 0 {
		return nil, fmt.Errorf("索引记录应当为空，实有 %d 字节", len(v))
	}
	return nil, nil
}

// rules are how every bucket gongkai writes is checked.
var rules = map[string]rule{
	string(bucketMeta): {decode: func(k, v []byte) (any, error) {
		if bytes.Equal(k, keySchema) {
			if _, err := strconv.Atoi(string(v)); err != nil {
				return nil, fmt.Errorf("数据格式版本 %q 无法识别", v)
			}
		}
		return nil, nil
	}},
	string(bucketCalendar): {decode: decodeAs[calendar.Schedule](), verify: func(c *checker, k []byte, x any) {
		if y := int(binary.BigEndian.Uint32(k)); x.(*calendar.Schedule).Year != y {
			c.problem(k, "记录中的年份 %d 与键不符", x.(*calendar.Schedule).Year)
		}
	}},
	string(bucketCatalog):  {decode: decodeAs[tracker.Catalog]()},
	string(bucketMigrated): {decode: decodeAs[migrationRecord]()},
	string(bucketAccounts): {decode: decodeAs[access.Account](), verify: (*checker).verifyAccount},
	string(bucketSections): {decode: decodeAs[access.Section](), verify: (*checker).verifySection},
	string(bucketTokens):   {decode: decodeAs[access.Token](), verify: (*checker).verifyToken},
	string(bucketAudit):    {decode: decodeAs[tracker.AuditEntry]()},
	string(bucketEvents): {decode: decodeAs[tracker.Event](), verify: (*checker).verifyEvent, records: "事件", undecoded: func(c *checker, k []byte) {
		c.seen.event(binary.BigEndian.Uint64(k)) // stored, if unreadable
	}, done: (*checker).eventsRead},
	string(bucketOpen): {decode: func(k, v []byte) (any, error) {
		if len(v) == 0 {
			return nil, nil // indexed before the index kept copies
		}
		return decodeAs[tracker.Event]()(k, v)
	}, verify: func(c *checker, k []byte, x any) {
		id := binary.BigEndian.Uint64(k)
		if c.lacks(bucketEvents, k) {
			c.problem(k, "指向的事件 %d 不存在", id)
		}
		if e, ok := x.(*tracker.Event); ok && e.ID != id {
			c.problem(k, "记录中的事件编号 %d 与键不符", e.ID)
		}
	}},
	string(bucketRemind): {decode: func(_, v []byte) (any, error) {
		st, err := decodeMarks(v)
		return &st, err
	}, verify: func(c *checker, k []byte, _ any) {
		if c.lacks(bucketEvents, k) {
			c.problem(k, "提醒记录所属的事件 %d 不存在", binary.BigEndian.Uint64(k))
		}
	}},
	string(bucketOutbox): {decode: decodeAs[tracker.Message](), verify: (*checker).verifyMessage, records: "邮件"},
	string(bucketBlobs): {decode: func(_, v []byte) (any, error) {
		if len(v) == 0 {
			return nil, fmt.Errorf("内容块是空的")
		}
		return nil, nil // checked whole, against its hash, when read
	}},
	string(bucketContent): {decode: func(k, v []byte) (any, error) {
		if isBlobRef(v) {
			return blobRefValue(v), nil // its chunks are looked up in order, below
		}
		return decodeAs[messageContent]()(k, v)
	}, verify: func(c *checker, k []byte, x any) {
		if c.lacks(bucketOutbox, k) {
			c.problem(k, "邮件内容所属的邮件 %d 不存在", binary.BigEndian.Uint64(k))
		}
		var mc *messageContent
		switch x := x.(type) {
		case blobRefValue:
			sum, n := parseBlobRef(x)
			missing := false
			for i := uint32(0); i < n; i++ {
				if c.lacks(bucketBlobs, blobKey(sum, i)) {
					c.problem(k, "邮件内容的第 %d 块（共 %d 块）不存在", i+1, n)
					missing = true
				}
			}
			if !missing {
				mc = c.wholeContent(k, sum, n) // its attachments' chunks are named inside
			}
		case *messageContent:
			mc = x
		}
		if mc != nil {
			c.verifyAttachments(k, mc)
		}
	}},
	string(bucketOutKeys): {decode: func(_, v []byte) (any, error) {
		if len(v) != 8 {
			return nil, fmt.Errorf("应为 8 字节的邮件编号，实有 %d 字节", len(v))
		}
		return binary.BigEndian.Uint64(v), nil
	}, verify: func(c *checker, k []byte, x any) {
		if id := x.(uint64); c.lacks(bucketOutbox, idKey(id)) {
			c.problem(k, "指向的邮件 %d 不存在", id)
		}
	}},
	string(bucketPending): {decode: emptyValue, verify: messageIndex},
	string(bucketFailed):  {decode: emptyValue, verify: messageIndex},
	string(bucketDates): {decode: decodeAs[eventDates](), verify: (*checker).verifyDates, undecoded: func(c *checker, k []byte) {
		c.seen.unread(k)
		c.figuresLost = true // counts cannot be compared without every record
	}, done: (*checker).datesRead},
	string(bucketFigures): {decode: func(_, v []byte) (any, error) {
		if len(v) != 8 {
			return nil, fmt.Errorf("计数应为 8 字节，实有 %d 字节", len(v))
		}
		return int64(binary.BigEndian.Uint64(v)), nil
	}, verify: (*checker).verifyFigure, done: (*checker).figuresRead},
	string(bucketByDue): {decode: emptyValue, verify: func(c *checker, k []byte, _ any) {
		c.verifyDateIndex(k, "期限", func(d *keptDates) calendar.Date { return d.Deadline })
	}, done: (*checker).dateIndexRead},
	string(bucketByClosed): {decode: emptyValue, verify: func(c *checker, k []byte, _ any) {
		c.verifyDateIndex(k, "办结日", func(d *keptDates) calendar.Date { return d.ClosedOn })
	}, done: (*checker).dateIndexRead},
}

// problem reports a problem with record k of the bucket being read.
func (c *checker) problem(k []byte, format string, args ...any) {
	c.r.add(c.bucket, showKey(c.kind, k), format, args...)
}

// presence is what a lookup found.
type presence int

const (
	absent  presence = iota // the bucket has no such key
	present                 // it has
	unknown                 // the bucket cannot be read, or does not exist: reported once
)

// lookup finds key in bucket, even with an empty value (which Get does not
// tell from a missing key in a write transaction). A bucket whose pages are
// damaged (its own reading reports it), or that does not exist (reported
// here, once), gives unknown: the damage is not reported again record by
// record.
func (c *checker) lookup(bucket, key []byte) (v []byte, p presence) {
	name := string(bucket)
	if c.skip[name] {
		return nil, unknown
	}
	defer func() {
		if r := recover(); r != nil {
			c.skipBucket(name)
			v, p = nil, unknown
		}
	}()
	lc := c.cursors[name]
	if lc == nil {
		b := c.tx.Bucket(bucket)
		if b == nil {
			c.r.add(name, "", "缺少这个桶：依赖它的查询会漏掉记录")
			c.skipBucket(name)
			return nil, unknown
		}
		lc = &lookupCursor{cur: b.Cursor()}
		if c.cursors == nil {
			c.cursors = map[string]*lookupCursor{}
		}
		c.cursors[name] = lc
	}
	k, v := lc.seek(key)
	if !bytes.Equal(k, key) {
		return nil, absent
	}
	return v, present
}

// lookupCursor finds keys in one bucket, stepping forward from the last
// key found when the next is near, seeking otherwise.
type lookupCursor struct {
	cur    *bolt.Cursor
	k, v   []byte
	placed bool // k, v are where the cursor is (k nil: past the end)
}

// seek returns the first key ≥ key, and its value.
func (lc *lookupCursor) seek(key []byte) ([]byte, []byte) {
	if lc.placed && lc.k != nil && bytes.Compare(lc.k, key) <= 0 {
		for range 5 { // a few steps forward, else a seek
			if lc.k == nil || bytes.Compare(lc.k, key) >= 0 {
				return lc.k, lc.v
			}
			lc.k, lc.v = lc.cur.Next()
		}
	}
	lc.k, lc.v = lc.cur.Seek(key)
	lc.placed = true
	return lc.k, lc.v
}

func (c *checker) skipBucket(name string) {
	if c.skip == nil {
		c.skip = map[string]bool{}
	}
	c.skip[name] = true
}

// lacks reports whether bucket surely does not hold key.
func (c *checker) lacks(bucket, key []byte) bool {
	_, p := c.lookup(bucket, key)
	return p == absent
}

// holds reports whether bucket surely holds key.
func (c *checker) holds(bucket, key []byte) bool {
	_, p := c.lookup(bucket, key)
	return p == present
}

// dates returns what check keeps of event id's record of event_dates, if
// there is one and it can be read (one that cannot is reported with
// event_dates).
func (c *checker) dates(k []byte) (*keptDates, presence) {
	if d, p, ok := c.seen.dates(k); ok {
		return d, p
	}
	v, p := c.lookup(bucketDates, k)
	if p != present {
		return nil, p
	}
	var d eventDates
	if DecodeValue(v, &d) != nil {
		return nil, unknown
	}
	kept := keep(&d)
	return &kept, present
}

func (c *checker) verifyEvent(k []byte, x any) {
	e, id := x.(*tracker.Event), binary.BigEndian.Uint64(k)
	c.seen.event(id)
	if e.ID != id {
		c.problem(k, "记录中的事件编号 %d 与键不符", e.ID)
	}
	switch d, p := c.dates(k); {
	case p == absent:
		c.problem(k, "事件不在 event_dates 中：按期限或办结日查找时会漏掉它")
	case d != nil && (d.Deadline != e.Deadline || d.ClosedOn != e.ClosedOn):
		c.problem(k, "event_dates 记的期限 %s、办结日 %s，与事件的期限 %s、办结日 %s 不符",
			d.Deadline, d.ClosedOn, e.Deadline, e.ClosedOn)
	case d != nil && d.rate != rateHash(e.State, e.Date, e.Level1(), searchText(e)):
		var stored eventDates
		if v, p := c.lookup(bucketDates, k); p == present {
			DecodeValue(v, &stored) // the values, for the message
		}
		if stored.State == e.State && stored.Date == e.Date && stored.Level1 == e.Level1() {
			c.problem(k, "event_dates 记的查找用文字与事件的摘要、文号或登记人不符（按文字查找事件据此进行）")
			break
		}
		c.problem(k, "event_dates 记的状态“%s”、日期 %s、一级事项“%s”，与事件的“%s”、%s、“%s”不符（按时公开率据此计算）",
			stored.State, stored.Date, stored.Level1, e.State, e.Date, e.Level1())
	}
	switch {
	case e.State == tracker.Open && c.lacks(bucketOpen, k):
		c.problem(k, "事件待公开，却不在 open_events 中：待公开的列表会漏掉它")
	case e.State != tracker.Open && c.holds(bucketOpen, k):
		c.problem(k, "事件的状态是“%s”，却仍在 open_events 中", e.State.Name())
	}
}

func (c *checker) verifyDates(k []byte, x any) {
	d, id := x.(*eventDates), binary.BigEndian.Uint64(k)
	if fk, err := figureKey(d.State, d.Deadline, d.Level1); err == nil {
		if c.figures == nil {
			c.figures = map[string]int64{}
		}
		c.figures[string(fk)]++
	} else {
		c.figuresLost = true // its state is no state: the record's damage is reported below
	}
	if c.lacks(bucketEvents, k) {
		c.problem(k, "指向的事件 %d 不存在", id)
		return
	}
	if c.seeDates(id, d) {
		return // its index keys are counted as the indexes are read
	}
	if c.lacks(bucketByDue, dateKey(d.Deadline, id)) {
		c.problem(k, "events_by_deadline 中没有事件 %d 的期限 %s", id, d.Deadline)
	}
	if !d.ClosedOn.IsZero() && c.lacks(bucketByClosed, dateKey(d.ClosedOn, id)) {
		c.problem(k, "events_by_closed 中没有事件 %d 的办结日 %s", id, d.ClosedOn)
	}
}

// verifyDateIndex checks a key of events_by_deadline or events_by_closed:
// the event exists and has that date, as event_dates says.
func (c *checker) verifyDateIndex(k []byte, what string, date func(*keptDates) calendar.Date) {
	day, id, _ := parseDateKey(k)
	ik := idKey(id)
	if stored, ok := c.seen.stored(id); ok && !stored || !ok && c.lacks(bucketEvents, ik) {
		c.problem(k, "指向的事件 %d 不存在", id)
		return
	}
	d, p := c.dates(ik)
	switch {
	case p == absent:
		c.problem(k, "event_dates 中没有事件 %d，无法核对%s", id, what)
	case d != nil && date(d) != day:
		c.problem(k, "事件 %d 的%s是 %s，索引却记在 %s", id, what, date(d), day)
	case d != nil:
		c.seen.indexed(c.bucket, id)
	}
}

func (c *checker) verifyMessage(k []byte, x any) {
	m, id := x.(*tracker.Message), binary.BigEndian.Uint64(k)
	if m.ID != id {
		c.problem(k, "记录中的邮件编号 %d 与键不符", m.ID)
	}
	for _, ix := range []struct {
		bucket []byte
		want   bool
		why    string
	}{
		{bucketPending, m.State == tracker.Queued || m.State == tracker.Sending, "待发或发送中"},
		{bucketFailed, m.Unreported(), "发送失败或曾因发信故障延迟，且尚未报告"},
	} {
		switch {
		case ix.want && c.lacks(ix.bucket, k):
			c.problem(k, "邮件%s（状态“%s”），却不在 %s 中", ix.why, tracker.StateName(m.State), ix.bucket)
		case !ix.want && c.holds(ix.bucket, k):
			c.problem(k, "邮件不是%s（状态“%s”），却仍在 %s 中", ix.why, tracker.StateName(m.State), ix.bucket)
		}
	}
	from := id
	if m.ContentOf != 0 {
		from = m.ContentOf
	}
	if m.Text == "" && c.lacks(bucketContent, idKey(from)) {
		c.problem(k, "邮件的内容（outbox_content 中的 %d）不存在", from)
	}
	switch v, p := c.lookup(bucketOutKeys, []byte(m.Key)); {
	case p == absent:
		c.problem(k, "邮件的键 %q 不在 outbox_keys 中：同一封邮件可能再次排队", m.Key)
	case len(v) == 8 && binary.BigEndian.Uint64(v) != id:
		c.problem(k, "outbox_keys 中邮件的键 %q 指向另一封邮件 %d", m.Key, binary.BigEndian.Uint64(v))
	}
}

// messageIndex checks a key of outbox_pending or outbox_unreported.
func messageIndex(c *checker, k []byte, _ any) {
	if c.lacks(bucketOutbox, k) {
		c.problem(k, "指向的邮件 %d 不存在", binary.BigEndian.Uint64(k))
	}
}

// wholeContent reads a content kept in chunks, or reports why it cannot.
func (c *checker) wholeContent(k []byte, sum [32]byte, n uint32) (mc *messageContent) {
	defer func() {
		if p := recover(); p != nil {
			c.problem(k, "邮件内容的块无法读取（%v），文件已损坏", p)
			mc = nil
		}
	}()
	whole, err := readChunks(c.tx, sum, n)
	if err != nil {
		c.problem(k, "邮件内容的块与其校验值不符，文件已损坏")
		return nil
	}
	mc = new(messageContent)
	if err := DecodeValue(whole, mc); err != nil {
		c.problem(k, "邮件内容无法读取：%v", err)
		return nil
	}
	return mc
}

// verifyAttachments reports the chunks of a content's attachments that
// are not there.
func (c *checker) verifyAttachments(k []byte, mc *messageContent) {
	for j, a := range mc.Attachments {
		if a.Blob == "" {
			continue
		}
		sum, err := parseSum(a.Blob)
		if err != nil || a.Chunks == 0 {
			c.problem(k, "邮件的第 %d 个附件的校验值 %q 或块数 %d 无效", j+1, a.Blob, a.Chunks)
			continue
		}
		for i := uint32(0); i < a.Chunks; i++ {
			if c.lacks(bucketBlobs, blobKey(sum, i)) {
				c.problem(k, "邮件的第 %d 个附件的第 %d 块（共 %d 块）不存在", j+1, i+1, a.Chunks)
			}
		}
	}
}

// blobRefValue is a content record that refers to chunks.
type blobRefValue []byte

func (c *checker) verifyAccount(k []byte, x any) {
	a := x.(*access.Account)
	if a.Name != string(k) {
		c.problem(k, "记录中的账号名 %q 与键不符", a.Name)
	}
	if err := access.CheckRoles(a.Roles); err != nil {
		c.problem(k, "账号的角色无效：%s", tracker.AsError(err).Message)
	}
	for _, s := range a.Sections {
		if c.lacks(bucketSections, []byte(s)) {
			c.problem(k, "账号所属的股室 %q 不存在", s)
		}
	}
}

func (c *checker) verifySection(k []byte, x any) {
	if s := x.(*access.Section); s.Name != string(k) {
		c.problem(k, "记录中的股室名 %q 与键不符", s.Name)
	}
}

func (c *checker) verifyToken(k []byte, x any) {
	t := x.(*access.Token)
	if t.Hash != string(k) {
		c.problem(k, "记录中的哈希与键不符")
	}
	if c.lacks(bucketAccounts, []byte(t.Account)) {
		c.problem(k, "登录凭据所属的账号 %q 不存在", t.Account)
	}
}
