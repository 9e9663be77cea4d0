package tracker

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/calendar"
)

// Kind says what happened to a matter's information.
type Kind string

// Kinds of events.
const (
	Formed  Kind = "formed"  // 信息形成
	Changed Kind = "changed" // 信息变更
)

// Name returns the kind in Chinese.
func (k Kind) Name() string {
	if k == Formed {
		return "形成"
	}
	return "变更"
}

// Status is where an event stands.
type Status string

// Statuses. An event's stored state is Open, Done, DoneLate, Waived or
// Cancelled; Overdue is Open seen on a day after the deadline.
const (
	Open     Status = "open"
	Overdue  Status = "overdue"
	Done     Status = "done"
	DoneLate Status = "done_late"
	Waived   Status = "waived"
	// Cancelled (作废): logged by mistake (a duplicate, another office's).
	// It is no obligation: it leaves the lists, the reminders, the reports
	// and the rates, as of any day, and stays in show and the audit log
	// until it is restored. Waived keeps its legal meaning: an obligation
	// closed without disclosure, for a reason the law gives.
	Cancelled Status = "cancelled"
)

var statusNames = map[Status]string{Open: "待公开", Overdue: "已逾期", Done: "按时公开", DoneLate: "逾期公开", Waived: "免于公开", Cancelled: "已作废"}

// Statuses lists every status, in the order people read them.
var Statuses = []Status{Open, Overdue, Done, DoneLate, Waived, Cancelled}

// Name returns the status in Chinese.
func (s Status) Name() string { return statusNames[s] }

// Closed reports whether the status ends the obligation.
func (s Status) Closed() bool { return s == Done || s == DoneLate || s == Waived }

// Counting reports whether the deadline still counts: the event is open
// (overdue included), neither closed nor cancelled.
func (s Status) Counting() bool { return s == Open || s == Overdue }

// Event is "matter M's information was formed or changed on date D": one
// obligation to disclose on every channel the matter requires by the
// deadline. Its fields are the current values; History keeps every change.
type Event struct {
	ID          uint64        `json:"id"`
	Matter      int           `json:"matter"`
	MatterName  string        `json:"matter_name"`
	Channels    []Channel     `json:"channels"` // what the matter requires
	TimeLimit   int           `json:"time_limit_days"`
	Kind        Kind          `json:"kind"`
	Date        calendar.Date `json:"date"`
	Summary     string        `json:"summary"`
	Ref         string        `json:"ref,omitempty"`
	By          string        `json:"by"`
	LoggedAt    time.Time     `json:"logged_at"`
	LoggedClock time.Time     `json:"logged_clock,omitzero"` // the machine's clock when LoggedAt was simulated
	Deadline    calendar.Date `json:"deadline"`
	Provisional bool          `json:"provisional"`
	LoggedLate  bool          `json:"logged_late"`
	State       Status        `json:"state"`
	ClosedOn    calendar.Date `json:"closed_on,omitzero"`
	Disclosures []Disclosure  `json:"disclosures,omitempty"`
	History     []Change      `json:"history"`
}

// Version counts the event's changes, its logging the first: each change
// adds one to its history.
func (e *Event) Version() int { return len(e.History) }

// Disclosure records that the event's information was published on a
// channel. A disclosure is never removed: retracting it, or reopening the
// event it closed, voids it with a reason.
type Disclosure struct {
	Channel Channel       `json:"channel"`
	Date    calendar.Date `json:"date"`
	URL     string        `json:"url,omitempty"`
	Note    string        `json:"note,omitempty"`
	By      string        `json:"by"`
	At      time.Time     `json:"at"`
	Clock   time.Time     `json:"clock,omitzero"` // the machine's clock when At was simulated
	Void    *Void         `json:"void,omitempty"`
}

// Void says why a disclosure no longer counts.
type Void struct {
	Action string    `json:"action"` // retracted or reopened
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Clock  time.Time `json:"clock,omitzero"` // the machine's clock when At was simulated
}

