package notify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
)

// weeklyView is the weekly report as a leader reads it, for the text and
// the HTML alike: the headline figures, a bar per 一级事项, then the
// events, each by its matter and summary, internal numbers last.
type weeklyView struct {
	Subject string
	Title   string
	Alert   bool
	Sub     string
	Footer  string

	Figures  []figure
	Bars     []bar
	Sections []reportSection
	Audit    string // 审计记录 N 条，校验值
	Hash     string
}

// figure is one of the headline's.
type figure struct {
	Label string
	Value string
	Notes []string // lines under the value
	Tone  string
}

// bar is a 一级事项's row: this year's on-time rate as a bar, last week's,
// and how many of its events are overdue.
type bar struct {
	Level1  string
	Width   int // the filled part of the bar, in percent; -1: nothing to rate
	Tone    string
	Year    string
	Week    string
	Overdue int
}

// reportSection is a section of the report's events.
type reportSection struct {
	Title string
	Empty string // the sentence said instead of an empty table
	When  string // the second column's heading: 公开期限, 公开日期
	Days  string // the third's: 逾期, 剩余, 是否按时
	Rows  []reportRow
	More  int // rows left for the attachment
	// Pending says whether the rows have channels still to disclose.
	Pending bool
}

// reportRow is an event in the report.
type reportRow struct {
	Matter   string
	Summary  string
	Ref      string
	Link     string
	Date     string // 2026-11-17
	Weekday  string // 星期二
	Days     string
	Late     bool
	Channels []string // still to disclose
	ID       uint64
}

// rateTone is the colour of a rate: green from 90%, amber from 60%, red
// under.
func rateTone(r tracker.Rate) string {
	switch p := r.Percent(); {
	case p < 0:
		return "muted"
	case p >= 90:
		return "green"
	case p >= 60:
		return "amber"
	}
	return "red"
}

// ratePct is a rate in percent with one decimal, or a dash.
func ratePct(r tracker.Rate) string {
	if r.Total == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", r.Percent())
}

func viewWeekly(r *tracker.WeeklyReport, base string) *weeklyView {
	v := &weeklyView{
		Subject: fmt.Sprintf("【政务公开周报】%s：%d项已逾期、%d项即将到期", r.Day, len(r.Overdue), len(r.DueSoon)),
		Title:   "政务公开周报",
		Sub:     "截至 " + wd(r.Day),
		Footer:  "此报告由 gongkai 每周自动发送；没有逾期事项时也照常发送。",
		Audit:   fmt.Sprintf("审计记录 %d 条，最新校验值", r.Head.Count),
		Hash:    r.Head.Hash,
	}
	overdueTone := "green"
	if len(r.Overdue) > 0 {
		overdueTone = "red"
	}
	prev := "前一周无到期事项"
	if r.PrevOverall.Total > 0 {
		prev = fmt.Sprintf("前一周 %s", ratePct(r.PrevOverall))
	}
	week := []string{fmt.Sprintf("%d/%d 项按时", r.Overall.OnTime, r.Overall.Total), prev}
	if r.Overall.Total == 0 {
		week[0] = "上周无到期事项"
	}
	year := []string{fmt.Sprintf("%d/%d 项按时", r.ThisYear.OnTime, r.ThisYear.Total)}
	if r.ThisYear.Total == 0 {
		year[0] = "今年尚无到期事项"
	}
	v.Figures = []figure{
		{Label: "已逾期", Value: fmt.Sprintf("%d 项", len(r.Overdue)), Notes: []string{"仍未公开"}, Tone: overdueTone},
		{Label: "本周到期", Value: fmt.Sprintf("%d 项", r.DueThisWeek()), Notes: []string{fmt.Sprintf("%d 个工作日内 %d 项", tracker.DueSoonDays, len(r.DueSoon))}, Tone: "navy"},
		{Label: "上周按时公开率", Value: ratePct(r.Overall), Notes: week, Tone: rateTone(r.Overall)},
		{Label: "今年按时公开率", Value: ratePct(r.ThisYear), Notes: year, Tone: rateTone(r.ThisYear)},
	}

	// A bar per 一级事项: those with a deadline this year, then any that
	// only last week or the overdue name.
	overdue := map[string]int{}
	order := rated(r)
	for _, it := range r.Overdue {
		l1 := it.Event.Level1()
		overdue[l1]++
		if !slices.Contains(order, l1) {
			order = append(order, l1)
		}
	}
	for _, l1 := range order {
		y, w := rateFor(r.YearRates, l1), rateFor(r.Rates, l1)
		b := bar{Level1: l1, Width: -1, Tone: rateTone(y), Year: percent(y), Week: percent(w), Overdue: overdue[l1]}
		if y.Total > 0 {
			b.Width = y.OnTime * 100 / y.Total
		}
		v.Bars = append(v.Bars, b)
	}

	row := func(it tracker.ReportItem, date calendar.Date) reportRow {
		e := it.Event
		x := reportRow{Matter: e.MatterName, Summary: e.Summary, Ref: e.Ref, Date: date.String(),
			Weekday: calendar.WeekdayName(date.Weekday()), ID: e.ID}
		if base != "" {
			x.Link = EventURL(base, e.ID)
		}
		for _, c := range e.Pending() {
			x.Channels = append(x.Channels, c.Name())
		}
		return x
	}
	section := func(title, empty, when, days string, items []tracker.ReportItem, pending bool, fill func(*reportRow, tracker.ReportItem)) reportSection {
		s := reportSection{Title: title, Empty: empty, When: when, Days: days, Pending: pending}
		shown, more := capped(items)
		s.More = more
		for _, it := range shown {
			date := it.Event.Deadline
			if !pending {
				date = it.Event.ClosedOn
			}
			x := row(it, date)
			fill(&x, it)
			s.Rows = append(s.Rows, x)
		}
		return s
	}
	v.Sections = []reportSection{
		section(fmt.Sprintf("一、已逾期（%d 项，逾期最久的在前）", len(r.Overdue)), "一、已逾期：没有逾期未公开的事项。",
			"公开期限", "逾期", r.Overdue, true, func(x *reportRow, it tracker.ReportItem) {
				x.Days, x.Late = fmt.Sprintf("%d 个工作日", it.Days), true
				if it.Days == 0 {
					x.Days = "不足 1 个工作日"
				}
			}),
		section(fmt.Sprintf("二、%d 个工作日内到期（%d 项）", tracker.DueSoonDays, len(r.DueSoon)), fmt.Sprintf("二、%d 个工作日内到期：没有。", tracker.DueSoonDays),
			"公开期限", "剩余", r.DueSoon, true, func(x *reportRow, it tracker.ReportItem) {
				x.Days = fmt.Sprintf("%d 个工作日", it.Days)
				if it.Event.Deadline == r.Day {
					x.Days = "今天到期"
				}
			}),
		section(fmt.Sprintf("三、上周（%s 至 %s）完成公开（%d 项）", r.From, r.To, len(r.Disclosed)), fmt.Sprintf("三、上周（%s 至 %s）完成公开：没有。", r.From, r.To),
			"公开日期", "是否按时", r.Disclosed, false, func(x *reportRow, it tracker.ReportItem) {
				x.Days = "按时"
				if it.Days > 0 || it.Event.State == tracker.DoneLate {
					x.Days, x.Late = fmt.Sprintf("逾期 %d 个工作日", it.Days), true
				}
			}),
	}
	return v
}

