package calendar

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in     string
		want   string // "" when the input must be refused
		reason string // a fragment of the refusal
	}{
		{"2026-11-02", "2026-11-02", ""},
		{"2024-02-29", "2024-02-29", ""},     // leap year
		{"2000-02-29", "2000-02-29", ""},     // divisible by 400: leap
		{"2100-02-29", "", "2月只有28天"},        // divisible by 100 only: not leap
		{"2026-02-30", "", "2月只有28天"},        // no such day
		{"2026-13-01", "", "没有13月"},          // no such month
		{"2026-00-10", "", "没有0月"},           // no month 0
		{"2026-04-31", "", "4月只有30天"},        // 30-day month
		{"2026-01-00", "", "1月只有31天"},        // day 0
		{"0000-01-01", "", "没有公元0年"},         // no year 0
		{"2026/11/02", "", "格式不对"},           // wrong separator
		{"2026-11-2", "", "格式不对"},            // no zero padding
		{" 2026-11-02", "", "格式不对"},          // spaces are the caller's business
		{"２０２６-11-02", "2026-11-02", ""},     // full-width digits, as a Chinese input method types them
		{"２０２６－１１－０２", "2026-11-02", ""},     // and the full-width dash
		{"２０２６－１１－３１", "", "11月只有30天"},       // checked as any date, named as typed
		{"2026-1a-02", "", "非数字"},            // letters
		{"", "", "格式不对"},                     // empty
		{"2026-11-02T00:00:00Z", "", "格式不对"}, // a time, not a date
	}
	for _, tc := range tests {
		d, err := ParseDate(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %s, want an error", tc.in, d)
				continue
			}
			if !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseDate(%q) error %q: want it to name the input and say %q", tc.in, err, tc.reason)
			}
			continue
		}
		if err != nil || d.String() != tc.want {
			t.Errorf("ParseDate(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
		}
	}
}

// Every day from 1900 to 2200 agrees with the standard library's calendar:
// year, month, day, weekday, and the order of days.
func TestDateAgreesWithTime(t *testing.T) {
	tt := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := DateOf(1899, 12, 31)
	for tt.Year() < 2200 {
		y, m, d := tt.Date()
		got := DateOf(y, m, d)
		gy, gm, gd := got.Civil()
		if gy != y || gm != m || gd != d || got.Weekday() != tt.Weekday() {
			t.Fatalf("%s: got %04d-%02d-%02d %s", tt.Format(time.DateOnly), gy, gm, gd, got.Weekday())
		}
		if got.Sub(prev) != 1 || prev.AddDays(1) != got || !prev.Before(got) || got.Compare(prev) != 1 {
			t.Fatalf("%s does not follow %s by one day", got, prev)
		}
		if s := got.String(); s != tt.Format(time.DateOnly) {
			t.Fatalf("String() = %s, want %s", s, tt.Format(time.DateOnly))
		}
		prev = got
		tt = tt.AddDate(0, 0, 1)
	}
}

func TestDateTextAndZero(t *testing.T) {
	var z Date
	if !z.IsZero() {
		t.Fatal("zero Date is not IsZero")
	}
	if b, _ := z.MarshalText(); len(b) != 0 {
		t.Errorf("zero Date marshals as %q", b)
	}
	d := DateOf(2026, 11, 2)
	b, err := d.MarshalText()
	if err != nil || string(b) != "2026-11-02" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back Date
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Fatalf("UnmarshalText = %s, %v", back, err)
	}
	if err := back.UnmarshalText([]byte("2026-02-30")); err == nil {
		t.Fatal("UnmarshalText accepted 2026-02-30")
	}
}

// Today is the date in Shanghai, whatever the zone of the instant or the
// machine: 2026-11-01T17:30Z is already 2026-11-02 in Shanghai.
func TestTodayInShanghai(t *testing.T) {
	saved := time.Local
	defer func() { time.Local = saved }()
	for _, zone := range []string{"UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		time.Local = loc
		now := time.Date(2026, 11, 1, 17, 30, 0, 0, time.UTC).In(loc)
		if got := Today(now); got != DateOf(2026, 11, 2) {
			t.Errorf("TZ=%s: Today = %s, want 2026-11-02", zone, got)
		}
		if got := DateOf(2026, 11, 30).End(); !got.Equal(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)) {
			t.Errorf("TZ=%s: End of 2026-11-30 = %s, want 2026-11-30T16:00Z", zone, got)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-02", "2024-02-29", "2026-02-30", "0000-01-01", "9999-12-31", "abcd-ef-gh", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		ref, refErr := time.Parse(time.DateOnly, s)
		// time.Parse is the oracle for the layout, except that it allows
		// year 0, which has no civil date.
		refOK := refErr == nil && ref.Year() >= 1 && ref.Format(time.DateOnly) == s
		if (err == nil) != refOK {
			t.Fatalf("ParseDate(%q) err = %v; time.Parse err = %v", s, err, refErr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "无效") {
				t.Fatalf("ParseDate(%q): error %q is not a sentence for people", s, err)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if b, err := ParseDateBytes([]byte(s)); err != nil || b != d {
			t.Fatalf("ParseDateBytes(%q) = %s, %v", s, b, err)
		}
	})
}
