package calendar

import (
	"fmt"
	"strings"
)

// What the calendar says in words for people, in Chinese, for every front
// end: the terminal, the web pages, the mails.

// Description says what a day is: 工作日, 周末, 放假（国庆节）,
// 调休上班（春节）, with ，暂估 for a provisional day.
func (d Day) Description() string {
	s := ""
	switch d.Kind {
	case Weekday:
		s = "工作日"
	case Weekend:
		s = "周末"
	case DayOff:
		s = "放假（" + d.Name + "）"
	case Makeup:
		s = "调休上班（" + d.Name + "）"
	}
	if d.Provisional {
		s += "，暂估"
	}
	return s
}

// ShortHolidayName abbreviates a holiday's name to two characters, for a
// cell of a month grid.
func ShortHolidayName(name string) string {
	name = strings.NewReplacer("“", "", "”", "").Replace(name)
	if strings.HasPrefix(name, "抗日战争") {
		return "抗战"
	}
	r := []rune(name)
	if len(r) > 2 {
		r = r[:2]
	}
	return string(r)
}

// DateRuns writes dates, in order, as runs: 2月15日至23日、2月28日.
func DateRuns(ds []Date) string {
	var parts []string
	for i := 0; i < len(ds); {
		j := i
		for j+1 < len(ds) && ds[j+1].Sub(ds[j]) == 1 {
			j++
		}
		s := fmt.Sprintf("%d月%d日", ds[i].Month(), ds[i].Day())
		if j > i {
			s += fmt.Sprintf("至%d日", ds[j].Day())
		}
		parts = append(parts, s)
		i = j + 1
	}
	return strings.Join(parts, "、")
}

// Label names a notice: its title in 《》 and its 文号, or, for an imported
// file that gives only an address, the address.
func (n Notice) Label() string {
	if n.Title == "" {
		if n.URL == "" {
			return "（文件未注明通知）"
		}
		return n.URL
	}
	return "《" + n.Title + "》" + n.Number
}

// Source says where an official schedule comes from, in a line: built in
// or imported from a file, and its notices.
func (s *Schedule) Source() string {
	var titles []string
	for _, n := range s.Notices {
		titles = append(titles, n.Label())
	}
	src := "内置数据"
	if s.Origin == OriginImported {
		src = fmt.Sprintf("导入自 %s，%s", s.File, s.ImportedAt.In(Shanghai).Format("2006-01-02 15:04"))
	}
	return src + "：" + strings.Join(titles, "、")
}

// Standing says what the year's days rest on, in a line: 正式 and their
// source, or 暂估 and how they are estimated.
func (y YearInfo) Standing() string {
	if y.Official {
		return "正式（" + y.Schedule.Source() + "）"
	}
	return "暂估——放假安排通知尚未发布或导入，按《全国年节及纪念日放假办法》推算，无调休上班日"
}

// HolidayDays are the days off and make-up workdays of one holiday.
type HolidayDays struct {
	Name      string
	Off, Work []Date
}

// String says them in a line: 春节：2月15日至23日 放假；2月28日 上班.
func (h HolidayDays) String() string {
	var parts []string
	if len(h.Off) > 0 {
		parts = append(parts, DateRuns(h.Off)+" 放假")
	}
	if len(h.Work) > 0 {
		parts = append(parts, DateRuns(h.Work)+" 上班")
	}
	return h.Name + "：" + strings.Join(parts, "；")
}

// Holidays gathers, per holiday in order of first appearance, the days off
// and make-up workdays among days.
func Holidays(days []Day) []HolidayDays {
	var out []HolidayDays
	at := map[string]int{}
	for _, d := range days {
		if d.Kind != DayOff && d.Kind != Makeup {
			continue
		}
		i, ok := at[d.Name]
		if !ok {
			i = len(out)
			at[d.Name] = i
			out = append(out, HolidayDays{Name: d.Name})
		}
		if d.Kind == DayOff {
			out[i].Off = append(out[i].Off, d.Date)
		} else {
			out[i].Work = append(out[i].Work, d.Date)
		}
	}
	return out
}

// Skipped is the days of one kind a count passed over.
type Skipped struct {
	What string // the day's Description, without the date's provisional mark
	Days int
}

// SkippedDays counts the days that steps passed over, by what they were,
// in order of first appearance.
func SkippedDays(steps []Step) []Skipped {
	var out []Skipped
	at := map[string]int{}
	for _, s := range steps {
		if s.Counted() {
			continue
		}
		what := Day{Kind: s.Kind, Name: s.Name}.Description()
		i, ok := at[what]
		if !ok {
			i = len(out)
			at[what] = i
			out = append(out, Skipped{What: what})
		}
		out[i].Days++
	}
	return out
}

// YearSpan is a run of years of the same standing: one official year, or
// consecutive provisional ones.
type YearSpan struct {
	From, To int
	Official bool
	Schedule *Schedule // when Official
}

// Label names the span's years: 2027, or 2029—2099.
func (y YearSpan) Label() string {
	if y.To > y.From {
		return fmt.Sprintf("%d—%d", y.From, y.To)
	}
	return fmt.Sprint(y.From)
}

// Standing is 正式 or 暂估.
func (y YearSpan) Standing() string {
	if y.Official {
		return "正式"
	}
	return "暂估"
}

// Origin says where the span's days come from: 内置, 导入 FILE（DATE）, or
// 按放假办法推算.
func (y YearSpan) Origin() string {
	switch {
	case !y.Official:
		return "按放假办法推算"
	case y.Schedule.Origin == OriginImported:
		return "导入 " + y.Schedule.File + "（" + y.Schedule.ImportedAt.In(Shanghai).Format("2006-01-02") + "）"
	}
	return "内置"
}

// Basis names what the span's days rest on: the notices, or the 放假办法.
func (y YearSpan) Basis() []string {
	if !y.Official {
		return []string{"《全国年节及纪念日放假办法》（2024年修订），无调休上班日"}
	}
	var out []string
	for _, n := range y.Schedule.Notices {
		out = append(out, n.Label())
	}
	return out
}

// Notes are the notes of the span's notices, each with its year:
// 注（2026 年）：….
func (y YearSpan) Notes() []string {
	var out []string
	if y.Official {
		for _, n := range y.Schedule.Notices {
			if n.Note != "" {
				out = append(out, fmt.Sprintf("注（%d 年）：%s", y.From, n.Note))
			}
		}
	}
	return out
}

// Spans groups the calendar's years: each official year alone, each run of
// provisional years together.
func (c *Calendar) Spans() []YearSpan {
	var out []YearSpan
	for _, y := range c.Years() {
		if n := len(out); !y.Official && n > 0 && !out[n-1].Official && out[n-1].To == y.Year-1 {
			out[n-1].To = y.Year
			continue
		}
		out = append(out, YearSpan{From: y.Year, To: y.Year, Official: y.Official, Schedule: y.Schedule})
	}
	return out
}
