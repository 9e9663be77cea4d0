package calendar

import (
	"strings"
	"testing"
	"time"
)

func TestMonth(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name     string
		y        int
		m        time.Month
		weeks    []string // the weeks' cells joined with "|"
		holidays []string
	}{
		// 国庆 2026: 1–7 off, Saturday the 10th worked; the 1st a Thursday.
		{"official", 2026, time.October, []string{
			"|||1 国庆|2 国庆|3 国庆|4 国庆",
			"5 国庆|6 国庆|7 国庆|8|9|10 班|11",
			"12|13|14|15|16|17|18",
			"19|20|21|22|23|24|25",
			"26|27|28|29|30|31|",
		}, []string{"国庆节：10月1日至7日 放假；10月10日 上班"}},
		// The last days of a December before a year without its notice
		// may still change: each is marked.
		{"official, next year provisional", 2027, time.December, []string{
			"||1|2|3|4|5",
			"6|7|8|9|10|11|12",
			"13|14|15|16|17|18|19",
			"20|21|22|23|24|25|26*",
			"27*|28*|29*|30*|31*||",
		}, nil},
		// A provisional year: only the estimated days off are marked.
		{"provisional", 2029, time.February, []string{
			"|||1|2|3|4",
			"5|6|7|8|9|10|11",
			"12 春节*|13 春节*|14 春节*|15 春节*|16|17|18",
			"19|20|21|22|23|24|25",
			"26|27|28||||",
		}, []string{"春节：2月12日至15日 放假"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := c.Month(tc.y, tc.m)
			if err != nil {
				t.Fatal(err)
			}
			var weeks, holidays []string
			for _, w := range g.Weeks {
				weeks = append(weeks, strings.Join(w[:], "|"))
			}
			for _, h := range g.Holidays {
				holidays = append(holidays, h.String())
			}
			if strings.Join(weeks, "\n") != strings.Join(tc.weeks, "\n") {
				t.Errorf("weeks:\n%s\nwant:\n%s", strings.Join(weeks, "\n"), strings.Join(tc.weeks, "\n"))
			}
			if strings.Join(holidays, "\n") != strings.Join(tc.holidays, "\n") {
				t.Errorf("holidays %q, want %q", holidays, tc.holidays)
			}
		})
	}
	if _, err := c.Month(LastYear+1, time.January); err == nil {
		t.Error("a month past the calendar's range: no error")
	}
}
