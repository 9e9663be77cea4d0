package calendar

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rickar/cal/v2"
)

// The range of dates the calendar answers for.
const (
	FirstYear = 2007
	LastYear  = 2099
)

var (
	// FirstDate is the first day the calendar answers for.
	FirstDate = DateOf(FirstYear, time.January, 1)
	// LastDate is the last day the calendar answers for.
	LastDate = DateOf(LastYear, time.December, 31)
)

// provisionalFromDecember: days after this day of December belong to the
// provisional part of the calendar when the next year has no notice yet,
// since that notice may still move them (the 2008 and 2019 notices did).
const provisionalFromDecember = 25

// Kind says what a day is.
type Kind uint8

// Kinds of days.
const (
	Weekday Kind = iota // Monday to Friday, no notice names it
	Weekend             // Saturday or Sunday, no notice names it
	DayOff              // a day off that a notice (or an estimate) names
	Makeup              // a weekend day that a notice makes a workday (调休上班)
)

// Workday reports whether a day of kind k is a working day.
func (k Kind) Workday() bool { return k == Weekday || k == Makeup }

// String returns the kind in Chinese, as people read it.
func (k Kind) String() string {
	switch k {
	case Weekday:
		return "工作日"
	case Weekend:
		return "周末"
	case DayOff:
		return "放假"
	case Makeup:
		return "调休上班"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Day describes one day of the calendar.
type Day struct {
	Date        Date
	Kind        Kind
	Name        string // the holiday of a day off or make-up workday
	Provisional bool   // the day's status may still change with a notice not yet published
}

// Workday reports whether the day is a working day.
func (d Day) Workday() bool { return d.Kind.Workday() }

// YearInfo says where a year's working days come from.
type YearInfo struct {
	Year     int
	Official bool      // a notice is known; false: estimated, provisional
	Schedule *Schedule // the schedule in force, when Official
}

// dayInfo is the compact per-day record of the index.
type dayInfo struct {
	kind Kind
	prov bool
	name uint16 // index into index.names; 0 is ""
}

// Calendar is mainland China's working-day calendar from FirstDate to
// LastDate: the official schedules where they are known, estimates where
// they are not. It is built once and then read by any number of goroutines.
//
// Its rules are expressed as rickar/cal holidays and a business calendar
// (Business), then compiled into a day index so that IsWorkday, AddWorkdays
// and WorkdaysBetween take constant time and allocate nothing.
//
// The index first covers the years up to the one after the last official
// year; the estimates of the decades after that (the costly part: the lunar
// calendar) are compiled the first time a question reaches past it.
type Calendar struct {
	byYear map[int]Schedule
	years  []YearInfo // years[y-FirstYear]

	cur  atomic.Pointer[index]
	full sync.Once
}

// index is the compiled calendar from FirstDate up to a last year.
type index struct {
	days  []dayInfo // days[i] is FirstDate + i
	cum   []int32   // cum[i]: working days in [FirstDate, FirstDate+i]
	work  []int32   // work[k]: the index of the (k+1)th working day
	prov  []int32   // prov[i]: provisional days in [FirstDate, FirstDate+i]
	names []string
	full  bool // covers up to LastDate

	business *cal.BusinessCalendar
}

var defaultCalendar = sync.OnceValues(func() (*Calendar, error) { return New() })

// Default returns the calendar of the embedded schedules alone.
func Default() *Calendar {
	c, err := defaultCalendar()
	if err != nil {
		panic("calendar: " + err.Error())
	}
	return c
}

// New builds the calendar from the embedded schedules, replaced year by year
// by the given ones (imported into the database). Where two notices name the
// same late-December day, the later year's notice decides.
func New(overrides ...Schedule) (*Calendar, error) {
	c := &Calendar{
		byYear: make(map[int]Schedule),
		years:  make([]YearInfo, LastYear-FirstYear+1),
	}
	for _, s := range Embedded() {
		c.byYear[s.Year] = s
	}
	for _, s := range overrides {
		if s.Year < FirstYear || s.Year > LastYear {
			return nil, fmt.Errorf("schedule for %d: outside %d–%d", s.Year, FirstYear, LastYear)
		}
		c.byYear[s.Year] = s
	}
	horizon := FirstYear
	for y := FirstYear; y <= LastYear; y++ {
		if s, ok := c.byYear[y]; ok {
			c.years[y-FirstYear] = YearInfo{Year: y, Official: true, Schedule: &s}
			horizon = y + 1
		} else {
			c.years[y-FirstYear] = YearInfo{Year: y}
		}
	}
	c.cur.Store(c.build(min(horizon, LastYear)))
	return c, nil
}

// complete returns the index of the whole range, building it once.
func (c *Calendar) complete() *index {
	c.full.Do(func() {
		if !c.cur.Load().full {
			c.cur.Store(c.build(LastYear))
		}
	})
	return c.cur.Load()
}

// build expresses the rules of FirstYear to last in rickar/cal, then
// compiles them into an index.
func (c *Calendar) build(last int) *index {
	// The days each year contributes, earlier years first, so that a
	// later notice overrides what an earlier one said of the same day.
	type named struct {
		name string
		off  bool
	}
	merged := make(map[Date]named)
	for y := FirstYear; y <= last; y++ {
		days := Estimate
		if s, ok := c.byYear[y]; ok {
			days = func(int) []ScheduleDay { return s.Days }
		}
		for _, d := range days(y) {
			merged[d.Date] = named{d.Name, d.Off}
		}
	}
	// A notice of the year after may name its last days of December.
	if s, ok := c.byYear[last+1]; ok {
		for _, d := range s.Days {
			merged[d.Date] = named{d.Name, d.Off}
		}
	}

	// Each day off is a one-off Holiday; the make-up workdays are the
	// business calendar's workday function.
	bc := cal.NewBusinessCalendar()
	bc.Name = "中国大陆"
	bc.Description = "中国大陆工作日（国务院办公厅放假安排通知；未发布年份按全国年节及纪念日放假办法估算）"
	makeup := make(map[Date]string)
	dates := slices.SortedFunc(maps.Keys(merged), func(a, b Date) int { return a.Compare(b) })
	for _, d := range dates {
		n := merged[d]
		if !n.off {
			makeup[d] = n.name
			continue
		}
		y, m, dd := d.Civil()
		bc.AddHoliday(&cal.Holiday{
			Name:      n.name,
			Type:      cal.ObservancePublic,
			StartYear: y,
			EndYear:   y,
			Month:     m,
			Day:       dd,
			Func:      dayOfMonthUTC,
		})
	}
	bc.WorkdayFunc = func(t time.Time) bool {
		d := civilOf(t)
		if _, ok := makeup[d]; ok {
			return true
		}
		return !d.IsWeekend()
	}
	return c.compile(bc, makeup, DateOf(last, time.December, 31))
}

// dayOfMonthUTC places a holiday on its day in UTC: rickar/cal compares only
// the year, month and day, and UTC keeps the machine's zone out of it.
func dayOfMonthUTC(h *cal.Holiday, year int) time.Time {
	return time.Date(year, h.Month, h.Day, 0, 0, 0, 0, time.UTC)
}

// compile builds the day index from FirstDate to last from the business
// calendar's rules: each holiday's observed date from Holiday.Calc, each
// make-up workday from the workday function's table.
func (c *Calendar) compile(bc *cal.BusinessCalendar, makeup map[Date]string, last Date) *index {
	n := last.Sub(FirstDate) + 1
	ix := &index{
		days:     make([]dayInfo, n),
		names:    []string{""},
		full:     last == LastDate,
		business: bc,
	}
	for i := range ix.days {
		if FirstDate.AddDays(i).IsWeekend() {
			ix.days[i].kind = Weekend
		}
	}
	nameIndex := map[string]uint16{"": 0}
	intern := func(s string) uint16 {
		if k, ok := nameIndex[s]; ok {
			return k
		}
		k := uint16(len(ix.names))
		ix.names = append(ix.names, s)
		nameIndex[s] = k
		return k
	}
	for _, h := range bc.Holidays {
		_, observed := h.Calc(h.StartYear)
		if observed.IsZero() {
			continue
		}
		if i := civilOf(observed).Sub(FirstDate); i >= 0 && i < n {
			ix.days[i] = dayInfo{kind: DayOff, name: intern(h.Name)}
		}
	}
	for d, name := range makeup {
		if !d.IsWeekend() {
			continue // a notice's workday on a weekday changes nothing
		}
		if i := d.Sub(FirstDate); i >= 0 && i < n {
			ix.days[i] = dayInfo{kind: Makeup, name: intern(name)}
		}
	}

	ix.cum = make([]int32, n)
	ix.prov = make([]int32, n)
	ix.work = make([]int32, 0, n*5/7)
	var works, provs int32
	for i := range ix.days {
		d := FirstDate.AddDays(i)
		ix.days[i].prov = c.provisional(d)
		if ix.days[i].kind.Workday() {
			ix.work = append(ix.work, int32(i))
			works++
		}
		if ix.days[i].prov {
			provs++
		}
		ix.cum[i], ix.prov[i] = works, provs
	}
	return ix
}

// provisional reports whether d's status may still change: its year has no
// notice, or it is one of the last days of a December before such a year.
func (c *Calendar) provisional(d Date) bool {
	y, m, dd := d.Civil()
	if !c.official(y) {
		return true
	}
	return m == time.December && dd > provisionalFromDecember && !c.official(y+1)
}

func (c *Calendar) official(y int) bool {
	if y < FirstYear || y > LastYear {
		return false
	}
	return c.years[y-FirstYear].Official
}

// Business returns the rickar/cal business calendar that the index was
// compiled from, for the whole range. It answers the same questions day by
// day, slowly; it is there for comparison and for code that speaks
// rickar/cal.
func (c *Calendar) Business() *cal.BusinessCalendar { return c.complete().business }

// Years returns, for each year from FirstYear to LastYear, where its
// working days come from.
func (c *Calendar) Years() []YearInfo { return c.years }

// Year returns where year y's working days come from.
func (c *Calendar) Year(y int) (YearInfo, error) {
	if y < FirstYear || y > LastYear {
		return YearInfo{}, &RangeError{Year: y}
	}
	return c.years[y-FirstYear], nil
}

// RangeError reports a date or a result outside FirstDate–LastDate.
type RangeError struct {
	Date Date // the date asked about, or the start of a count
	Days int  // the working days added, when the result fell outside
	Year int  // the year asked about, when a year was asked for
}

func (e *RangeError) Error() string {
	rng := fmt.Sprintf("日历范围（%s 至 %s）", FirstDate, LastDate)
	switch {
	case e.Year != 0:
		return fmt.Sprintf("年份 %d 超出%s", e.Year, rng)
	case e.Days != 0:
		return fmt.Sprintf("%s 加 %d 个工作日的结果超出%s", e.Date, e.Days, rng)
	}
	return fmt.Sprintf("日期 %s 超出%s", e.Date, rng)
}

// at returns the index that covers d and d's place in it.
func (c *Calendar) at(d Date) (*index, int, error) {
	i := d.Sub(FirstDate)
	if i < 0 || d.After(LastDate) {
		return nil, 0, &RangeError{Date: d}
	}
	ix := c.cur.Load()
	if i >= len(ix.days) {
		ix = c.complete()
	}
	return ix, i, nil
}

// Day describes d.
func (c *Calendar) Day(d Date) (Day, error) {
	ix, i, err := c.at(d)
	if err != nil {
		return Day{}, err
	}
	di := ix.days[i]
	return Day{Date: d, Kind: di.kind, Name: ix.names[di.name], Provisional: di.prov}, nil
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) (bool, error) {
	ix, i, err := c.at(d)
	if err != nil {
		return false, err
	}
	return ix.days[i].kind.Workday(), nil
}

// AddWorkdays counts n working days from d.
//
//   - n > 0: the nth working day strictly after d; d itself never counts
//     (民法典第二百零一条), whatever day it is.
//   - n < 0: the |n|th working day strictly before d.
//   - n = 0: d if it is a working day, else the next working day.
//
// provisional is true when any day the count passed — from just after d to
// the result, both ends included; for n = 0, d to the result — may still
// change with a notice not yet published.
func (c *Calendar) AddWorkdays(d Date, n int) (result Date, provisional bool, err error) {
	ix, i, err := c.at(d)
	if err != nil {
		return Date{}, false, err
	}
	before := int(ix.cum[i]) // working days up to and including d
	if ix.days[i].kind.Workday() {
		before--
	}
	var k int // the index in work of the result
	switch {
	case n > 0:
		k = int(ix.cum[i]) + n - 1
	case n < 0:
		k = before + n
	default:
		k = before
	}
	if k >= len(ix.work) && !ix.full {
		return c.complete().addWorkdays(i, k, n)
	}
	return ix.addWorkdays(i, k, n)
}

// addWorkdays finishes AddWorkdays from the start's index i and the
// result's place k among the working days.
func (ix *index) addWorkdays(i, k, n int) (Date, bool, error) {
	if k < 0 || k >= len(ix.work) {
		return Date{}, false, &RangeError{Date: FirstDate.AddDays(i), Days: n}
	}
	j := int(ix.work[k])
	lo, hi := i, j // provisional days are counted in (lo, hi]
	switch {
	case n < 0:
		lo, hi = j-1, i-1
	case n == 0:
		lo = i - 1
	}
	return FirstDate.AddDays(j), ix.provIn(lo, hi), nil
}

// provIn reports whether any day with index in (lo, hi] is provisional.
func (ix *index) provIn(lo, hi int) bool {
	if hi <= lo {
		return false
	}
	p := ix.prov[hi]
	if lo >= 0 {
		p -= ix.prov[lo]
	}
	return p > 0
}

// WorkdaysBetween returns the number of working days in (a, b] when a ≤ b,
// and minus the number in (b, a] when a > b; for n > 0,
// WorkdaysBetween(d, AddWorkdays(d, n)) == n. provisional is true when any
// day of that interval may still change.
func (c *Calendar) WorkdaysBetween(a, b Date) (n int, provisional bool, err error) {
	// Ask for the later date first, so that both places are in one index.
	first, second := b, a
	if a.After(b) {
		first, second = a, b
	}
	ix, j, err := c.at(first)
	if err != nil {
		return 0, false, err
	}
	_, i, err := c.at(second)
	if err != nil {
		return 0, false, err
	}
	if a.After(b) {
		return -int(ix.cum[j] - ix.cum[i]), ix.provIn(i, j), nil
	}
	return int(ix.cum[j] - ix.cum[i]), ix.provIn(i, j), nil
}