// Change is one entry of an event's history.
type Change struct {
	At     time.Time `json:"at"`
	Clock  time.Time `json:"clock,omitzero"` // the machine's clock when At was simulated
	By     string    `json:"by"`
	Action string    `json:"action"` // logged, amended, recomputed, disclosed, retracted, waived, reopened
	Reason string    `json:"reason,omitempty"`
	Detail string    `json:"detail"` // what changed, in Chinese
}

// Actions recorded in History and in the audit log.
const (
	ActLogged     = "logged"
	ActAmended    = "amended"
	ActRecomputed = "recomputed"
	ActDisclosed  = "disclosed"
	ActRetracted  = "retracted"
	ActWaived     = "waived"
	ActReopened   = "reopened"
	ActCancelled  = "cancelled"
	ActRestored   = "restored"
	ActImported   = "imported" // logged from an office's ledger (台账)
)

var actionNames = map[string]string{
	ActLogged: "登记", ActAmended: "更正", ActRecomputed: "重算期限", ActDisclosed: "公开",
	ActRetracted: "撤回公开记录", ActWaived: "免于公开", ActReopened: "重新打开",
	ActCancelled: "作废", ActRestored: "恢复", ActImported: "导入",
}

// ActionName returns an action in Chinese.
func ActionName(a string) string { return actionNames[a] }

// Status returns the event's status as of day asOf. An event closed after
// asOf was still open then.
func (e *Event) Status(asOf calendar.Date) Status {
	st := e.State
	if st.Closed() && e.ClosedOn.After(asOf) {
		st = Open
	}
	if st == Open && asOf.After(e.Deadline) {
		return Overdue
	}
	return st
}

// Pending returns the required channels with no disclosure that counts.
func (e *Event) Pending() []Channel {
	var out []Channel
	for _, c := range e.Channels {
		if _, ok := e.disclosed(c); !ok {
			out = append(out, c)
		}
	}
	return out
}

// disclosed returns the first date the event was disclosed on c by a
// disclosure that still counts: the obligation was met then.
func (e *Event) disclosed(c Channel) (calendar.Date, bool) {
	if d := e.firstDisclosure(c); d != nil {
		return d.Date, true
	}
	return calendar.Date{}, false
}

// firstDisclosure returns the earliest disclosure on c that still counts,
// or nil.
func (e *Event) firstDisclosure(c Channel) *Disclosure {
	var first *Disclosure
	for i := range e.Disclosures {
		if d := &e.Disclosures[i]; d.Channel == c && d.Void == nil && (first == nil || d.Date.Before(first.Date)) {
			first = d
		}
	}
	return first
}

// Clock is what an operation needs to know of time and of who acts.
type Clock struct {
	Now   time.Time     // the instant of the change (GONGKAI_NOW in tests)
	Today calendar.Date // Now's date in Asia/Shanghai
	By    string        // who acts
	// Real is the machine's clock during the change; zero when unknown.
	// When Now is simulated (Simulated), every record the change writes
	// keeps Real beside its time, so that a faked clock cannot pass for
	// the real one.
	Real time.Time
}

// SimulatedAfter is how far a record's time may be from the machine's
// clock before it counts as simulated (模拟时间): more than an operation
// waits for the database, less than any faked clock worth faking.
const SimulatedAfter = time.Minute

// Simulated reports whether a record timed at was written while the
// machine's clock said clock, more than SimulatedAfter away: under a
// faked clock (GONGKAI_NOW). A zero clock is unknown, not simulated.
func Simulated(at, clock time.Time) bool {
	if clock.IsZero() {
		return false
	}
	d := clock.Sub(at)
	return d > SimulatedAfter || d < -SimulatedAfter
}

// realBeside returns the machine's time to keep beside a record timed Now:
// Real when Now is simulated, else zero (left out of the JSON).
func (c Clock) realBeside() time.Time {
	if Simulated(c.Now, c.Real) {
		return c.Real.UTC()
	}
	return time.Time{}
}

