package tracker

import (
	"fmt"
	"testing"

	"gongkai/calendar"
)

// BenchmarkPlanReminders plans a reminder run over 100,000 open events,
// all overdue, each reminded the working day before (the reminder run's
// worst case on a million stored events):
//
//	go test ./tracker -run XXX -bench PlanReminders
func BenchmarkPlanReminders(b *testing.B) {
	cal := calendar.Default()
	day := calendar.DateOf(2026, 11, 23)
	prev := calendar.DateOf(2026, 11, 20)
	in := &ReminderInputs{Noticed: map[string]bool{}}
	for i := range 100_000 {
		date := calendar.DateOf(2026, 1, 5).AddDays(i % 250)
		deadline, _, err := cal.AddWorkdays(date, 20)
		if err != nil {
			b.Fatal(err)
		}
		e := &Event{ID: uint64(i + 1), Matter: 1 + i%81, MatterName: "社会保险参保登记 › 机关事业单位参加社会保险登记", Kind: Changed,
			Date: date, Deadline: deadline, State: Open, Summary: fmt.Sprintf("第%d号：调整办理材料和办理时限", i),
			Channels: []Channel{Web, Center, Grassroots}}
		in.Events = append(in.Events, e)
	}
	// Planning records the marks it plans in the states it was given:
	// fresh ones each time.
	states := func() []ReminderState {
		out := make([]ReminderState, len(in.Events))
		for i, e := range in.Events {
			out[i] = ReminderState{Sent: map[calendar.Date]Marks{e.Deadline: {Officers: prev, Supervisors: prev}}}
		}
		return out
	}
	req := RemindRequest{Rules: ReminderRules{Before: []int{5, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5},
		Officers: []string{"officer@example.gov.cn"}, Supervisors: []string{"leader@example.gov.cn"}}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		in.States = states()
		b.StartTimer()
		p, err := PlanReminders(in, cal, day, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Digests) != 2 || len(p.Digests[0].Items) != 100_000 {
			b.Fatalf("%d digests", len(p.Digests))
		}
	}
}
