package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// SchemaVersion is the layout this code reads and writes.
//
//	1: meta, calendar_years
//	2: + catalog, events, open_events, audit
//	3: events, audit and catalogue deflated (codec.go); plain values still read
//	4: + reminders, outbox, outbox_keys; later, without a new version,
//	   event_dates, events_by_deadline, events_by_closed, outbox_content,
//	   outbox_pending, outbox_unreported, copies in open_events and
//	   reminder marks per deadline — written for new data only
//	5: + migrations: numbered steps, each run once and recorded, that
//	   build every index for the data written before it
//	6: copies in open_events in a binary form (copies.go), which an older
//	   gongkai cannot read
//	7: a large attachment's bytes in outbox_blobs, named by the content
//	   record (blobs.go), which an older gongkai would send empty
//	8: event_dates with each event's state, date and 一级事项, which the
//	   weekly report's on-time rate reads, and an older gongkai would not
//	   keep
//	9: events, audit entries and event_dates in their binary forms
//	   (records.go), which an older gongkai cannot read
//	10: + accounts, sections, tokens: the server's accounts, which an
//	   older gongkai would ignore, letting anybody act as anybody
//
// An older gongkai refuses a file of a newer version, so a file upgraded
// by this one is never half-understood by an older binary.
const SchemaVersion = 10

// migration is one numbered step of the layout. It runs once, in a
// transaction of its own, and is recorded in the bucket "migrations"; it
// must give the same result on any file, new or old, so that a new file and
// an upgraded one are alike.
//
// A step that rewrites every record of a large bucket runs in batches
// instead (batch, not run), each in a transaction of its own, so that a
// million records are not held in memory until one commit: it must leave
// the file usable after any batch (a record in its old form is still read
// as well as one in its new), and it is recorded once the last batch is
// done. Stopped part way, it starts again from the beginning, and finds
// the records done already.
type migration struct {
	n    uint32
	name string
	run  func(tx *bolt.Tx) error
	// batch does the part of the step from the key from (nil: the first),
	// and returns the key to go on from, nil when it is done.
	batch func(tx *bolt.Tx, from []byte) (next []byte, err error)
}

// migrations, in order. Never renumber or remove one: a file records the
// numbers it has run. A new index is a new migration that builds it.
var migrations = []migration{
	{1, "create the buckets", createBuckets, nil},
	{2, "open_events: a copy of each open event without its history", rebuildOpenEvents, nil},
	{3, "events by deadline and by closing day", rebuildDateIndexes, nil},
	{4, "outbox: a message's content apart from its state", separateContent, nil},
	{5, "outbox: indexes of pending and of unreported failed messages", rebuildOutboxIndexes, nil},
	{6, "reminder marks kept per deadline", convertReminderMarks, nil},
	{7, "outbox: a digest's stages with its content", moveStagesToContent, nil},
	{8, "audit: a baseline binding each event's stored state", auditBaseline, nil},
	{9, "outbox: large contents in chunks of their own", createBuckets, nil},
	{10, "reminder marks in their compact form", compactMarks, nil},
	{11, "open_events: copies in their compact form", compactCopies, nil},
	{12, "outbox: large contents written whole before chunks moved into them", chunkContents, nil},
	{13, "event_dates: each event's state, date and 一级事项, for the on-time rate", fillEventDates, nil},
	{14, "events in their binary form", nil, binaryRecords(bucketEvents, binaryEvent)},
	{15, "audit entries in their binary form", nil, binaryRecords(bucketAudit, binaryAudit)},
	{16, "event_dates in its binary form", nil, binaryRecords(bucketDates, binaryDates)},
	{17, "accounts, sections and tokens", createBuckets, nil},
	{18, "event_figures: counts of events by state, deadline and 一级事项, for the dashboard", buildFigures, nil},
	{19, "event_dates: each event's summary, 文号 and who logged it, for searching", fillEventDates, nil},
}

func migrationKey(n uint32) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], n)
	return k[:]
}