// Calendar is what the tracker needs of the working-day calendar.
type Calendar interface {
	AddWorkdays(d calendar.Date, n int) (calendar.Date, bool, error)
	WorkdaysBetween(a, b calendar.Date) (int, bool, error)
}

// LogRequest is what a member of staff says when logging an event.
type LogRequest struct {
	Matter  *Matter
	Kind    Kind
	Date    calendar.Date
	Summary string
	Ref     string
	// LateAfter is the number of working days after which logging is
	// late (5 by default).
	LateAfter int
}

// DefaultLateAfter is how many working days after the event a logging is
// still on time.
const DefaultLateAfter = 5

// NewEvent checks a request and returns the event it creates, with its
// deadline. The date may not be in the future; a date more than LateAfter
// working days back is accepted but flagged LoggedLate.
func NewEvent(r LogRequest, cal Calendar, clk Clock) (*Event, error) {
	if r.Kind != Formed && r.Kind != Changed {
		return nil, Invalid(FieldKind, "事件类型 %q 无效：应为信息形成（formed）或信息变更（changed）", r.Kind)
	}
	summary, err := Line(FieldSummary, "摘要", r.Summary, MaxSummary)
	if err != nil {
		return nil, err
	}
	if summary == "" {
		return nil, Invalid(FieldSummary, "摘要不能为空：请简述形成或变更了什么信息")
	}
	ref, err := Line(FieldRef, "文号", r.Ref, MaxRef)
	if err != nil {
		return nil, err
	}
	if r.Date.After(clk.Today) {
		return nil, Invalid(FieldDate, "日期 %s 在今天（%s）之后：只能登记已经发生的形成或变更", r.Date, clk.Today)
	}
	e := &Event{
		Kind:        r.Kind,
		Date:        r.Date,
		Summary:     summary,
		Ref:         ref,
		By:          clk.By,
		LoggedAt:    clk.Now,
		LoggedClock: clk.realBeside(),
		State:       Open,
	}
	e.setMatter(r.Matter)
	if err := e.computeDeadline(cal); err != nil {
		return nil, err
	}
	late := r.LateAfter
	if late <= 0 {
		late = DefaultLateAfter
	}
	n, _, err := cal.WorkdaysBetween(r.Date, clk.Today)
	if err != nil {
		return nil, Invalid(FieldDate, "日期 %s：%v", r.Date, err)
	}
	e.LoggedLate = n > late
	detail := "事项 " + e.MatterLabel() + "，信息" + e.Kind.Name() + "于 " + e.Date.String() + "；公开期限 " + e.Deadline.String()
	if e.LoggedLate {
		detail += fmt.Sprintf("；补登（已过 %d 个工作日）", n)
	}
	e.record(clk, ActLogged, "", detail)
	return e, nil
}

// MatterLabel names the event's matter: 序号 and name.
func (e *Event) MatterLabel() string { return strconv.Itoa(e.Matter) + " " + e.MatterName }

func (e *Event) setMatter(m *Matter) {
	e.Matter = m.Seq
	e.MatterName = m.Name()
	e.Channels = slices.Clone(m.Channels)
	e.TimeLimit = m.TimeLimitDays
}

func (e *Event) computeDeadline(cal Calendar) error {
	d, prov, err := cal.AddWorkdays(e.Date, e.TimeLimit)
	if err != nil {
		return Invalid(FieldDate, "日期 %s 无法计算期限：%v", e.Date, err)
	}
	e.Deadline, e.Provisional = d, prov
	return nil
}

func (e *Event) record(clk Clock, action, reason, detail string) {
	e.History = append(e.History, Change{At: clk.Now, Clock: clk.realBeside(), By: clk.By, Action: action, Reason: reason, Detail: detail})
}

// refuseClosed is the error for changing a closed event.
func (e *Event) refuseClosed(what string) error {
	return FieldErrorf(EConflict, FieldEvent, "事件 %d 已%s（%s），不能再%s；如确有需要，先将其重新打开并说明原因",
		e.ID, e.State.Name(), e.ClosedOn, what)
}

