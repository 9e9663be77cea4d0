package calendar

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestAddWorkdays(t *testing.T) {
	c := Default()
	tests := []struct {
		from string
		n    int
		want string
	}{
		// The rule's example: changed on a Monday, due four weeks later.
		{"2026-11-02", 20, "2026-11-30"},
		// A Saturday start: the Monday after is day 1, not day 0.
		{"2023-04-01", 1, "2023-04-03"},
		// Backwards from a Saturday: the Friday before.
		{"2023-04-01", -1, "2023-03-31"},
		// n = 0 on a working day is that day.
		{"2026-11-02", 0, "2026-11-02"},
		// n = 0 on a day off is the next working day (国庆 2026: 10-01..07).
		{"2026-10-01", 0, "2026-10-08"},
		// n = 0 on a make-up Saturday is that Saturday.
		{"2026-10-10", 0, "2026-10-10"},
		// Starting on a holiday: the first working day after it is day 1.
		{"2026-10-03", 1, "2026-10-08"},
		// The make-up Saturday 2026-10-10 counts.
		{"2026-10-09", 1, "2026-10-10"},
		// Starting on a make-up Saturday: it does not count itself.
		{"2026-10-10", 1, "2026-10-12"},
		// Through 国庆 2026: 2 days before, 7 off, make-up Saturday counted.
		{"2026-09-28", 20, "2026-10-30"},
		// Year end: 2027-01-01..03 off.
		{"2026-12-31", 1, "2027-01-04"},
		// Across the Spring Festival 2026 (02-15..23 off, 02-14 and 02-28 make-up).
		{"2026-02-13", 1, "2026-02-14"},
		{"2026-02-13", 2, "2026-02-24"},
		{"2026-02-10", 20, "2026-03-16"},
		// Backwards across it.
		{"2026-02-24", -1, "2026-02-14"},
		{"2026-02-24", -2, "2026-02-13"},
		// The 2020 extension of the Spring Festival (to 02-02).
		{"2020-01-23", 1, "2020-02-03"},
		// 2015-09-03/04, 抗战胜利70周年, and the make-up Sunday 09-06.
		{"2015-09-02", 1, "2015-09-06"},
		// A December day that the next year's notice decides: 2007-12-29
		// was a make-up Saturday in the 2008 notice.
		{"2007-12-28", 1, "2007-12-29"},
	}
	for _, tc := range tests {
		got, _, err := c.AddWorkdays(d(tc.from), tc.n)
		if err != nil || got.String() != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s", tc.from, tc.n, got, err, tc.want)
		}
	}
}

func TestRangeLimits(t *testing.T) {
	c := Default()
	var re *RangeError
	// 2007-01-01..03 were days off: the first working day is 2007-01-04.
	if got, _, err := c.AddWorkdays(d("2007-01-01"), 0); err != nil || got != d("2007-01-04") {
		t.Errorf("AddWorkdays(2007-01-01, 0) = %s, %v", got, err)
	}
	for _, tc := range []struct {
		from string
		n    int
	}{
		{"2007-01-04", -1}, // the first working day has none before it
		{"2006-12-31", 1},  // start before the range
		{"2100-01-01", -1}, // start after the range
		{"2099-12-31", 1},  // result after the range
		{"2099-12-01", 40}, // result after the range
		{"2026-11-02", 1 << 30},
		{"2026-11-02", -(1 << 30)},
	} {
		_, _, err := c.AddWorkdays(d(tc.from), tc.n)
		if !errors.As(err, &re) {
			t.Errorf("AddWorkdays(%s, %d): err = %v, want a RangeError", tc.from, tc.n, err)
		}
	}
	if _, _, err := c.WorkdaysBetween(d("2006-12-31"), d("2026-01-01")); !errors.As(err, &re) {
		t.Errorf("WorkdaysBetween before the range: %v", err)
	}
	if _, err := c.IsWorkday(d("2100-01-01")); !errors.As(err, &re) {
		t.Errorf("IsWorkday after the range: %v", err)
	}
	if got, _, err := c.AddWorkdays(d("2099-12-30"), 1); err != nil || got != d("2099-12-31") {
		t.Errorf("AddWorkdays(2099-12-30, 1) = %s, %v; want the range's last day", got, err)
	}
}

