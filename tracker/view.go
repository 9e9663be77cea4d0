package tracker

import (
	"fmt"
	"strings"

	"gongkai/calendar"
)

// EventView is an event as every front end shows it, as of a day: its
// stored fields and those derived from them (the status that day, the
// working days left, the channels still pending). Its JSON field names are
// stable and documented in the README.
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
	// WorkdaysLate is how many working days after the deadline a
	// done_late event was disclosed; nil for any other.
	WorkdaysLate *int `json:"workdays_late"`
	// Disclosures are the disclosures that count, the first on each
	// channel, in the order of the matter's channels.
	Disclosures []DisclosureView `json:"disclosures"`
}

// DisclosureView is a disclosure as front ends give it.
type DisclosureView struct {
	Channel Channel       `json:"channel"`
	Date    calendar.Date `json:"date"`
	URL     string        `json:"url"`
}

// Disclosed returns the disclosure on channel c, if one counts.
func (v EventView) Disclosed(c Channel) (DisclosureView, bool) {
	for _, d := range v.Disclosures {
		if d.Channel == c {
			return d, true
		}
	}
	return DisclosureView{}, false
}

// ViewOf returns the view of e as of day asOf.
func ViewOf(e *Event, cal Calendar, asOf calendar.Date) EventView {
	st := e.Status(asOf)
	var left, late *int
	if st.Counting() {
		n, _, _ := cal.WorkdaysBetween(asOf, e.Deadline)
		left = &n
	}
	if st == DoneLate {
		if n, _, err := cal.WorkdaysBetween(e.Deadline, e.ClosedOn); err == nil {
			late = &n
		}
	}
	return viewOf(e, st, asOf, left, late)
}

// viewOf is the view of e, of status st as of asOf, left working days
// before its deadline (nil: closed) and, disclosed late, late by late.
func viewOf(e *Event, st Status, asOf calendar.Date, left, late *int) EventView {
	pending := e.Pending()
	if st == Cancelled || st == Waived {
		pending = nil // no obligation (any more): nothing is waiting
	}
	disclosures := []DisclosureView{}
	for _, c := range e.Channels {
		if d := e.firstDisclosure(c); d != nil {
			disclosures = append(disclosures, DisclosureView{Channel: c, Date: d.Date, URL: d.URL})
		}
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
		WorkdaysLate: late, Disclosures: disclosures,
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

// ShortMatterName keeps the most specific level of a matter's full name
// (一级 › 二级 › 三级).
func ShortMatterName(name string) string {
	if i := strings.LastIndex(name, " › "); i >= 0 {
		return name[i+len(" › "):]
	}
	return name
}

// MatterView is a matter as front ends give it to machines; its JSON field
// names are stable and documented in the README.
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
