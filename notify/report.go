package notify

import (
	"fmt"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
)

var _ tracker.WeeklyRenderer = Renderer{}

// Weekly renders the weekly overdue report: a plain-text body, the same as
// HTML, and the data as an .xlsx attachment.
func (rd Renderer) Weekly(r *tracker.WeeklyReport) (tracker.Content, error) {
	x, err := WeeklyWorkbook(r)
	if err != nil {
		return tracker.Content{}, err
	}
	v := viewWeekly(r, rd.PublicURL)
	html, err := execMail("weekly.html", v)
	if err != nil {
		return tracker.Content{}, err
	}
	return tracker.Content{Subject: v.Subject, Text: weeklyText(v), HTML: html, Attachments: []tracker.Attachment{{
		Name:        fmt.Sprintf("政务公开周报-%s.xlsx", r.Day),
		ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Data:        x,
	}}}, nil
}

func wd(d calendar.Date) string {
	return fmt.Sprintf("%s（%s）", d, calendar.WeekdayName(d.Weekday()))
}

// percent is a rate with its counts, or that there was nothing to rate.
func percent(r tracker.Rate) string {
	if r.Total == 0 {
		return "无到期事项"
	}
	return fmt.Sprintf("%.1f%%（%d/%d）", r.Percent(), r.OnTime, r.Total)
}

// WeeklyText is the report as plain text.
func WeeklyText(r *tracker.WeeklyReport) string { return weeklyText(viewWeekly(r, "")) }

// WeeklyHTML is the report as an HTML page, the mail's.
func WeeklyHTML(r *tracker.WeeklyReport) (string, error) {
	return execMail("weekly.html", viewWeekly(r, ""))
}

// EventURL is the address of an event's page on the dashboard at base
// ([server] public_url).
func EventURL(base string, id uint64) string {
	return strings.TrimSuffix(base, "/") + "/events/" + strconv.FormatUint(id, 10)
}

// WeeklyFormats are the formats of WeeklyAs.
var WeeklyFormats = []string{"text", "html", "xlsx", "csv"}

// WeeklyAs renders the report in one of WeeklyFormats, as a file or a
// download holds it; another format is an EInvalid error.
func WeeklyAs(r *tracker.WeeklyReport, format string) ([]byte, error) {
	switch format {
	case "text":
		return []byte(WeeklyText(r)), nil
	case "html":
		h, err := WeeklyHTML(r)
		return []byte(h), err
	case "xlsx":
		return WeeklyWorkbook(r)
	case "csv":
		return WeeklyCSV(r)
	}
	return nil, tracker.Errorf(tracker.EInvalid, "报告格式 %q 无效：可选 %s", format, strings.Join(WeeklyFormats, "、"))
}

// WeeklyWorkbook is the report's data as a spreadsheet: a sheet per
// section of events, and one of on-time rates.
func WeeklyWorkbook(r *tracker.WeeklyReport) ([]byte, error) {
	title := func(what string) string { return titleOf("政务公开周报 · "+what, r.Office, r.Day) }
	views := func(items []tracker.ReportItem) []tracker.EventView {
		out := make([]tracker.EventView, len(items))
		for i, it := range items {
			out[i] = it.View(r.Day)
		}
		return out
	}
	overdue := pick("事项", "摘要", "文号", "公开期限", "已逾期工作日", "待公开渠道", "形成或变更日期", "事项序号", "事件编号")
	soon := pick("事项", "摘要", "文号", "公开期限", "剩余工作日", "待公开渠道", "形成或变更日期", "事项序号", "事件编号")
	done := pick("事项", "摘要", "文号", "公开期限", "办结日期", "状态", "逾期公开工作日", "已公开渠道及日期", "事项序号", "事件编号")

	// The rates: this year's and last week's of each 一级事项, then in all.
	type rateRow struct {
		level1     string
		year, week tracker.Rate
	}
	var rows []rateRow
	for _, l1 := range rated(r) {
		rows = append(rows, rateRow{l1, rateFor(r.YearRates, l1), rateFor(r.Rates, l1)})
	}
	rows = append(rows, rateRow{"合计", r.ThisYear, r.Overall})
	rateSheet := sheet{name: "按时公开率", title: title("按时公开率"),
		cols: []column{{"一级事项", 24, true}, {"今年到期", 9, false}, {"今年按时公开", 9, false}, {"今年按时公开率", 10, false},
			{"上周到期", 9, false}, {"上周按时公开", 9, false}, {"上周按时公开率", 10, false}},
		n: len(rows), row: func(i int, w *rowWriter) {
			x := rows[i]
			w.Text(x.level1)
			w.Int(int64(x.year.Total))
			w.Int(int64(x.year.OnTime))
			w.Rate(x.year.OnTime, x.year.Total)
			w.Int(int64(x.week.Total))
			w.Int(int64(x.week.OnTime))
			w.Rate(x.week.OnTime, x.week.Total)
		}}
	return workbook(docInfo{title: title("已逾期、即将到期和上周公开的事项"), office: r.Office, at: r.Day.Start()}, []sheet{
		eventsSheet("已逾期", title("已逾期"), overdue, views(r.Overdue)),
		eventsSheet("即将到期", title(fmt.Sprintf("%d 个工作日内到期", tracker.DueSoonDays)), soon, views(r.DueSoon)),
		eventsSheet("上周公开", title(fmt.Sprintf("上周（%s 至 %s）完成公开", r.From, r.To)), done, views(r.Disclosed)),
		rateSheet,
	})
}
