package app

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Fields of a ledger row, as ImportEventsInput.Columns keys them; a
// channel's disclosure is "web.date" and "web.url" (tracker.Channel codes).
const (
	LedgerMatter  = "matter"
	LedgerKind    = "kind"
	LedgerDate    = "date"
	LedgerSummary = "summary"
	LedgerRef     = "ref"
	LedgerBy      = "by"
)

// LedgerDisclosureDate and LedgerDisclosureURL key the columns of a
// channel's disclosure.
func LedgerDisclosureDate(c tracker.Channel) string { return string(c) + ".date" }
func LedgerDisclosureURL(c tracker.Channel) string  { return string(c) + ".url" }

// ImportEventsInput is an office's ledger (台账), read from a file: one row
// per event, its cells as text.
type ImportEventsInput struct {
	File string `json:"file"`
	// Columns say where each field was found, for the messages: field
	// (LedgerMatter …) → "C 列（日期）".
	Columns map[string]string `json:"columns"`
	Rows    []ImportRow       `json:"rows"`
	// DryRun checks every row and says what would be added; nothing is
	// written.
	DryRun bool `json:"dry_run"`
	// List asks for every event added in the result (for --verbose).
	List bool `json:"list"`
	// Progress, when not nil, hears how far the import has got: the rows
	// checked ("check"), then the events written ("write").
	Progress func(stage string, done, total int) `json:"-"`
}

// ImportRow is a row of the ledger.
type ImportRow struct {
	Line                                 int    `json:"line"` // its number in the file
	Matter, Kind, Date, Summary, Ref, By string `json:",omitempty"`
	// Disclosed are the disclosures the ledger records, by channel: a
	// date and a URL, either may be "".
	Disclosed []ImportDisclosure `json:"disclosed,omitempty"`
}

// ImportDisclosure is a channel's disclosure in a ledger row.
type ImportDisclosure struct {
	Channel   tracker.Channel `json:"channel"`
	Date, URL string
}

// ImportEventsResult says what an import added, or would add.
type ImportEventsResult struct {
	File   string `json:"file"`
	Rows   int    `json:"rows"`
	DryRun bool   `json:"dry_run"`
	// Added counts the events added (on a dry run, that would be), by
	// status as of today.
	Added    int                    `json:"added"`
	ByStatus map[tracker.Status]int `json:"by_status"`
	// Events are the events added, in the ledger's order, when List was
	// asked for.
	Events []tracker.EventView `json:"events,omitempty"`
	// Problems name every bad cell by row and column when the import is
	// refused; then nothing was written.
	Problems []string `json:"problems,omitempty"`
}

// MaxImportProblems is how many problems an import refused lists; the
// rest are counted.
const MaxImportProblems = 200