// On random dates and counts across the whole range, AddWorkdays agrees
// with rickar/cal's day-by-day WorkdaysFrom on the same rules (which has the
// same meaning for n ≠ 0), and WorkdaysBetween inverts it.
func TestAgainstRickarAndInverse(t *testing.T) {
	c := Default()
	bc := c.Business()
	r := rand.New(rand.NewPCG(1, 2))
	span := LastDate.Sub(FirstDate)
	for i := 0; i < 3000; i++ {
		from := FirstDate.AddDays(100 + r.IntN(span-200))
		n := r.IntN(121) - 60
		if n == 0 {
			continue
		}
		got, _, err := c.AddWorkdays(from, n)
		if err != nil {
			t.Fatalf("AddWorkdays(%s, %d): %v", from, n, err)
		}
		y, m, dd := from.Civil()
		want := civilOf(bc.WorkdaysFrom(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC), n))
		if got != want {
			t.Fatalf("AddWorkdays(%s, %d) = %s; rickar/cal WorkdaysFrom = %s", from, n, got, want)
		}
		// (a, b] for n > 0; going back, the count covered [result, from).
		a, b := from, got
		if n < 0 {
			a, b = from.AddDays(-1), got.AddDays(-1)
		}
		between, _, err := c.WorkdaysBetween(a, b)
		if err != nil || between != n {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", a, b, between, err, n)
		}
		if back, _, _ := c.WorkdaysBetween(b, a); back != -n {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d; want %d", b, a, back, -n)
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2026-11-02", "2026-11-30", 20},
		{"2026-11-30", "2026-11-02", -20},
		{"2026-11-02", "2026-11-02", 0},
		{"2026-10-01", "2026-10-07", 0}, // all days off
		{"2026-09-30", "2026-10-10", 3}, // 10-08, 10-09 and the make-up Saturday 10-10
		{"2023-03-31", "2023-04-01", 0}, // (Fri, Sat]: Saturday only
		{"2023-04-01", "2023-04-03", 1}, // (Sat, Mon]
	} {
		got, _, err := c.WorkdaysBetween(d(tc.a), d(tc.b))
		if err != nil || got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
		}
	}
}

func TestProvisional(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		from string
		n    int
		want string
		prov bool
	}{
		{"2027-11-01", 20, "2027-11-29", false}, // all within official 2027
		{"2027-12-20", 1, "2027-12-21", false},  // before the last days of December
		{"2027-12-24", 1, "2027-12-27", true},   // passes 12-26, which the 2028 notice may move
		{"2027-12-01", 20, "2027-12-29", true},
		{"2027-12-31", 1, "2028-01-04", true}, // estimated: 2028-01-01 Sat → 01-03 off
		{"2028-03-01", -1, "2028-02-29", true},
		{"2027-12-28", -1, "2027-12-27", true},  // going back over a provisional day
		{"2027-12-27", -1, "2027-12-24", true},  // passes 12-26 on the way back
		{"2027-12-26", -1, "2027-12-24", false}, // the start itself is not counted
		{"2027-12-26", 0, "2027-12-27", true},   // n = 0 looks at the start day
		{"2026-11-02", 0, "2026-11-02", false},
	} {
		got, prov, err := c.AddWorkdays(d(tc.from), tc.n)
		if err != nil || got.String() != tc.want || prov != tc.prov {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v, %v; want %s, %v", tc.from, tc.n, got, prov, err, tc.want, tc.prov)
		}
	}
	if _, prov, _ := c.WorkdaysBetween(d("2027-12-01"), d("2027-12-25")); prov {
		t.Error("WorkdaysBetween within official days is provisional")
	}
	if _, prov, _ := c.WorkdaysBetween(d("2028-01-10"), d("2027-12-01")); !prov {
		t.Error("WorkdaysBetween over 2028, reversed, is not provisional")
	}

	// Once 2028 is official, the end of 2027 is settled too.
	s2028 := Schedule{Year: 2028, Origin: OriginImported, Days: []ScheduleDay{
		{Date: d("2028-01-01"), Name: "元旦", Off: true},
	}}
	c2, err := New(s2028)
	if err != nil {
		t.Fatal(err)
	}
	got, prov, _ := c2.AddWorkdays(d("2027-12-24"), 1)
	if got != d("2027-12-27") || prov {
		t.Errorf("with 2028 imported: AddWorkdays(2027-12-24, 1) = %s, %v", got, prov)
	}
	if y, _ := c2.Year(2028); !y.Official || y.Schedule.Origin != OriginImported {
		t.Errorf("2028 after import: %+v", y)
	}
	// 2028-01-03 is no longer an estimated day off: the imported schedule
	// names only 01-01.
	if w, _ := c2.IsWorkday(d("2028-01-03")); !w {
		t.Error("2028-01-03 is still off after an import that does not name it")
	}
}