// weeklyText is the report's plain-text body.
func weeklyText(v *weeklyView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n\n概况\n", v.Title, v.Sub)
	for _, f := range v.Figures {
		fmt.Fprintf(&b, "  %s：%s（%s）\n", f.Label, f.Value, strings.Join(f.Notes, "；"))
	}
	if len(v.Bars) > 0 {
		b.WriteString("\n各一级事项：今年按时公开率；上周；逾期\n")
		for _, x := range v.Bars {
			fmt.Fprintf(&b, "  %s：%s；上周 %s；逾期 %d 项\n", x.Level1, x.Year, x.Week, x.Overdue)
		}
	}
	for _, s := range v.Sections {
		if len(s.Rows) == 0 {
			fmt.Fprintf(&b, "\n%s\n", s.Empty)
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", s.Title)
		for i, x := range s.Rows {
			fmt.Fprintf(&b, "  %d. %s：%s\n", i+1, x.Matter, x.Summary)
			var facts []string
			if x.Ref != "" {
				facts = append(facts, "文号 "+x.Ref)
			}
			switch {
			case s.Pending:
				facts = append(facts, fmt.Sprintf("期限 %s（%s）", x.Date, x.Weekday))
				if x.Late {
					facts = append(facts, "已逾期 "+x.Days)
				} else if x.Days == "今天到期" {
					facts = append(facts, x.Days)
				} else {
					facts = append(facts, "还有 "+x.Days)
				}
				facts = append(facts, "待公开 "+strings.Join(x.Channels, "、"))
			default:
				facts = append(facts, fmt.Sprintf("%s（%s）公开", x.Date, x.Weekday), x.Days)
			}
			facts = append(facts, "事件 "+strconv.FormatUint(x.ID, 10))
			fmt.Fprintf(&b, "     %s\n", strings.Join(facts, "；"))
			if x.Link != "" {
				fmt.Fprintf(&b, "     详情：%s\n", x.Link)
			}
		}
		if s.More > 0 {
			fmt.Fprintf(&b, "  ……另有 %d 项，见附件\n", s.More)
		}
	}
	fmt.Fprintf(&b, "\n%s %s。\n——%s\n", v.Audit, v.Hash, v.Footer)
	return b.String()
}

// rated are the 一级事项 a report rates: those with a deadline this year,
// in catalogue order, then any only last week had.
func rated(r *tracker.WeeklyReport) []string {
	var out []string
	for _, rates := range [][]tracker.Rate{r.YearRates, r.Rates} {
		for _, rt := range rates {
			if !slices.Contains(out, rt.Level1) {
				out = append(out, rt.Level1)
			}
		}
	}
	return out
}

// rateFor is the rate of 一级事项 l1 among rates; nothing to rate when
// none is there.
func rateFor(rates []tracker.Rate, l1 string) tracker.Rate {
	if i := slices.IndexFunc(rates, func(rt tracker.Rate) bool { return rt.Level1 == l1 }); i >= 0 {
		return rates[i]
	}
	return tracker.Rate{Level1: l1}
}

// capped returns the first MaxBodyItems items and how many were left out:
// a mail body lists that many events, the attachment all of them.
func capped(items []tracker.ReportItem) ([]tracker.ReportItem, int) {
	if len(items) > MaxBodyItems {
		return items[:MaxBodyItems], len(items) - MaxBodyItems
	}
	return items, 0
}