// Disclose records disclosures on channels dated date. It refuses a date
// before the event or in the future, a channel the matter does not
// require, and a closed event. When every required channel has a
// disclosure, the event closes: Done if the last is on or before the
// deadline, else DoneLate.
func (e *Event) Disclose(channels []Channel, date calendar.Date, url, note string, clk Clock) error {
	if err := e.refuseCancelled("登记公开"); err != nil {
		return err
	}
	if e.State.Closed() {
		return e.refuseClosed("登记公开")
	}
	if len(channels) == 0 {
		return Invalid(FieldChannels, "没有指明公开渠道：请给出渠道，或选择全部待公开渠道")
	}
	if date.Before(e.Date) {
		return Invalid(FieldDate, "公开日期 %s 早于信息%s日期 %s", date, e.Kind.Name(), e.Date)
	}
	if date.After(clk.Today) {
		return Invalid(FieldDate, "公开日期 %s 在今天（%s）之后：只能登记已经完成的公开", date, clk.Today)
	}
	url, err := URL(url)
	if err != nil {
		return err
	}
	if note, err = Line(FieldNote, "备注", note, MaxReason); err != nil {
		return err
	}
	var chs []Channel
	for _, c := range channels {
		if !slices.Contains(e.Channels, c) {
			return Invalid(FieldChannel, "渠道 %s（%s）不是事项 %d 要求的公开渠道；要求的是：%s", c, c.Name(), e.Matter, channelList(e.Channels))
		}
		if d, ok := e.disclosed(c); ok {
			return Invalid(FieldChannel, "渠道 %s（%s）已于 %s 登记公开；如那次登记有误，先撤回那条公开记录（须说明原因）", c, c.Name(), d)
		}
		if !slices.Contains(chs, c) {
			chs = append(chs, c)
		}
	}
	var names []string
	for _, c := range chs {
		e.Disclosures = append(e.Disclosures, Disclosure{Channel: c, Date: date, URL: url, Note: note, By: clk.By, At: clk.Now, Clock: clk.realBeside()})
		names = append(names, c.Name())
	}
	detail := strings.Join(names, "、") + " 于 " + date.String() + " 公开"
	if url != "" {
		detail += "，网址 " + url
	}
	if note != "" {
		detail += "，备注 " + note
	}
	e.record(clk, ActDisclosed, "", detail)
	e.settle(clk)
	return nil
}

// settle closes the event when every required channel is disclosed.
func (e *Event) settle(clk Clock) {
	if e.State == Waived || len(e.Pending()) > 0 {
		return
	}
	var last calendar.Date
	for _, c := range e.Channels {
		if d, _ := e.disclosed(c); d.After(last) {
			last = d
		}
	}
	e.ClosedOn = last
	e.State = Done
	if last.After(e.Deadline) {
		e.State = DoneLate
	}
}

func channelList(cs []Channel) string {
	var names []string
	for _, c := range cs {
		names = append(names, fmt.Sprintf("%s（%s）", c, c.Name()))
	}
	return strings.Join(names, "、")
}

// needReason refuses an empty reason.
func needReason(reason string) (string, error) {
	r, err := Line(FieldReason, "原因", reason, MaxReason)
	if err != nil {
		return "", err
	}
	if r == "" {
		return "", Invalid(FieldReason, "原因不能为空：更正、撤回、免于公开和重新打开都须说明原因")
	}
	return r, nil
}

// Waive closes an open event without disclosure, for a reason (such as the
// law that exempts the information).
func (e *Event) Waive(reason string, clk Clock) error {
	r, err := needReason(reason)
	if err != nil {
		return err
	}
	if err := e.refuseCancelled("免于公开"); err != nil {
		return err
	}
	if e.State.Closed() {
		return e.refuseClosed("免于公开")
	}
	e.State, e.ClosedOn = Waived, clk.Today
	e.record(clk, ActWaived, r, "免于公开")
	return nil
}