// ImportEvents adds the ledger's events, each with its disclosures so far:
// every row is checked first, every bad cell named by row and column, and
// then they are written all together in one transaction, with one audit
// entry per event — or, if any row is bad, none of them.
func (l *Local) ImportEvents(ctx context.Context, in ImportEventsInput) (*ImportEventsResult, error) {
	if _, err := authorize(ctx, access.OpImportEvents); err != nil {
		return nil, err
	}
	out := &ImportEventsResult{File: in.File, Rows: len(in.Rows), DryRun: in.DryRun, ByStatus: map[tracker.Status]int{}}
	if len(in.Rows) == 0 {
		return out, tracker.Invalid(tracker.FieldFile, "文件 %s 中没有要导入的行", in.File)
	}
	by, err := tracker.Line(tracker.FieldBy, "操作人", Actor(ctx), tracker.MaxName)
	if err != nil {
		return nil, err
	}
	now := l.cfg.Now()
	clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: by, Real: l.cfg.RealNow()}
	// Check: the catalogue, the calendar and the events already logged,
	// read once; every row against them.
	var im *importer
	var gen uint64
	err = l.read(func(tx tracker.Tx, cal *calendar.Calendar) error {
		cat, err := catalogIn(tx)
		if err != nil {
			return err
		}
		gen = tx.Generation()
		im = newImporter(in, cat, cal, clk)
		return im.readLogged(tx)
	})
	if err != nil {
		return nil, err
	}
	built, list := im.check()
	for _, c := range list {
		out.ByStatus[c.status]++
		out.Added++
		if c.view != nil {
			out.Events = append(out.Events, *c.view)
		}
	}
	problems, more, repeats := im.problems, im.more, im.repeats
	im = nil // its maps of a million keys, before the write builds its own
	if len(problems) > 0 {
		out.Problems = problems
		if more > 0 {
			out.Problems = append(out.Problems, fmt.Sprintf("……另有 %d 处问题未列出", more))
		}
		out.Added, out.ByStatus, out.Events = 0, map[tracker.Status]int{}, nil
		return out, tracker.Invalid(tracker.FieldFile, "文件 %s 有 %d 处问题（见上），没有导入任何事件：改正后重新导入",
			in.File, len(problems)+more+max(0, repeats.n-shownRepeats-1))
	}
	if in.DryRun {
		return out, nil
	}
	// Write: the same rows again, in one transaction, against what the
	// database holds then.
	var first uint64
	err = l.write(ctx, func(u *unit) error {
		cat, err := catalogIn(u.Tx)
		if err != nil {
			return err
		}
		// Nothing written since the check, on the same day: the events
		// it built stand, stamped with the time the import began.
		reuse := u.Tx.Generation() == gen && u.Clock.Today == clk.Today && u.Clock.By == clk.By
		if reuse {
			u.Clock = clk
		} else {
			built = nil
		}
		w := newImporter(in, cat, u.cal, u.Clock)
		if err := w.readLogged(u.Tx); err != nil {
			return err
		}
		first, err = w.write(u, built)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out.Events { // listed at the check, before they had ids
		out.Events[i].ID = first + uint64(i)
	}
	return out, nil
}

// importer checks and builds the events of a ledger's rows.
type importer struct {
	in  ImportEventsInput
	cat *tracker.Catalog
	cal *calendar.Calendar
	clk tracker.Clock
	// matters caches what a cell of the 事项 column names.
	matters map[string]matterFound
	// logged: the events already in the database, by eventKey; rows:
	// those of the file so far, by eventKey, to their line.
	logged map[string]uint64
	rows   map[string]int
	// problems, at most MaxImportProblems, and how many more.
	problems []string
	more     int
	// repeats: the rows that repeat an event already logged; the first
	// shownRepeats are listed, the rest said in one line (a ledger
	// imported twice would fill the list with them).
	repeats struct{ n, first, last int }
}

// shownRepeats is how many rows repeating logged events are listed one
// by one.
const shownRepeats = 5

type matterFound struct {
	m   *tracker.Matter
	err error
}

func newImporter(in ImportEventsInput, cat *tracker.Catalog, cal *calendar.Calendar, clk tracker.Clock) *importer {
	return &importer{in: in, cat: cat, cal: cal, clk: clk, matters: map[string]matterFound{},
		logged: map[string]uint64{}, rows: map[string]int{}}
}

// readLogged reads the events the database holds, but those cancelled.
func (im *importer) readLogged(tx tracker.Tx) error {
	return tx.Events(func(e *tracker.Event) error {
		if e.State != tracker.Cancelled {
			im.logged[eventKey(e.Matter, e.Kind, e.Date, e.Summary)] = e.ID
		}
		return nil
	})
}

// eventKey is what makes two events the same: a ledger imported twice
// must not log its events twice.
func eventKey(matter int, kind tracker.Kind, date calendar.Date, summary string) string {
	return strconv.Itoa(matter) + "\x00" + string(kind) + "\x00" + date.String() + "\x00" + summary
}

// problem notes a bad cell of row r in the column of field.
func (im *importer) problem(r *ImportRow, field, format string, args ...any) {
	where := fmt.Sprintf("第 %d 行", r.Line)
	if col := im.in.Columns[field]; col != "" {
		where += " " + col
	}
	im.note(where + "：" + fmt.Sprintf(format, args...))
}

// note keeps a problem, or counts it past MaxImportProblems.
func (im *importer) note(p string) {
	if len(im.problems) >= MaxImportProblems {
		im.more++
		return
	}
	im.problems = append(im.problems, p)
}

// fail notes err, a domain error about a field of row r; fields map the
// error's field to the ledger's column.
func (im *importer) fail(r *ImportRow, err error, fields map[string]string) {
	field := ""
	if e := tracker.AsError(err); e != nil {
		field = fields[e.Field]
	}
	im.problem(r, field, "%s", err.Error())
}

// checked is what the check found of a good row.
type checked struct {
	status tracker.Status
	view   *tracker.EventView
}

// checkChunk is how many rows a worker of the check takes at a time.
const checkChunk = 1024

// check checks every row, on every core: each row's cells by a worker of
// its own, then, in the ledger's order, whether it repeats an event
// logged or a row before it. It returns the events it built, by row, and
// what it found of them; the bad rows are in problems.
func (im *importer) check() (built []*tracker.Event, _ []checked) {
	rows := im.in.Rows
	type result struct {
		e        *tracker.Event
		problems []string
		more     int
	}
	results := make([]result, len(rows))
	var next, done atomic.Int64
	var mu sync.Mutex // the progress callback is called from one worker at a time
	var wg sync.WaitGroup
	for range max(1, tracker.Cores()) {
		wg.Go(func() {
			w := newImporter(im.in, im.cat, im.cal, im.clk)
			for {
				from := int(next.Add(checkChunk)) - checkChunk
				if from >= len(rows) {
					return
				}
				to := min(from+checkChunk, len(rows))
				for i := from; i < to; i++ {
					w.problems, w.more = nil, 0
					e := w.event(&rows[i])
					results[i] = result{e: e, problems: w.problems, more: w.more}
				}
				if n := int(done.Add(int64(to - from))); im.in.Progress != nil {
					mu.Lock()
					im.in.Progress("check", n, len(rows))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	var out []checked
	built = make([]*tracker.Event, len(rows))
	for i := range rows {
		r := &results[i]
		for _, p := range r.problems {
			im.note(p)
		}
		im.more += r.more
		if r.e == nil || !im.admit(&rows[i], r.e) {
			continue
		}
		c := checked{status: r.e.Status(im.clk.Today)}
		if im.in.List {
			v := tracker.ViewOf(r.e, im.cal, im.clk.Today)
			c.view = &v
		}
		out = append(out, c)
		if !im.in.DryRun { // kept for the write
			built[i] = r.e
		}
		results[i] = result{}
	}
	if rp := im.repeats; rp.n > shownRepeats {
		im.note(fmt.Sprintf("……第 %d 行到第 %d 行之间另有 %d 行与已登记的事件相同：这个台账（或其中一部分）似乎已经导入过",
			rp.first, rp.last, rp.n-shownRepeats))
	}
	return built, out
}

// write stores the rows' events in u's transaction. With a store that
// gives ids ahead and encodes apart (most of the work), workers on every
// core build, hash and encode blocks of rows while this goroutine, the
// transaction's, checks them for repeats and stores them in the ledger's
// order.
// built, when not nil, are the events of the check, by row, still good:
// they are taken, not built again.
// It returns the first event's id; the others follow in order.
func (im *importer) write(u *unit, built []*tracker.Event) (first uint64, err error) {
	rows := im.in.Rows
	event := func(w *importer, i int) *tracker.Event {
		if built == nil {
			return w.event(&rows[i])
		}
		e := built[i]
		built[i] = nil // each row is one worker's: it lets the event go once stored
		return e
	}
	res, ok := u.Tx.(tracker.IDReserver)
	if !ok {
		for i := range rows {
			e := event(im, i)
			if e == nil || !im.admit(&rows[i], e) {
				return 0, im.changed()
			}
			if err := u.PutImported(e); err != nil {
				return 0, err
			}
			if i == 0 {
				first = e.ID
			}
		}
		return first, nil
	}
	enc, _ := u.Tx.(tracker.Encoder)
	if first, err = res.ReserveEventIDs(len(rows)); err != nil {
		return 0, err
	}
	type block struct {
		n     int // the block's number: rows n*writeBlock on
		ready []*tracker.Prepared
		err   error
		// bad: a row good at the check is bad now (err says why): the
		// database changed between them.
		bad bool
	}
	blocks := (len(rows) + writeBlock - 1) / writeBlock
	out := make(chan block, 2*tracker.Cores())
	ahead := make(chan struct{}, 4*tracker.Cores()) // blocks in flight: bounds the memory
	stop := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, tracker.Cores()) {
		wg.Go(func() {
			w := newImporter(im.in, im.cat, im.cal, im.clk)
			for {
				select {
				case ahead <- struct{}{}:
				case <-stop:
					return
				}
				n := int(next.Add(1)) - 1
				if n >= blocks {
					<-ahead
					return
				}
				b := block{n: n}
				for i := n * writeBlock; i < min((n+1)*writeBlock, len(rows)); i++ {
					e := event(w, i)
					if e == nil {
						b.err, b.bad = fmt.Errorf("%s", strings.Join(w.problems, "；")), true
						break
					}
					e.ID = first + uint64(i)
					p, err := tracker.PrepareImported(e, enc)
					if err != nil {
						b.err = err
						break
					}
					b.ready = append(b.ready, p)
				}
				select {
				case out <- b:
				case <-stop:
					return
				}
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	waiting := map[int]block{}
	stored := 0
	for n := 0; n < blocks; {
		b, ok := waiting[n]
		if !ok {
			got := <-out
			waiting[got.n] = got
			continue
		}
		delete(waiting, n)
		<-ahead
		n++
		if b.err != nil && b.bad {
			im.note(b.err.Error())
			return 0, im.changed()
		}
		if b.err != nil {
			return 0, b.err
		}
		for _, p := range b.ready {
			row := &rows[p.Event.ID-first]
			if !im.admit(row, p.Event) {
				return 0, im.changed()
			}
			if err := u.PutPrepared(p); err != nil {
				return 0, err
			}
			if stored++; im.in.Progress != nil && (stored%1000 == 0 || stored == len(rows)) {
				im.in.Progress("write", stored, len(rows))
			}
		}
	}
	return first, nil
}

// writeBlock is how many rows a worker of the write builds at a time.
const writeBlock = 256

// changed is the error of a row good at the check and bad at the write:
// the database changed between them.
func (im *importer) changed() error {
	return tracker.FieldErrorf(tracker.EConflict, tracker.FieldFile, "导入时数据库有变化：%s；没有导入任何事件，请重新导入", strings.Join(im.problems, "；"))
}

// admit checks that e, built from row r, repeats no event logged and no
// row before it.
func (im *importer) admit(r *ImportRow, e *tracker.Event) bool {
	key := eventKey(e.Matter, e.Kind, e.Date, e.Summary)
	if id, ok := im.logged[key]; ok {
		rp := &im.repeats
		if rp.n++; rp.n == 1 {
			rp.first = r.Line
		}
		rp.last = r.Line
		if rp.n <= shownRepeats {
			im.problem(r, "", "与已登记的事件 %d 相同（事项、类型、日期和摘要都一样）：重复导入？", id)
		}
		return false
	}
	if line, ok := im.rows[key]; ok {
		im.problem(r, "", "与第 %d 行相同（事项、类型、日期和摘要都一样）", line)
		return false
	}
	im.rows[key] = r.Line
	return true
}

// event checks row r's cells and returns its event, disclosures included;
// nil when a cell is bad (noted in problems). Every cell is checked, so
// that one pass names all that is wrong. Whether the row repeats another
// is admit's.
func (im *importer) event(r *ImportRow) *tracker.Event {
	before := len(im.problems) + im.more
	bad := func() bool { return len(im.problems)+im.more > before }
	var req tracker.ImportRequest
	req.Source = "文件 " + im.in.File + " 第 " + strconv.Itoa(r.Line) + " 行"
	req.LoggedBy, req.Ref, req.Summary = r.By, r.Ref, r.Summary
	found, ok := im.matters[r.Matter]
	if !ok {
		q := r.Matter
		if m := leadingSeq.FindStringSubmatch(tracker.Narrow(q)); m != nil {
			q = m[1] // "71 工伤保险服务 › …", as the template's list offers it
		}
		found.m, found.err = tracker.FindMatter(im.cat, q)
		im.matters[r.Matter] = found
	}
	if found.err != nil {
		im.fail(r, found.err, map[string]string{tracker.FieldMatter: LedgerMatter})
	}
	req.Matter = found.m
	switch strings.TrimSpace(r.Kind) {
	case "形成", "信息形成", string(tracker.Formed):
		req.Kind = tracker.Formed
	case "变更", "信息变更", string(tracker.Changed):
		req.Kind = tracker.Changed
	case "":
		im.problem(r, LedgerKind, "类型为空：应为“形成”或“变更”")
	default:
		im.problem(r, LedgerKind, "类型 %q 无效：应为“形成”或“变更”", r.Kind)
	}
	var err error
	if req.Date, err = ledgerDate(r.Date); err != nil {
		im.problem(r, LedgerDate, "日期%s", err)
	} else if req.Date.After(im.clk.Today) {
		im.problem(r, LedgerDate, "日期 %s 在今天（%s）之后：只能导入已经发生的形成或变更", req.Date, im.clk.Today)
	}
	// The text cells, each on its own.
	for _, c := range []struct {
		field, label, v string
		max             int
		fieldName       string
	}{
		{LedgerSummary, "摘要", r.Summary, tracker.MaxSummary, tracker.FieldSummary},
		{LedgerRef, "文号", r.Ref, tracker.MaxRef, tracker.FieldRef},
		{LedgerBy, "登记人", r.By, tracker.MaxName, tracker.FieldBy},
	} {
		v, err := tracker.Line(c.fieldName, c.label, c.v, c.max)
		switch {
		case err != nil:
			im.problem(r, c.field, "%s", err.Error())
		case v == "" && c.field == LedgerSummary:
			im.problem(r, c.field, "摘要为空：请简述形成或变更了什么信息")
		}
	}
	// The disclosures' cells.
	type disclosure struct {
		c    tracker.Channel
		date calendar.Date
		url  string
	}
	var disclosures []disclosure
	for _, d := range r.Disclosed {
		dateField, urlField := LedgerDisclosureDate(d.Channel), LedgerDisclosureURL(d.Channel)
		url, err := tracker.URL(d.URL)
		if err != nil {
			im.problem(r, urlField, "%s", err.Error())
		}
		if strings.TrimSpace(d.Date) == "" {
			if strings.TrimSpace(d.URL) != "" {
				im.problem(r, dateField, "有%s的网址，没有公开日期", d.Channel.Name())
			}
			continue
		}
		date, err := ledgerDate(d.Date)
		if err != nil {
			im.problem(r, dateField, "公开日期%s", err)
			continue
		}
		if date.After(im.clk.Today) {
			im.problem(r, dateField, "公开日期 %s 在今天（%s）之后", date, im.clk.Today)
			continue
		}
		if req.Matter != nil && !slicesContains(req.Matter.Channels, d.Channel) {
			im.problem(r, dateField, "事项 %d 不要求在%s公开（其公开渠道：%s）", req.Matter.Seq, d.Channel.Name(), tracker.ChannelNames(req.Matter.Channels))
			continue
		}
		disclosures = append(disclosures, disclosure{d.Channel, date, url})
	}
	if bad() {
		return nil
	}
	e, err := tracker.ImportEvent(req, im.cal, im.clk)
	if err != nil {
		im.fail(r, err, map[string]string{tracker.FieldSummary: LedgerSummary, tracker.FieldRef: LedgerRef,
			tracker.FieldBy: LedgerBy, tracker.FieldDate: LedgerDate, tracker.FieldKind: LedgerKind})
		return nil
	}
	for _, d := range disclosures {
		if err := e.Disclose([]tracker.Channel{d.c}, d.date, d.url, "", im.clk); err != nil {
			im.fail(r, err, map[string]string{tracker.FieldDate: LedgerDisclosureDate(d.c)})
		}
	}
	if bad() {
		return nil
	}
	return e
}

func slicesContains(cs []tracker.Channel, c tracker.Channel) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// leadingSeq is a matter written as its 序号, a space and its name.
var leadingSeq = regexp.MustCompile(`^\s*(\d+)\s+\S`)

// ledgerDateRE reads a date as ledgers write it: 2026-11-02, 2026/11/2,
// 2026.11.2, 2026年11月2日, 20261102 (full-width digits narrowed first).
var ledgerDateRE = regexp.MustCompile(`^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$`)

// ledgerDate reads a date cell; the error says why, for "日期" to precede.
func ledgerDate(s string) (calendar.Date, error) {
	if len(s) == 10 { // 2026-11-02, as most cells are: no pattern needed
		if d, err := calendar.ParseDate(s); err == nil {
			return d, nil
		}
	}
	t := strings.TrimSpace(tracker.Narrow(s))
	if t == "" {
		return calendar.Date{}, fmt.Errorf("为空：应为 YYYY-MM-DD，如 2026-11-02")
	}
	m := ledgerDateRE.FindStringSubmatch(t)
	if m == nil {
		return calendar.Date{}, fmt.Errorf(" %q 无法识别：应为 YYYY-MM-DD，如 2026-11-02", s)
	}
	y, mo, d := m[1], m[2], m[3]
	if mo == "" {
		mo, d = m[4], m[5]
	}
	yi, _ := strconv.Atoi(y)
	moi, _ := strconv.Atoi(mo)
	di, _ := strconv.Atoi(d)
	if !calendar.Valid(yi, time.Month(moi), di) {
		return calendar.Date{}, fmt.Errorf(" %q 不存在", s)
	}
	return calendar.DateOf(yi, time.Month(moi), di), nil
}
