package calendar

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Schedule is one year's official working-day schedule: the days off and the
// weekend make-up workdays (调休上班) that the State Council's notices for
// that year name. Days of the last days of the December before Year may be
// part of it (the 2008 notice names 2007-12-29); everything else lies in Year.
type Schedule struct {
	Year    int           `json:"year"`
	Notices []Notice      `json:"notices,omitempty"`
	Days    []ScheduleDay `json:"days"`

	// Origin says where the schedule came from: OriginEmbedded, or
	// OriginImported with File, Digest and ImportedAt set.
	Origin     string    `json:"origin"`
	File       string    `json:"file,omitempty"`
	Digest     string    `json:"sha256,omitempty"`
	ImportedAt time.Time `json:"imported_at,omitzero"`
}

// Origins of a Schedule.
const (
	OriginEmbedded = "embedded"
	OriginImported = "imported"
)

// Notice identifies a document that a schedule comes from.
type Notice struct {
	Title     string `json:"title"`
	Number    string `json:"number,omitempty"`    // 文号, e.g. 国办发明电〔2025〕7号
	Published string `json:"published,omitempty"` // YYYY-MM-DD
	URL       string `json:"url,omitempty"`
	Note      string `json:"note,omitempty"` // e.g. what has not been checked yet
}

// ScheduleDay is one day that a notice names: a day off, or a make-up
// workday (Off false) on which people work although it is a weekend.
type ScheduleDay struct {
	Date Date   `json:"date"`
	Name string `json:"name"` // the holiday, as the notice names it
	Off  bool   `json:"off"`
}

// Warning is something in a schedule that is allowed but worth saying.
type Warning struct {
	Where   string // the line or entry, e.g. "第 14 行" or "days[12]"
	Message string
}

func (w Warning) String() string {
	if w.Where == "" {
		return w.Message
	}
	return w.Where + "：" + w.Message
}

// ImportError reports a schedule that cannot be used, naming the place in
// the file and the offending value.
type ImportError struct {
	File   string // file name, may be empty
	Where  string // "第 14 行", "days[3]"; may be empty for the whole file
	Reason string
}

func (e *ImportError) Error() string {
	s := ""
	if e.File != "" {
		s = e.File + " "
	}
	if e.Where != "" {
		s += e.Where + "："
	} else if s != "" {
		s = s[:len(s)-1] + "："
	}
	return s + e.Reason
}

// ScheduleSpan returns the days a schedule for year may name, and so the
// days an import of it may change: the year and the end of the December
// before it, from the 20th.
func ScheduleSpan(year int) (from, to Date) {
	from = DateOf(year-1, time.December, firstDayOfPrevDecember)
	if from.Before(FirstDate) {
		from = FirstDate
	}
	return from, DateOf(year, time.December, 31)
}

// entry is one day of a file being read, with its place in the file.
type entry struct {
	ScheduleDay
	where string
}

// firstMonthDayOfPrevDecember is the earliest day of the previous December a
// notice may name: a notice settles the days around New Year, never earlier.
const firstDayOfPrevDecember = 20

// validate turns the entries read from a file into a Schedule for year (0:
// take the year from the dates). It enforces the rules common to every
// format: no empty file, days within the year or the end of the December
// before it, no day listed twice with different meanings. A workday entry on
// a weekday is kept but reported, since it changes nothing.
func validate(file string, year int, entries []entry) (Schedule, []Warning, error) {
	fail := func(where, format string, args ...any) (Schedule, []Warning, error) {
		return Schedule{}, nil, &ImportError{File: file, Where: where, Reason: fmt.Sprintf(format, args...)}
	}
	if len(entries) == 0 {
		return fail("", "文件中没有任何日期（空文件或没有放假、上班安排）")
	}
	if year == 0 {
		for _, e := range entries {
			year = max(year, e.Date.Year())
		}
	}
	if year < FirstYear || year > LastYear {
		return fail("", "年份 %d 超出日历范围（%d 至 %d）", year, FirstYear, LastYear)
	}
	var warnings []Warning
	seen := make(map[Date]entry, len(entries))
	days := make([]ScheduleDay, 0, len(entries))
	for _, e := range entries {
		y, m, d := e.Date.Civil()
		inPrevDecember := y == year-1 && m == time.December && d >= firstDayOfPrevDecember
		if y != year && !inPrevDecember {
			return fail(e.where, "日期 %s 不在 %d 年内（只允许 %d 年 12 月 %d 日之后的年末几天）",
				e.Date, year, year-1, firstDayOfPrevDecember)
		}
		if e.Name == "" {
			return fail(e.where, "日期 %s 没有节日名称", e.Date)
		}
		if prev, ok := seen[e.Date]; ok {
			if prev.Off != e.Off {
				return fail(e.where, "日期 %s 重复出现且含义矛盾：%s 记为%s，此处记为%s",
					e.Date, prev.where, offWord(prev.Off), offWord(e.Off))
			}
			continue // the same day twice with the same meaning: harmless
		}
		seen[e.Date] = e
		if !e.Off && !e.Date.IsWeekend() {
			warnings = append(warnings, Warning{Where: e.where, Message: fmt.Sprintf(
				"%s（%s）本就是工作日，标为上班不改变任何结果", e.Date, WeekdayName(e.Date.Weekday()))})
		}
		days = append(days, e.ScheduleDay)
	}
	slices.SortFunc(days, func(a, b ScheduleDay) int { return cmp.Compare(a.Date.n, b.Date.n) })
	return Schedule{Year: year, Days: days}, warnings, nil
}

func offWord(off bool) string {
	if off {
		return "放假"
	}
	return "上班"
}

// WeekdayName returns 星期一 … 星期日.
func WeekdayName(w time.Weekday) string {
	return [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}[w]
}

// ShortWeekdayName returns 一 … 日.
func ShortWeekdayName(w time.Weekday) string {
	return [...]string{"日", "一", "二", "三", "四", "五", "六"}[w]
}

// festivals are the holidays every year's notice has arranged since 2008,
// each with the words its name may be written with.
var festivals = []struct {
	name  string
	words []string
}{
	{"元旦", []string{"元旦"}},
	{"春节", []string{"春节"}},
	{"清明节", []string{"清明"}},
	{"劳动节", []string{"劳动", "五一"}},
	{"端午节", []string{"端午"}},
	{"中秋节", []string{"中秋"}},
	{"国庆节", []string{"国庆", "十一"}},
}

// completeness warns when a schedule has no day off for a festival that
// every notice since 2008 has arranged: importing it would turn that
// festival into working days.
func completeness(s Schedule) []Warning {
	if s.Year < 2008 {
		return nil // 清明, 端午 and 中秋 became holidays in 2008
	}
	var missing []string
	for _, f := range festivals {
		found := false
		for _, d := range s.Days {
			for _, w := range f.words {
				if d.Off && strings.Contains(d.Name, w) {
					found = true
				}
			}
		}
		if !found {
			missing = append(missing, f.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []Warning{{Message: fmt.Sprintf(
		"文件中没有%s的放假日：导入后 %d 年这些节日将按工作日计算，请与通知核对是否遗漏",
		strings.Join(missing, "、"), s.Year)}}
}