// Retract voids the disclosures on channel c recorded by mistake; an event
// they had closed opens again.
func (e *Event) Retract(c Channel, reason string, clk Clock) error {
	r, err := needReason(reason)
	if err != nil {
		return err
	}
	if err := e.refuseCancelled("撤回公开记录"); err != nil {
		return err
	}
	if e.State == Waived {
		return e.refuseClosed("撤回公开记录")
	}
	n := 0
	for i := range e.Disclosures {
		d := &e.Disclosures[i]
		if d.Channel == c && d.Void == nil {
			d.Void = &Void{Action: ActRetracted, Reason: r, By: clk.By, At: clk.Now, Clock: clk.realBeside()}
			n++
		}
	}
	if n == 0 {
		return Invalid(FieldChannel, "渠道 %s（%s）上没有事件 %d 可撤回的公开记录", c, c.Name(), e.ID)
	}
	was := e.State
	e.reopenIfIncomplete()
	detail := fmt.Sprintf("撤回 %s 的公开记录 %d 条", c.Name(), n)
	if was != e.State {
		detail += fmt.Sprintf("；状态 %s → %s", was.Name(), e.State.Name())
	}
	e.record(clk, ActRetracted, r, detail)
	return nil
}

func (e *Event) reopenIfIncomplete() {
	if (e.State == Done || e.State == DoneLate) && len(e.Pending()) > 0 {
		e.State, e.ClosedOn = Open, calendar.Date{}
	}
}

// Reopen reopens a waived or done event. The disclosures of a done event
// are voided with the reason: it must be disclosed again on every channel.
func (e *Event) Reopen(reason string, clk Clock) error {
	r, err := needReason(reason)
	if err != nil {
		return err
	}
	if err := e.refuseCancelled("重新打开"); err != nil {
		return err
	}
	if !e.State.Closed() {
		return FieldErrorf(EConflict, FieldEvent, "事件 %d 尚未关闭（%s），无需重新打开", e.ID, e.State.Name())
	}
	was := e.State
	detail := fmt.Sprintf("状态 %s → %s", was.Name(), Open.Name())
	if was == Done || was == DoneLate {
		for i := range e.Disclosures {
			if e.Disclosures[i].Void == nil {
				e.Disclosures[i].Void = &Void{Action: ActReopened, Reason: r, By: clk.By, At: clk.Now, Clock: clk.realBeside()}
			}
		}
		detail += "，原公开记录作废，须在各渠道重新公开"
	}
	e.State, e.ClosedOn = Open, calendar.Date{}
	e.record(clk, ActReopened, r, detail)
	return nil
}

// Amendment corrects a logged event; nil fields are left alone.
type Amendment struct {
	Date    *calendar.Date
	Matter  *Matter
	Summary *string
	// Ref is the 文号; "" removes a wrong one.
	Ref    *string
	Reason string
	// LateAfter is the working days after which logging is late (0:
	// DefaultLateAfter), to judge an amended date.
	LateAfter int
}

