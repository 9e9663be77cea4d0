package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Shanghai must resolve on a server without zoneinfo files.

	"golang.org/x/text/width"
)

// Shanghai is the zone in which every civil date of gongkai is reckoned.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("calendar: time zone %s: %v", name, err))
	}
	return loc
}

// Date is a civil date of the proleptic Gregorian calendar, with no time of
// day and no zone. Its zero value is "no date" (see IsZero). Dates compare
// with ==, <, > on their Sub, or with Before, After and Compare.
type Date struct {
	// n counts days from 0000-03-01, so that the zero value is no valid date.
	n int32
}

// epochN is n for 1970-01-01.
const epochN = 719468

// DateOf returns y-m-d as a Date. It panics if the day does not exist; use
// ParseDate or Valid for input that may be wrong.
func DateOf(y int, m time.Month, d int) Date {
	if !Valid(y, m, d) {
		panic(fmt.Sprintf("calendar: no such date %04d-%02d-%02d", y, m, d))
	}
	return fromCivil(y, int(m), d)
}

// Valid reports whether y-m-d is a real day in years 1 to 9999.
func Valid(y int, m time.Month, d int) bool {
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysIn(y, m)
}

// DaysIn returns the number of days of month m in year y.
func DaysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// fromCivil is the days-from-civil algorithm of H. Hinnant, on a year that
// starts in March so that the leap day is the last day of the year.
func fromCivil(y, m, d int) Date {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date{n: int32(era*146097 + doe)}
}

// Civil returns the year, month and day of d.
func (d Date) Civil() (year int, month time.Month, day int) {
	z := int(d.n)
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), day
}

// Year returns the year of d.
func (d Date) Year() int { y, _, _ := d.Civil(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.Civil(); return m }

// Day returns the day of the month of d.
func (d Date) Day() int { _, _, dd := d.Civil(); return dd }

// IsZero reports whether d is the zero Date, which stands for no date.
func (d Date) IsZero() bool { return d.n == 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 0000-03-01 was a Wednesday.
	w := (int(d.n) + 3) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{n: d.n + int32(n)} }

// Sub returns the number of days from e to d: positive when d is after e.
func (d Date) Sub(e Date) int { return int(d.n - e.n) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// Start returns the first instant of d in Asia/Shanghai.
func (d Date) Start() time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, Shanghai)
}

// End returns the first instant after d in Asia/Shanghai: a deadline of d
// has passed at End and not before.
func (d Date) End() time.Time { return d.AddDays(1).Start() }

// midnightUTC returns d as midnight UTC, the form in which dates are handed
// to rickar/cal: its rules look only at the year, month and day of a time.
func (d Date) midnightUTC() time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// civilOf returns the date a time has on its own clock.
func civilOf(t time.Time) Date {
	y, m, d := t.Date()
	return fromCivil(y, int(m), d)
}

// Today returns the date that the instant now has in Asia/Shanghai, whatever
// the zone of now or of the machine.
func Today(now time.Time) Date { return civilOf(now.In(Shanghai)) }

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	var b [10]byte
	return string(d.AppendFormat(b[:0]))
}

// AppendFormat appends d as YYYY-MM-DD to b.
func (d Date) AppendFormat(b []byte) []byte {
	if d.IsZero() {
		return append(b, "0000-00-00"...)
	}
	y, m, dd := d.Civil()
	return append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+dd/10), byte('0'+dd%10))
}

// MarshalText formats d as YYYY-MM-DD, so that JSON carries dates as strings.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return d.AppendFormat(make([]byte, 0, 10)), nil
}

// UnmarshalText parses YYYY-MM-DD; the empty text gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDateBytes(b)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DateError reports text that is not a date.
type DateError struct {
	Input  string // the text as given
	Reason string // why it is not a date, in Chinese
}

func (e *DateError) Error() string {
	return fmt.Sprintf("日期 %q 无效：%s", e.Input, e.Reason)
}

// ParseDate parses a date written YYYY-MM-DD, such as 2026-11-02, in ASCII
// or in the full-width digits and dash a Chinese input method types
// (２０２６－１１－０２). It refuses other layouts and days that do not
// exist (2026-02-30, 2026-13-01).
func ParseDate(s string) (Date, error) {
	d, ok := parse(s)
	if !ok {
		return parseWide(s)
	}
	return d, nil
}

// ParseDateBytes is ParseDate on bytes; it allocates only to read
// full-width digits or to report an error.
func ParseDateBytes(b []byte) (Date, error) {
	d, ok := parse(b)
	if !ok {
		return parseWide(string(b))
	}
	return d, nil
}

// parseWide parses s, which did not parse as it is, after narrowing its
// full-width characters.
func parseWide(s string) (Date, error) {
	n := width.Narrow.String(s)
	if d, ok := parse(n); ok {
		return d, nil
	}
	err := dateError(n)
	if de, ok := err.(*DateError); ok {
		de.Input = s // named as typed
	}
	return Date{}, err
}

func parse[T string | []byte](s T) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	var v [8]int
	for i, p := range [8]int{0, 1, 2, 3, 5, 6, 8, 9} {
		c := s[p]
		if c < '0' || c > '9' {
			return Date{}, false
		}
		v[i] = int(c - '0')
	}
	y := v[0]*1000 + v[1]*100 + v[2]*10 + v[3]
	m := time.Month(v[4]*10 + v[5])
	dd := v[6]*10 + v[7]
	if !Valid(y, m, dd) {
		return Date{}, false
	}
	return fromCivil(y, int(m), dd), true
}

// dateError explains why s did not parse.
func dateError(s string) error {
	const layout = "应写作 YYYY-MM-DD，如 2026-11-02"
	if _, ok := parse(s); ok {
		return nil
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return &DateError{Input: s, Reason: "格式不对，" + layout}
	}
	for _, p := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[p] < '0' || s[p] > '9' {
			return &DateError{Input: s, Reason: "含有非数字字符，" + layout}
		}
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	switch {
	case y < 1:
		return &DateError{Input: s, Reason: "没有公元0年"}
	case m < 1 || m > 12:
		return &DateError{Input: s, Reason: fmt.Sprintf("没有%d月", m)}
	}
	return &DateError{Input: s, Reason: fmt.Sprintf("%d年%d月只有%d天", y, m, DaysIn(y, time.Month(m)))}
}
