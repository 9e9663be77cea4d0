package tracker

import (
	"fmt"
	"strconv"
	"strings"

	"gongkai/calendar"
)

// EventView is an event as every front end shows it, as of a day: its
// stored fields and those derived from them (the status that day, the
// working days left, the channels still pending). Its JSON field names are
// stable and documented in the README; the CSV columns are the same.
type EventView struct {
	ID              uint64        `json:"id"`
	Matter          int           `json:"matter"`
	MatterName      string        `json:"matter_name"`
	Kind            Kind          `json:"kind"`
	Date            calendar.Date `json:"date"`
	Summary         string        `json:"summary"`
	Ref             string        `json:"ref"`
	By              string        `json:"by"`
	LoggedAt        string        `json:"logged_at"`              // RFC 3339 in +08:00, to the second
	LoggedClock     string        `json:"logged_clock,omitempty"` // the machine's clock when LoggedAt was simulated, else ""
	Deadline        calendar.Date `json:"deadline"`
	Provisional     bool          `json:"provisional"`
	Status          Status        `json:"status"`
	Channels        []Channel     `json:"channels"`
	ChannelsPending []Channel     `json:"channels_pending"`
	LoggedLate      bool          `json:"logged_late"`
	// WorkdaysLeft is the working days from the day of the view to the
	// deadline: negative when overdue, nil when closed.
	WorkdaysLeft *int          `json:"workdays_left"`
	ClosedOn     calendar.Date `json:"closed_on"` // "" when open
}

// ViewOf returns the view of e as of day asOf.
func ViewOf(e *Event, cal Calendar, asOf calendar.Date) EventView {
	st := e.Status(asOf)
	var left *int
	if st.Counting() {
		n, _, _ := cal.WorkdaysBetween(asOf, e.Deadline)
		left = &n
	}
	pending := e.Pending()
	if st == Cancelled || st == Waived {
		pending = nil // no obligation (any more): nothing is waiting
	}
	const rfc3339 = "2006-01-02T15:04:05-07:00"
	var clock string
	if Simulated(e.LoggedAt, e.LoggedClock) {
		clock = e.LoggedClock.In(calendar.Shanghai).Format(rfc3339)
	}
	return EventView{
		ID: e.ID, Matter: e.Matter, MatterName: e.MatterName, Kind: e.Kind,
		Date: e.Date, Summary: e.Summary, Ref: e.Ref, By: e.By,
		LoggedAt: e.LoggedAt.In(calendar.Shanghai).Format(rfc3339), LoggedClock: clock,
		Deadline: e.Deadline, Provisional: e.Provisional, Status: st,
		Channels: nonNil(e.Channels), ChannelsPending: nonNil(pending),
		LoggedLate: e.LoggedLate, WorkdaysLeft: left, ClosedOn: e.ClosedOn,
	}
}

// Standing says how the deadline stands as of asOf, for people; "" for a
// closed event.
func (v EventView) Standing(asOf calendar.Date) string {
	if v.WorkdaysLeft == nil {
		return ""
	}
	return DeadlineStanding(asOf, v.Deadline, *v.WorkdaysLeft)
}

// DeadlineStanding says how a deadline stands as of a day, given the
// working days from that day to it (negative when past): 还有 N 个工作日,
// 今天到期, 到期前没有工作日 (a weekend just before it), 已逾期 N 个工作日,
// or 已逾期，不足 1 个工作日 (a weekend just after it: overdue all the
// same).
func DeadlineStanding(asOf, deadline calendar.Date, workdaysLeft int) string {
	switch {
	case asOf.After(deadline) && workdaysLeft == 0:
		return "已逾期，不足 1 个工作日"
	case asOf.After(deadline):
		return fmt.Sprintf("已逾期 %d 个工作日", -workdaysLeft)
	case asOf == deadline:
		return "今天到期"
	case workdaysLeft == 0:
		return "到期前没有工作日"
	}
	return fmt.Sprintf("还有 %d 个工作日", workdaysLeft)
}

// EventViewColumns are the CSV columns of an EventView, its JSON names;
// columns added later come last.
var EventViewColumns = []string{"id", "matter", "matter_name", "kind", "date", "summary", "ref", "by", "logged_at",
	"deadline", "provisional", "status", "channels", "channels_pending", "logged_late", "workdays_left", "closed_on",
	"logged_clock"}

// Record returns the view as a CSV record in the order of
// EventViewColumns; lists are joined with ";".
func (v EventView) Record() []string {
	left := ""
	if v.WorkdaysLeft != nil {
		left = strconv.Itoa(*v.WorkdaysLeft)
	}
	closed := ""
	if !v.ClosedOn.IsZero() {
		closed = v.ClosedOn.String()
	}
	return []string{strconv.FormatUint(v.ID, 10), strconv.Itoa(v.Matter), v.MatterName, string(v.Kind), v.Date.String(),
		v.Summary, v.Ref, v.By, v.LoggedAt, v.Deadline.String(), strconv.FormatBool(v.Provisional), string(v.Status),
		channelCodes(v.Channels), channelCodes(v.ChannelsPending), strconv.FormatBool(v.LoggedLate), left, closed,
		v.LoggedClock}
}

func channelCodes(cs []Channel) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ";")
}

// ShortMatterName keeps the most specific level of a matter's full name
// (一级 › 二级 › 三级).
func ShortMatterName(name string) string {
	if i := strings.LastIndex(name, " › "); i >= 0 {
		return name[i+len(" › "):]
	}
	return name
}

// MatterView is a matter as front ends give it to machines; its JSON field
// names are stable and documented in the README, and the CSV columns are
// the same.
type MatterView struct {
	Seq           int       `json:"seq"`
	Level1        string    `json:"level1"`
	Level2        string    `json:"level2"`
	Level3        string    `json:"level3"`
	Elements      []string  `json:"elements"`
	Basis         []string  `json:"basis"`
	TimeLimit     string    `json:"time_limit"`
	TimeLimitDays int       `json:"time_limit_days"`
	Subject       string    `json:"subject"`
	Channels      []Channel `json:"channels"`
	Audience      string    `json:"audience"`
	Mode          string    `json:"mode"`
	Levels        []string  `json:"levels"`
}

// View returns the matter's view; absent lists are empty, not null.
func (m *Matter) View() MatterView {
	return MatterView{m.Seq, m.Level1, m.Level2, m.Level3, nonNil(m.Elements), nonNil(m.Basis), m.TimeLimit,
		m.TimeLimitDays, m.Subject, nonNil(m.Channels), m.Audience, m.Mode, nonNil(m.Levels)}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// MatterViewColumns are the CSV columns of a MatterView, its JSON names.
var MatterViewColumns = []string{"seq", "level1", "level2", "level3", "elements", "basis", "time_limit", "time_limit_days",
	"subject", "channels", "audience", "mode", "levels"}

// Record returns the view as a CSV record in the order of
// MatterViewColumns; lists are joined with ";".
func (v MatterView) Record() []string {
	return []string{strconv.Itoa(v.Seq), v.Level1, v.Level2, v.Level3, strings.Join(v.Elements, ";"),
		strings.Join(v.Basis, ";"), v.TimeLimit, strconv.Itoa(v.TimeLimitDays), v.Subject, channelCodes(v.Channels),
		v.Audience, v.Mode, strings.Join(v.Levels, ";")}
}