// Amend corrects a mistake, also on a closed event; the deadline and the
// status follow.
func (e *Event) Amend(a Amendment, cal Calendar, clk Clock) error {
	r, err := needReason(a.Reason)
	if err != nil {
		return err
	}
	if err := e.refuseCancelled("更正"); err != nil {
		return err
	}
	var parts []string
	if a.Date != nil && *a.Date != e.Date {
		if a.Date.After(clk.Today) {
			return Invalid(FieldDate, "日期 %s 在今天（%s）之后：只能登记已经发生的形成或变更", *a.Date, clk.Today)
		}
		if bad := e.disclosedBefore(*a.Date); bad != nil {
			return Invalid(FieldDate, "日期 %s 晚于已登记的公开日期 %s（%s）", *a.Date, bad.Date, bad.Channel.Name())
		}
		parts = append(parts, fmt.Sprintf("日期 %s → %s", e.Date, *a.Date))
		e.Date = *a.Date
	}
	if a.Matter != nil && a.Matter.Seq != e.Matter {
		for _, d := range e.Disclosures {
			if d.Void == nil && !a.Matter.Requires(d.Channel) {
				return Invalid(FieldMatter, "事项 %d 不要求渠道 %s（%s），而本事件已在该渠道公开；请先撤回该公开记录", a.Matter.Seq, d.Channel, d.Channel.Name())
			}
		}
		parts = append(parts, fmt.Sprintf("事项 %s → %d %s", e.MatterLabel(), a.Matter.Seq, a.Matter.Name()))
		e.setMatter(a.Matter)
	}
	if a.Summary != nil {
		s, err := Line(FieldSummary, "摘要", *a.Summary, MaxSummary)
		if err != nil {
			return err
		}
		if s == "" {
			return Invalid(FieldSummary, "摘要不能为空")
		}
		if s != e.Summary {
			parts = append(parts, fmt.Sprintf("摘要 “%s” → “%s”", e.Summary, s))
			e.Summary = s
		}
	}
	if a.Ref != nil {
		s, err := Line(FieldRef, "文号", *a.Ref, MaxRef)
		if err != nil {
			return err
		}
		if s != e.Ref {
			parts = append(parts, fmt.Sprintf("文号 %s → %s", refText(e.Ref), refText(s)))
			e.Ref = s
		}
	}
	if len(parts) == 0 {
		return Invalid(FieldAmendment, "没有要更正的内容：请给出新的日期、事项、摘要或文号（与现有的相同也不算更正）")
	}
	old := e.Deadline
	if err := e.computeDeadline(cal); err != nil {
		return err
	}
	if old != e.Deadline {
		parts = append(parts, fmt.Sprintf("期限 %s → %s", old, e.Deadline))
	}
	if a.Date != nil {
		late := a.LateAfter
		if late <= 0 {
			late = DefaultLateAfter
		}
		n, _, err := cal.WorkdaysBetween(e.Date, calendar.Today(e.LoggedAt))
		if err == nil && (n > late) != e.LoggedLate {
			e.LoggedLate = n > late
			if e.LoggedLate {
				parts = append(parts, fmt.Sprintf("登记时已过 %d 个工作日，改记为补登", n))
			} else {
				parts = append(parts, "不再记为补登")
			}
		}
	}
	was := e.State
	switch e.State {
	case Done, DoneLate:
		e.State = Open
		e.settle(clk)
		e.reopenIfIncomplete()
	case Open:
		e.settle(clk)
	}
	if was != e.State {
		parts = append(parts, fmt.Sprintf("状态 %s → %s", was.Name(), e.State.Name()))
	}
	e.record(clk, ActAmended, r, strings.Join(parts, "；"))
	return nil
}

func (e *Event) disclosedBefore(d calendar.Date) *Disclosure {
	for i := range e.Disclosures {
		if x := &e.Disclosures[i]; x.Void == nil && x.Date.Before(d) {
			return x
		}
	}
	return nil
}

// Recompute recomputes the deadline after the calendar changed, whatever
// the event's state: a done event may turn out to have been late (or on
// time). It reports whether anything changed and records it.
func (e *Event) Recompute(cal Calendar, clk Clock, why string) (bool, error) {
	old, oldProv, was := e.Deadline, e.Provisional, e.State
	if err := e.computeDeadline(cal); err != nil {
		return false, err
	}
	if old == e.Deadline && oldProv == e.Provisional {
		return false, nil
	}
	if e.State == Done || e.State == DoneLate {
		e.State = Open
		e.settle(clk)
	}
	detail := fmt.Sprintf("期限 %s → %s", old, e.Deadline)
	if old == e.Deadline {
		detail = fmt.Sprintf("期限 %s 不变", e.Deadline)
	}
	if oldProv && !e.Provisional {
		detail += "，已由暂估转为正式"
	} else if e.Provisional {
		detail += "，仍为暂估"
	}
	if was != e.State {
		detail += fmt.Sprintf("；状态 %s → %s", was.Name(), e.State.Name())
	}
	e.record(clk, ActRecomputed, why, detail)
	return true, nil
}

