package notify

import (
	"fmt"
	"slices"
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

// WeeklyWorkbook is the report's data as a spreadsheet: one sheet per
// section and one of on-time rates.
func WeeklyWorkbook(r *tracker.WeeklyReport) ([]byte, error) {
	section := func(name, days string, items []tracker.ReportItem) sheet {
		return sheet{
			name:   name,
			header: []string{"事件编号", "序号", "事项", "摘要", "形成或变更日期", "公开期限", days, "状态", "待公开渠道", "公开日期"},
			widths: map[int]float64{3: 40, 4: 40, 5: 14, 6: 12, 10: 12},
			n:      len(items),
			row: func(i int, w *rowWriter) {
				it := items[i]
				e := it.Event
				w.Uint(e.ID)
				w.Int(int64(e.Matter))
				w.Text(e.MatterName)
				w.Text(e.Summary)
				w.Date(e.Date)
				w.Date(e.Deadline)
				w.Int(int64(it.Days))
				w.Text(e.Status(r.Day).Name())
				w.Text(e.PendingNames())
				w.Date(e.ClosedOn)
			},
		}
	}
	rates := append(slices.Clip(r.Rates), tracker.Rate{Level1: "合计", OnTime: r.Overall.OnTime, Total: r.Overall.Total})
	rateSheet := sheet{name: "按时公开率", header: []string{"一级事项", "按时公开", "到期事项", "按时公开率"}, widths: map[int]float64{1: 24, 4: 18},
		n: len(rates), row: func(i int, w *rowWriter) {
			rt := rates[i]
			w.Text(rt.Level1)
			w.Int(int64(rt.OnTime))
			w.Int(int64(rt.Total))
			w.Rate(rt.OnTime, rt.Total)
		}}
	return workbook([]sheet{
		section("已逾期", "逾期工作日", r.Overdue),
		section("即将到期", "剩余工作日", r.DueSoon),
		section("上周公开", "逾期工作日", r.Disclosed),
		rateSheet,
	})
}