// 2028 under 全国年节及纪念日放假办法: 除夕 01-25, 春节 01-26, 清明 04-04,
// 端午 05-28 (a Sunday), 中秋 10-03 (国庆's third day).
func TestEstimate2028(t *testing.T) {
	c := Default()
	want := map[string]string{
		"2028-01-01": "元旦",   // a Saturday …
		"2028-01-03": "元旦补休", // … so Monday is off
		"2028-01-25": "春节",   // 除夕
		"2028-01-26": "春节",
		"2028-01-27": "春节",
		"2028-01-28": "春节",
		"2028-04-04": "清明节",
		"2028-05-01": "劳动节",
		"2028-05-02": "劳动节",
		"2028-05-28": "端午节",   // a Sunday …
		"2028-05-29": "端午节补休", // … so Monday is off
		"2028-10-01": "国庆节",   // a Sunday
		"2028-10-02": "国庆节",
		"2028-10-03": "国庆节、中秋节", // two holidays on one day
		"2028-10-04": "国庆节补休",   // for 10-01
		"2028-10-05": "中秋节补休",   // for the shared 10-03
	}
	off := 0
	for day := d("2028-01-01"); day.Year() == 2028; day = day.AddDays(1) {
		got, _ := c.Day(day)
		if !got.Provisional {
			t.Fatalf("%s is not provisional", day)
		}
		if got.Kind == Makeup {
			t.Fatalf("%s: an estimate has make-up workdays", day)
		}
		name, ok := want[day.String()]
		if ok && (got.Kind != DayOff || got.Name != name) {
			t.Errorf("%s: got %s %q, want 放假 %q", day, got.Kind, got.Name, name)
		}
		if got.Kind == DayOff {
			off++
			if !ok {
				t.Errorf("%s: unexpected day off %q", day, got.Name)
			}
		}
	}
	if off != len(want) {
		t.Errorf("%d days off in 2028, want %d", off, len(want))
	}
}

// For every estimated year: the 13 legal days are off; each one that falls
// on a weekend or shares a day with another gives exactly one substitute day,
// on a weekday, after it and before any other working day in between.
func TestEstimateRules(t *testing.T) {
	for y := 2028; y <= LastYear; y++ {
		days := Estimate(y)
		legal, subs, weekendOrShared := 0, 0, 0
		seen := map[Date]bool{}
		for _, e := range days {
			if seen[e.Date] {
				t.Fatalf("%d: %s listed twice", y, e.Date)
			}
			seen[e.Date] = true
			if !e.Off || e.Date.Year() != y {
				t.Fatalf("%d: bad entry %+v", y, e)
			}
			if strings.HasSuffix(e.Name, substituteSuffix) {
				subs++
				if e.Date.IsWeekend() {
					t.Fatalf("%d: substitute day %s on a weekend", y, e.Date)
				}
				// Between the holiday it stands for and itself, every
				// day is a weekend or a day off: it is the next working day.
				holiday := strings.TrimSuffix(e.Name, substituteSuffix)
				back := e.Date.AddDays(-1)
				for ; ; back = back.AddDays(-1) {
					if e.Date.Sub(back) > 14 {
						t.Fatalf("%d: substitute %s %s has no %s within two weeks before it", y, e.Date, e.Name, holiday)
					}
					if hasName(days, back, holiday) {
						break
					}
					if !back.IsWeekend() && !seenOff(days, back) {
						t.Fatalf("%d: substitute %s skips the working day %s", y, e.Date, back)
					}
				}
				continue
			}
			legal++
			if e.Date.IsWeekend() {
				weekendOrShared++
			}
			if n := countRunes(e.Name, '、'); n > 0 {
				legal += n
				weekendOrShared += n
			}
		}
		if legal != 13 {
			t.Fatalf("%d: %d legal holiday days, want 13: %+v", y, legal, days)
		}
		if subs != weekendOrShared {
			t.Fatalf("%d: %d substitute days for %d holidays on weekends or shared: %+v", y, subs, weekendOrShared, days)
		}
	}
}

