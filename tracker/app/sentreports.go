package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// SentReport is a weekly report as it was queued to go out: kept, not
// computed again, so that it reads as its recipients read it even after
// events were amended, retracted or reopened since.
type SentReport struct {
	// Day is the report's day (the day it was due, when made up later).
	Day     calendar.Date `json:"day"`
	Subject string        `json:"subject"`
	Queued  time.Time     `json:"queued"`
	// To are its recipients, each with the state of its message.
	To []SentTo `json:"to"`
	// Message is the message that holds the content.
	Message uint64 `json:"message"`
	// With the content (SentReportContent only):
	Text        string               `json:"text,omitempty"`
	HTML        string               `json:"html,omitempty"`
	Attachments []tracker.Attachment `json:"attachments,omitempty"`
}

// SentTo is a recipient of a report and how its message stands.
type SentTo struct {
	Address string    `json:"address"`
	State   string    `json:"state"`
	SentAt  time.Time `json:"sent_at,omitzero"`
}

// SentReportList is the reports queued, the latest first.
type SentReportList struct {
	Reports []SentReport `json:"reports"`
}

// reportDay is the day of a weekly report's outbox key
// (tracker.WeeklyKey), or false.
func reportDay(key string) (calendar.Date, bool) {
	rest, ok := strings.CutPrefix(key, "report/weekly/")
	if !ok {
		return calendar.Date{}, false
	}
	day, _, _ := strings.Cut(rest, "/")
	d, err := calendar.ParseDate(day)
	return d, err == nil
}

// SentReports lists the weekly reports queued, without their content.
func (l *Local) SentReports(ctx context.Context) (*SentReportList, error) {
	if _, err := authorize(ctx, access.OpWeeklyReport); err != nil {
		return nil, err
	}
	byDay := map[calendar.Date]*SentReport{}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		return tx.Messages(func(m *tracker.Message) error {
			day, ok := reportDay(m.Key)
			if !ok || m.Kind != "report" {
				return nil
			}
			r := byDay[day]
			if r == nil {
				r = &SentReport{Day: day, Subject: m.Subject, Queued: m.Created, To: []SentTo{}}
				byDay[day] = r
			}
			if m.ContentOf == 0 {
				r.Message = m.ID
			}
			for _, to := range m.To {
				r.To = append(r.To, SentTo{Address: to, State: m.State, SentAt: m.SentAt})
			}
			return nil
		})
	})
	if noDatabase(err) {
		err = nil
	}
	out := &SentReportList{Reports: []SentReport{}}
	for _, r := range byDay {
		out.Reports = append(out.Reports, *r)
	}
	slices.SortFunc(out.Reports, func(a, b SentReport) int { return b.Day.Compare(a.Day) })
	return out, err
}

// SentReportContent returns the weekly report of a day as it was queued,
// its content included.
func (l *Local) SentReportContent(ctx context.Context, day calendar.Date) (*SentReport, error) {
	list, err := l.SentReports(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range list.Reports {
		if r.Day != day || r.Message == 0 {
			continue
		}
		err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
			m, err := tx.Message(r.Message)
			if err != nil {
				return err
			}
			r.Text, r.HTML, r.Attachments = m.Text, m.HTML, m.Attachments
			return nil
		})
		return &r, err
	}
	return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldDate, "%s 没有发出过周报", day)
}