// refText shows a 文号 in a history line: quoted, or （无） when there is none.
func refText(ref string) string {
	if ref == "" {
		return "（无）"
	}
	return "“" + ref + "”"
}

// refuseCancelled is the error for changing a cancelled event, or nil.
func (e *Event) refuseCancelled(what string) error {
	if e.State != Cancelled {
		return nil
	}
	return FieldErrorf(EConflict, FieldState, "事件 %d 已作废，不能%s；如是误作废，先恢复它并说明原因", e.ID, what)
}

// Cancel voids an event logged by mistake (作废), for a reason: whatever
// its state, it leaves every list, reminder, report and rate, and keeps
// its disclosures and history for Restore.
func (e *Event) Cancel(reason string, clk Clock) error {
	r, err := needReason(reason)
	if err != nil {
		return err
	}
	if e.State == Cancelled {
		return FieldErrorf(EConflict, FieldState, "事件 %d 已经作废", e.ID)
	}
	detail := fmt.Sprintf("作废（原状态 %s）", e.Status(clk.Today).Name())
	e.State, e.ClosedOn = Cancelled, calendar.Date{}
	e.record(clk, ActCancelled, r, detail)
	return nil
}

// Restore undoes a cancellation: the event is again what it was — open or
// done as its disclosures say, waived on the day it was waived.
func (e *Event) Restore(reason string, clk Clock) error {
	r, err := needReason(reason)
	if err != nil {
		return err
	}
	if e.State != Cancelled {
		return FieldErrorf(EConflict, FieldState, "事件 %d 没有作废（%s），无需恢复", e.ID, e.Status(clk.Today).Name())
	}
	e.State, e.ClosedOn = Open, calendar.Date{}
	if waived, ok := e.waivedBeforeCancel(); ok {
		e.State, e.ClosedOn = Waived, waived
	} else {
		e.settle(clk)
	}
	e.record(clk, ActRestored, r, fmt.Sprintf("恢复（状态 %s）", e.Status(clk.Today).Name()))
	return nil
}

// waivedBeforeCancel says whether the event was waived when it was last
// cancelled, and on which day: its history's last waiver or reopening
// before that cancellation decides, looking through earlier cancellations
// and restorations (a restoration gives back the state before its
// cancellation).
func (e *Event) waivedBeforeCancel() (calendar.Date, bool) {
	i := len(e.History) - 1
	for i >= 0 && e.History[i].Action != ActCancelled {
		i--
	}
	for i--; i >= 0; i-- {
		switch e.History[i].Action {
		case ActWaived:
			return calendar.Today(e.History[i].At), true
		case ActReopened:
			return calendar.Date{}, false
		case ActRestored:
			for i > 0 && e.History[i].Action != ActCancelled {
				i--
			}
		}
	}
	return calendar.Date{}, false
}

// ImportRequest is a row of an office's ledger (台账): an event logged
// before gongkai, by LoggedBy ("" for whoever imports), from Source (the
// file and its row, for the record).
type ImportRequest struct {
	LogRequest
	LoggedBy string
	Source   string
}

// ImportEvent returns the event a ledger row describes, with its
// deadline, logged as by LoggedBy: its history says it was imported, from
// where and by whom (clk.By). It is never flagged as logged late: the
// ledger does not say when the row was written. Disclosures the ledger
// records are added with Disclose.
func ImportEvent(r ImportRequest, cal Calendar, clk Clock) (*Event, error) {
	by, err := Line(FieldBy, "登记人", r.LoggedBy, MaxName)
	if err != nil {
		return nil, err
	}
	logClk := clk
	if by != "" {
		logClk.By = by
	}
	e, err := NewEvent(r.LogRequest, cal, logClk)
	if err != nil {
		return nil, err
	}
	e.LoggedLate = false
	e.History[0].Action = ActImported
	e.History[0].Detail = "事项 " + e.MatterLabel() + "，信息" + e.Kind.Name() + "于 " + e.Date.String() +
		"；公开期限 " + e.Deadline.String() + "；从" + r.Source + "导入（导入人 " + clk.By + "）"
	return e, nil
}
