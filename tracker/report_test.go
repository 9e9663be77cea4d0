package tracker

import (
	"testing"
)

func TestLastWeek(t *testing.T) {
	for _, tc := range []struct{ day, from, to string }{
		{"2026-11-30", "2026-11-23", "2026-11-29"}, // a Monday
		{"2026-12-02", "2026-11-23", "2026-11-29"}, // a Wednesday
		{"2026-12-06", "2026-11-23", "2026-11-29"}, // a Sunday
		{"2027-01-04", "2026-12-28", "2027-01-03"}, // across the year
	} {
		from, to := LastWeek(day(tc.day))
		if from.String() != tc.from || to.String() != tc.to {
			t.Errorf("LastWeek(%s) = %s..%s, want %s..%s", tc.day, from, to, tc.from, tc.to)
		}
	}
}

func TestRate(t *testing.T) {
	if p := (Rate{OnTime: 3, Total: 4}).Percent(); p != 75 {
		t.Errorf("3/4 = %v", p)
	}
	if p := (Rate{}).Percent(); p != -1 {
		t.Errorf("0/0 = %v, want -1 (nothing to rate)", p)
	}
}