// pending returns the migrations tx's file has not run, or an error for a
// file of a newer version.
func (s *Store) pending(tx *bolt.Tx) ([]migration, error) {
	meta := tx.Bucket(bucketMeta)
	if meta != nil {
		if b := meta.Get(keySchema); b != nil {
			v, err := strconv.Atoi(string(b))
			if err != nil {
				return nil, &OpenError{Path: s.path, Damaged: true, Reason: fmt.Sprintf("数据格式版本 %q 无法识别，文件可能已损坏", b), Err: err}
			}
			if v > SchemaVersion {
				return nil, newerSchema(s.path, v)
			}
		}
	}
	done := tx.Bucket(bucketMigrated)
	var out []migration
	for _, m := range migrations {
		if done == nil || done.Get(migrationKey(m.n)) == nil {
			out = append(out, m)
		}
	}
	if len(out) == 0 && (meta == nil || string(meta.Get(keySchema)) != strconv.Itoa(SchemaVersion)) {
		// Every step run, but the version not recorded (an older gongkai
		// wrote it back, or an upgrade stopped before it): the last step
		// again, which records it, and is harmless to repeat.
		out = append(out, migrations[len(migrations)-1])
	}
	if done != nil {
		if k, _ := done.Cursor().Last(); k != nil && binary.BigEndian.Uint32(k) > migrations[len(migrations)-1].n {
			return nil, newerSchema(s.path, SchemaVersion+1)
		}
	}
	return out, nil
}

// migrate runs the migrations the file has not run, each in its own
// transaction, then records the schema version. A file already up to date
// is not written to at all: even an empty commit would change it, and a
// command that fails must leave it byte for byte.
func (s *Store) migrate(upgrading func()) error {
	var (
		todo []migration
		old  bool // a file with data, not a new one
	)
	if err := s.view(func(tx *bolt.Tx) (err error) {
		old = tx.Bucket(bucketMeta) != nil
		todo, err = s.pending(tx)
		return err
	}); err != nil {
		return err
	}
	if len(todo) > 0 && old && upgrading != nil {
		upgrading()
	}
	for _, m := range todo {
		var from []byte
		for {
			var err error
			if from, err = s.migrateStep(m, from); err != nil {
				return fmt.Errorf("数据库升级第 %d 步（%s）：%w", m.n, m.name, err)
			}
			if from == nil {
				break
			}
		}
	}
	return nil
}

// migrateStep runs a migration, or its batch from the key from, in a
// transaction, and returns where its next batch starts (nil: it is done,
// and recorded).
func (s *Store) migrateStep(m migration, from []byte) (next []byte, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		if m.batch != nil {
			next, err = m.batch(tx, from)
		} else {
			err = m.run(tx)
		}
		if err != nil {
			return err
		}
		// The version goes with each step: a file part way through its
		// upgrade is already one an older gongkai refuses.
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return err
		}
		if next != nil {
			return nil // recorded after its last batch
		}
		done, err := tx.CreateBucketIfNotExists(bucketMigrated)
		if err != nil {
			return err
		}
		rec, _ := json.Marshal(struct {
			Name string    `json:"name"`
			At   time.Time `json:"at"`
		}{m.name, time.Now().UTC()})
		return done.Put(migrationKey(m.n), rec)
	})
	return next, err
}

// checkSchema, for a read-only open, refuses a newer file and reports
// whether this one still needs migrations.
func (s *Store) checkSchema() (outdated bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return nil // a file no writer has set up yet: nothing in it
		}
		todo, err := s.pending(tx)
		outdated = len(todo) > 0
		return err
	})
	return outdated, err
}

// Outdated reports whether the store was opened read-only on a file that
// still needs migrations: its indexes cannot be trusted yet.
func (s *Store) Outdated() bool { return s.outdated }

