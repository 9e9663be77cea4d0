package web

import (
	"testing"

	"gongkai/calendar"
	"gongkai/tracker"
)

// Every band, with its words: never the colour alone.
func TestBands(t *testing.T) {
	day := func(s string) calendar.Date { d, _ := calendar.ParseDate(s); return d }
	left := func(n int) *int { return &n }
	friday := day("2026-11-20")
	cases := []struct {
		name string
		v    tracker.EventView
		want band
	}{
		// Past its deadline by 11 working days.
		{"overdue", tracker.EventView{Deadline: day("2026-11-05"), WorkdaysLeft: left(-11), Status: tracker.Overdue},
			band{Class: "overdue", Label: "已逾期", Detail: "逾期 11 个工作日"}},
		{"due today", tracker.EventView{Deadline: friday, WorkdaysLeft: left(0), Status: tracker.Open}, band{Class: "today", Label: "今天到期"}},
		// Monday is the next working day.
		{"within 1", tracker.EventView{Deadline: day("2026-11-23"), WorkdaysLeft: left(1), Status: tracker.Open},
			band{Class: "soon1", Label: "即将到期", Detail: "还有 1 个工作日"}},
		{"within 5", tracker.EventView{Deadline: day("2026-11-27"), WorkdaysLeft: left(5), Status: tracker.Open},
			band{Class: "soon5", Label: "5 日内到期", Detail: "还有 5 个工作日"}},
		{"on track", tracker.EventView{Deadline: day("2026-11-30"), WorkdaysLeft: left(6), Status: tracker.Open},
			band{Class: "ontrack", Label: "正常", Detail: "还有 6 个工作日"}},
		{"provisional", tracker.EventView{Deadline: day("2028-01-10"), WorkdaysLeft: left(300), Status: tracker.Open, Provisional: true},
			band{Class: "ontrack", Label: "正常", Detail: "还有 300 个工作日", Provisional: true}},
		{"closed", tracker.EventView{Deadline: day("2026-11-05"), Status: tracker.DoneLate}, band{Class: "closed", Label: "逾期公开"}},
		{"cancelled", tracker.EventView{Deadline: day("2026-11-05"), Status: tracker.Cancelled}, band{Class: "cancelled", Label: "已作废"}},
	}
	for _, c := range cases {
		if got := bandOf(c.v, friday); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