// hasName reports whether d is off in days under a name that includes
// holiday (a shared day reads 国庆节、中秋节).
func hasName(days []ScheduleDay, d Date, holiday string) bool {
	for _, e := range days {
		if e.Date == d && strings.Contains(e.Name, holiday) && !strings.HasSuffix(e.Name, substituteSuffix) {
			return true
		}
	}
	return false
}

func seenOff(days []ScheduleDay, d Date) bool {
	for _, e := range days {
		if e.Date == d {
			return true
		}
	}
	return false
}

func countRunes(s string, r rune) int {
	n := 0
	for _, c := range s {
		if c == r {
			n++
		}
	}
	return n
}

// No answer changes with the machine's zone: the index built under other
// values of time.Local is the same, day by day.
func TestIndependentOfLocalZone(t *testing.T) {
	saved := time.Local
	defer func() { time.Local = saved }()
	ref := Default()
	for _, zone := range []string{"UTC", "America/Los_Angeles", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		time.Local = loc
		c, err := New()
		if err != nil {
			t.Fatal(err)
		}
		ci, ri := c.complete(), ref.complete()
		for i := range ri.days {
			day := FirstDate.AddDays(i)
			a, _ := c.Day(day)
			b, _ := ref.Day(day)
			if a != b || ci.cum[i] != ri.cum[i] {
				t.Fatalf("TZ=%s: %s is %+v, not %+v", zone, day, a, b)
			}
		}
		got, _, _ := c.AddWorkdays(d("2026-11-02"), 20)
		if got != d("2026-11-30") {
			t.Fatalf("TZ=%s: 2026-11-02 + 20 = %s", zone, got)
		}
	}
}

func TestExplain(t *testing.T) {
	c := Default()
	res, _, steps, err := c.Explain(d("2026-09-28"), 20)
	if err != nil || res != d("2026-10-30") {
		t.Fatalf("Explain = %s, %v", res, err)
	}
	if steps[0].Date != d("2026-09-29") || steps[len(steps)-1].Date != res {
		t.Fatalf("steps run %s..%s", steps[0].Date, steps[len(steps)-1].Date)
	}
	counted, holiday, makeup := 0, 0, 0
	for _, s := range steps {
		if s.Counted() {
			counted++
			if s.Ordinal != counted {
				t.Fatalf("%s: ordinal %d, want %d", s.Date, s.Ordinal, counted)
			}
		}
		switch s.Kind {
		case DayOff:
			holiday++
		case Makeup:
			makeup++
		}
	}
	if counted != 20 || holiday != 7 || makeup != 1 {
		t.Errorf("counted %d, holidays %d, make-up %d; want 20, 7, 1", counted, holiday, makeup)
	}
	// Backwards: ordinals go -1, -2, …
	_, _, steps, _ = c.Explain(d("2026-02-24"), -2)
	if last := steps[len(steps)-1]; last.Date != d("2026-02-13") || last.Ordinal != -2 {
		t.Errorf("Explain backwards ends with %+v", last)
	}
}

// The index starts short of LastDate and grows the first time a question
// reaches past it; the answers are those of the whole index, including
// counts that start before the first index's end and finish after it.
func TestLazyIndexAgreesWithFull(t *testing.T) {
	full, err := New()
	if err != nil {
		t.Fatal(err)
	}
	full.complete()
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 60; i++ {
		c, err := New()
		if err != nil {
			t.Fatal(err)
		}
		if c.cur.Load().full {
			t.Fatal("a new calendar compiled every estimated year at once")
		}
		// Around the end of the first index (2028-12-31), and anywhere.
		from := d("2028-10-01").AddDays(r.IntN(200))
		if i%4 == 0 {
			from = FirstDate.AddDays(100 + r.IntN(LastDate.Sub(FirstDate)-200))
		}
		n := r.IntN(161) - 80
		got, gp, gerr := c.AddWorkdays(from, n)
		want, wp, werr := full.AddWorkdays(from, n)
		if got != want || gp != wp || (gerr == nil) != (werr == nil) {
			t.Fatalf("AddWorkdays(%s, %d) = %s %v %v; full index %s %v %v", from, n, got, gp, gerr, want, wp, werr)
		}
		to := from.AddDays(r.IntN(400) - 200)
		gb, gbp, _ := c.WorkdaysBetween(from, to)
		wb, wbp, _ := full.WorkdaysBetween(from, to)
		if gb != wb || gbp != wbp {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d %v; full index %d %v", from, to, gb, gbp, wb, wbp)
		}
	}
}