func createBuckets(tx *bolt.Tx) error {
	for _, b := range append([][]byte{bucketMeta}, allBuckets...) {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// renew empties a bucket of derived data, to build it again.
func renew(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if tx.Bucket(name) != nil {
		if err := tx.DeleteBucket(name); err != nil {
			return nil, err
		}
	}
	return tx.CreateBucket(name)
}

// eachEvent decodes every stored event in id order.
func eachEvent(tx *bolt.Tx, fn func(*tracker.Event) error) error {
	return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		e, err := decodeEvent(binary.BigEndian.Uint64(k), v)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

func rebuildOpenEvents(tx *bolt.Tx) error {
	open, err := renew(tx, bucketOpen)
	if err != nil {
		return err
	}
	open.FillPercent = 0.95
	return eachEvent(tx, func(e *tracker.Event) error {
		if e.State != tracker.Open {
			return nil
		}
		return open.Put(idKey(e.ID), encodeCopy(e))
	})
}

// compactCopies rewrites the copies of open events kept as deflated JSON
// in their compact form (copies.go).
func compactCopies(tx *bolt.Tx) error {
	return rewrite(tx.Bucket(bucketOpen), func(k, v []byte) ([]byte, error) {
		if len(v) == 0 || v[0] == tagCopy {
			return nil, nil
		}
		var e tracker.Event
		if err := DecodeValue(v, &e); err != nil {
			return nil, damaged(tracker.FieldEvent, "待公开事件的副本", binary.BigEndian.Uint64(k), err)
		}
		return encodeCopy(&e), nil
	})
}

// chunkContents moves the large contents that earlier versions wrote
// whole into chunks, as packContent writes them now: bbolt rewrites a
// leaf's values whenever one of its keys changes, and a content of
// megabytes beside the next message's would make queueing that message
// write them all again.
func chunkContents(tx *bolt.Tx) error {
	return rewrite(tx.Bucket(bucketContent), func(k, v []byte) ([]byte, error) {
		if len(v) < blobFrom || isBlobRef(v) {
			return nil, nil
		}
		var c messageContent
		if err := DecodeValue(v, &c); err != nil {
			return nil, damaged(tracker.FieldMessage, "邮件的内容", binary.BigEndian.Uint64(k), err)
		}
		return packStored(c, inTx(tx))
	})
}

// rewrite puts, in each record of b for which fn returns a value, that
// value instead (nil: the record stays as it is), once the walk is over: a
// cursor does not survive writes to its bucket.
func rewrite(b *bolt.Bucket, fn func(k, v []byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var todo []kv
	if err := b.ForEach(func(k, v []byte) error {
		nv, err := fn(k, v)
		if err == nil && nv != nil {
			todo = append(todo, kv{bytes.Clone(k), nv})
		}
		return err
	}); err != nil {
		return err
	}
	for _, c := range todo {
		if err := b.Put(c.k, c.v); err != nil {
			return err
		}
	}
	return nil
}

// rebuildDateIndexes builds event_dates and the two date indexes anew
// from the events. bbolt splits a page only when its transaction commits:
// keys put in no order would each be inserted into one page that grows to
// hold them all: at a million, it was stopped after twenty minutes. Keys
// are put in order.
func rebuildDateIndexes(tx *bolt.Tx) error {
	var b [3]*bolt.Bucket
	for i, name := range [][]byte{bucketDates, bucketByDue, bucketByClosed} {
		var err error
		if b[i], err = renew(tx, name); err != nil {
			return err
		}
		b[i].FillPercent = 0.95 // written once, in order
	}
	var due, closed [][]byte
	err := eachEvent(tx, func(e *tracker.Event) error {
		due = append(due, dateKey(e.Deadline, e.ID))
		if !e.ClosedOn.IsZero() {
			closed = append(closed, dateKey(e.ClosedOn, e.ID))
		}
		return b[0].Put(idKey(e.ID), datesOf(e)) // in id order
	})
	if err != nil {
		return err
	}
	for i, keys := range [][][]byte{due, closed} {
		slices.SortFunc(keys, bytes.Compare)
		for _, k := range keys {
			if err := b[i+1].Put(k, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// fillEventDates writes each event's record of event_dates again, with
// what the on-time rate reads (its state, date and 一级事项), in id order.
func fillEventDates(tx *bolt.Tx) error {
	dates := tx.Bucket(bucketDates)
	return eachEvent(tx, func(e *tracker.Event) error {
		return dates.Put(idKey(e.ID), datesOf(e))
	})
}

func separateContent(tx *bolt.Tx) error {
	out, content := tx.Bucket(bucketOutbox), tx.Bucket(bucketContent)
	type fix struct {
		k   []byte
		m   tracker.Message
		has bool
	}
	var fixes []fix
	err := out.ForEach(func(k, v []byte) error {
		var m tracker.Message
		if err := DecodeValue(v, &m); err != nil {
			return fmt.Errorf("outbox message %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if m.Text == "" && m.HTML == "" && len(m.Attachments) == 0 {
			return nil
		}
		fixes = append(fixes, fix{append([]byte(nil), k...), m, content.Get(k) != nil})
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range fixes {
		if !f.has && f.m.ContentOf == 0 {
			if err := putEncoded(content, f.k, contentOf(&f.m)); err != nil {
				return err
			}
		}
		state := f.m
		state.Text, state.HTML, state.Attachments = "", "", nil
		if err := putEncoded(out, f.k, &state); err != nil {
			return err
		}
	}
	return nil
}

func rebuildOutboxIndexes(tx *bolt.Tx) error {
	pending, err := renew(tx, bucketPending)
	if err != nil {
		return err
	}
	failed, err := renew(tx, bucketFailed)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
		var m tracker.Message
		if err := DecodeValue(v, &m); err != nil {
			return fmt.Errorf("outbox message %d: %w", binary.BigEndian.Uint64(k), err)
		}
		switch {
		case m.State == tracker.Queued || m.State == tracker.Sending:
			return pending.Put(k, nil)
		case m.Unreported():
			return failed.Put(k, nil)
		}
		return nil
	})
}

// convertReminderMarks turns the marks of before f402185 — the current
// deadline's only, {"deadline","officers","supervisors"} — into marks per
// deadline.
func convertReminderMarks(tx *bolt.Tx) error {
	return rewriteMarks(tx, func(v []byte) (*tracker.ReminderState, error) {
		var old struct {
			Sent        json.RawMessage `json:"sent"`
			Deadline    calendar.Date   `json:"deadline"`
			Officers    calendar.Date   `json:"officers"`
			Supervisors calendar.Date   `json:"supervisors"`
		}
		if err := DecodeValue(v, &old); err != nil {
			return nil, err
		}
		if old.Sent != nil || old.Deadline.IsZero() {
			return nil, nil
		}
		return &tracker.ReminderState{Sent: map[calendar.Date]tracker.Marks{
			old.Deadline: {Officers: old.Officers, Supervisors: old.Supervisors}}}, nil
	})
}

// rewriteMarks stores again, compact, every event's reminder marks that
// convert returns (nil: as they are).
func rewriteMarks(tx *bolt.Tx, convert func(v []byte) (*tracker.ReminderState, error)) error {
	b := tx.Bucket(bucketRemind)
	type fix struct{ k, v []byte }
	var fixes []fix
	err := b.ForEach(func(k, v []byte) error {
		st, err := convert(v)
		if err != nil {
			return fmt.Errorf("reminder state of event %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if st != nil {
			fixes = append(fixes, fix{append([]byte(nil), k...), encodeMarks(*st)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range fixes {
		if err := b.Put(f.k, f.v); err != nil {
			return err
		}
	}
	return nil
}

// moveStagesToContent moves the list of stages a digest carries from the
// message's state, rewritten at each attempt, to its content, written once.
func moveStagesToContent(tx *bolt.Tx) error {
	out, content := tx.Bucket(bucketOutbox), tx.Bucket(bucketContent)
	type fix struct {
		k []byte
		m tracker.Message
	}
	var fixes []fix
	err := out.ForEach(func(k, v []byte) error {
		var m tracker.Message
		if err := DecodeValue(v, &m); err != nil {
			return fmt.Errorf("outbox message %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if len(m.Stages) > 0 {
			fixes = append(fixes, fix{append([]byte(nil), k...), m})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range fixes {
		var c messageContent
		if v := content.Get(f.k); v != nil {
			if err := DecodeValue(v, &c); err != nil {
				return fmt.Errorf("outbox message %d content: %w", f.m.ID, err)
			}
		}
		c.Stages = f.m.Stages
		if err := putEncoded(content, f.k, c); err != nil {
			return err
		}
		state := f.m
		state.Stages = nil
		if err := putEncoded(out, f.k, &state); err != nil {
			return err
		}
	}
	return nil
}

// auditBaseline binds, in audit entries of a thousand, every event whose last audit
// entry holds no hash of it (written before the hashes), so that from the
// upgrade on an event changed in the file outside gongkai is found.
func auditBaseline(tx *bolt.Tx) error {
	ops := &tracker.Ops{Tx: &Tx{tx: tx}, Clock: tracker.Clock{By: "gongkai 升级"}}
	_, err := ops.AuditBaseline()
	return err
}

// putEncoded stores v under k as the codec writes it.
func putEncoded(b *bolt.Bucket, k []byte, v any) error {
	enc, err := EncodeValue(v)
	if err != nil {
		return err
	}
	return b.Put(k, enc)
}

// compactMarks rewrites reminder marks kept as JSON in their compact form
// (marks.go), which the daily reminder run reads and writes faster.
func compactMarks(tx *bolt.Tx) error {
	return rewriteMarks(tx, func(v []byte) (*tracker.ReminderState, error) {
		if len(v) > 0 && v[0] == tagMarks {
			return nil, nil
		}
		st, err := decodeMarks(v)
		return &st, err
	})
}

// migrateBatch is how many records a batch of a rewriting migration
// converts: about 30 MB of new values.
var migrateBatch = 50_000

// binaryRecords is the batch of a migration that stores again, in its
// binary form, each record of bucket name that convert returns anew (nil:
// the record stays as it is), converting a batch on every core.
func binaryRecords(name []byte, convert func(v []byte) []byte) func(tx *bolt.Tx, from []byte) ([]byte, error) {
	return func(tx *bolt.Tx, from []byte) ([]byte, error) {
		b := tx.Bucket(name)
		if b == nil {
			return nil, nil
		}
		var keys, vals [][]byte
		c := b.Cursor()
		k, v := c.First()
		if from != nil {
			k, v = c.Seek(from)
		}
		for ; k != nil && len(keys) < migrateBatch; k, v = c.Next() {
			if len(v) > 0 {
				keys, vals = append(keys, bytes.Clone(k)), append(vals, v)
			}
		}
		var next []byte
		if k != nil {
			next = bytes.Clone(k)
		}
		out := make([][]byte, len(vals))
		tracker.OnCores(len(vals), func(i int) { out[i] = convert(vals[i]) })
		for i, nv := range out {
			if nv != nil {
				if err := b.Put(keys[i], nv); err != nil {
					return nil, err
				}
			}
		}
		return next, nil
	}
}

// binaryEvent returns an event stored in an earlier form in its binary
// form; nil for one in it already, or that cannot be read: a damaged
// record is left as it is, for check to name. So is one whose JSON is not
// the canonical encoding of what it reads as (but for the U+FFFD that JSON
// escapes): keys gongkai never wrote, say, which the binary form would
// drop, and with them the trace of whoever added them.
func binaryEvent(v []byte) []byte {
	if v[0] == tagEvent {
		return nil
	}
	js, err := ValueJSON(v)
	if err != nil {
		return nil
	}
	var e tracker.Event
	if json.Unmarshal(js, &e) != nil {
		return nil
	}
	canonical, err := tracker.EventJSON(&e)
	if err != nil || !bytes.Equal(bytes.ReplaceAll(js, []byte(`\ufffd`), []byte("\uFFFD")), canonical) {
		return nil
	}
	nv, err := encodeEvent(&e)
	if err != nil || nv[0] != tagEvent {
		return nil
	}
	return nv
}

// binaryAudit is binaryEvent for an audit entry.
func binaryAudit(v []byte) []byte {
	if v[0] == tagAudit {
		return nil
	}
	var a tracker.AuditEntry
	if DecodeValue(v, &a) != nil {
		return nil
	}
	nv, err := encodeAudit(&a)
	if err != nil || nv[0] != tagAudit {
		return nil
	}
	return nv
}

// binaryDates is binaryEvent for a record of event_dates.
func binaryDates(v []byte) []byte {
	var d eventDates
	if v[0] == tagDates || v[0] == tagDatesText || decodeDates(v, &d) != nil {
		return nil
	}
	return encodeDates(d)
}
