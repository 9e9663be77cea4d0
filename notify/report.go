package notify

import (
	"bytes"
	"fmt"
	"html/template"
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
	subject := fmt.Sprintf("【政务公开周报】%s：%d项已逾期、%d项即将到期", r.Day, len(r.Overdue), len(r.DueSoon))
	x, err := WeeklyWorkbook(r)
	if err != nil {
		return tracker.Content{}, err
	}
	html, err := weeklyHTMLLinked(r, rd.PublicURL)
	if err != nil {
		return tracker.Content{}, err
	}
	return tracker.Content{Subject: subject, Text: weeklyText(r, rd.PublicURL), HTML: html, Attachments: []tracker.Attachment{{
		Name:        fmt.Sprintf("政务公开周报-%s.xlsx", r.Day),
		ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Data:        x,
	}}}, nil
}

func wd(d calendar.Date) string {
	return fmt.Sprintf("%s（%s）", d, calendar.WeekdayName(d.Weekday()))
}

func percent(r tracker.Rate) string {
	if r.Total == 0 {
		return "无到期事项"
	}
	return fmt.Sprintf("%.1f%%（%d/%d）", r.Percent(), r.OnTime, r.Total)
}

// capped returns the first MaxBodyItems items and how many were left out:
// a mail body lists that many events, the attachment all of them.
func capped(items []tracker.ReportItem) ([]tracker.ReportItem, int) {
	if len(items) > MaxBodyItems {
		return items[:MaxBodyItems], len(items) - MaxBodyItems
	}
	return items, 0
}

// rest says how many items the body left out.
func rest(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("  ……另有 %d 项，见附件\n", n)
}

// WeeklyText is the report as plain text.
func WeeklyText(r *tracker.WeeklyReport) string { return weeklyText(r, "") }

// weeklyText is the report as plain text, each event with its page's
// address under base when there is one.
func weeklyText(r *tracker.WeeklyReport, base string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "政务公开周报（截至 %s）\n", wd(r.Day))
	fmt.Fprintf(&b, "\n一、已逾期（%d 项，逾期最久的在前）\n", len(r.Overdue))
	if len(r.Overdue) == 0 {
		b.WriteString("  无\n")
	}
	shown, more := capped(r.Overdue)
	for _, it := range shown {
		e := it.Event
		fmt.Fprintf(&b, "  [事件 %d] %d %s：%s；期限 %s，已逾期 %d 个工作日；待公开：%s\n",
			e.ID, e.Matter, e.MatterName, e.Summary, wd(e.Deadline), it.Days, tracker.ChannelNames(e.Pending()))
		b.WriteString(linkLine(base, e.ID))
	}
	b.WriteString(rest(more))
	fmt.Fprintf(&b, "\n二、%d 个工作日内到期（%d 项）\n", tracker.DueSoonDays, len(r.DueSoon))
	if len(r.DueSoon) == 0 {
		b.WriteString("  无\n")
	}
	shown, more = capped(r.DueSoon)
	for _, it := range shown {
		e := it.Event
		left := fmt.Sprintf("还有 %d 个工作日", it.Days)
		if e.Deadline == r.Day {
			left = "今天到期"
		}
		fmt.Fprintf(&b, "  [事件 %d] %d %s：%s；期限 %s，%s\n", e.ID, e.Matter, e.MatterName, e.Summary, wd(e.Deadline), left)
		b.WriteString(linkLine(base, e.ID))
	}
	b.WriteString(rest(more))
	fmt.Fprintf(&b, "\n三、上周（%s 至 %s）完成公开（%d 项）\n", r.From, r.To, len(r.Disclosed))
	if len(r.Disclosed) == 0 {
		b.WriteString("  无\n")
	}
	shown, more = capped(r.Disclosed)
	for _, it := range shown {
		e := it.Event
		when := "按时"
		if it.Days > 0 || e.State == tracker.DoneLate {
			when = fmt.Sprintf("逾期 %d 个工作日", it.Days)
		}
		fmt.Fprintf(&b, "  [事件 %d] %d %s：%s；%s 公开，%s\n", e.ID, e.Matter, e.MatterName, e.Summary, e.ClosedOn, when)
	}
	b.WriteString(rest(more))
	fmt.Fprintf(&b, "\n四、按时公开率（期限在上周的事项，免于公开和作废的除外）\n")
	for _, rt := range r.Rates {
		fmt.Fprintf(&b, "  %s：%s\n", rt.Level1, percent(rt))
	}
	fmt.Fprintf(&b, "  合计：%s\n", percent(r.Overall))
	fmt.Fprintf(&b, "\n审计日志：%s\n", r.Head)
	b.WriteString("\n——此报告由 gongkai 每周自动发送；没有逾期事项时也照常发送。\n")
	return b.String()
}

var weeklyHTML = template.Must(template.New("weekly").Funcs(template.FuncMap{
	"link": func(base string, id uint64) string {
		if base == "" {
			return ""
		}
		return EventURL(base, id)
	},
	"wd": wd, "pct": percent, "pending": func(e *tracker.Event) string { return tracker.ChannelNames(e.Pending()) },
	"head": func(items []tracker.ReportItem) []tracker.ReportItem { s, _ := capped(items); return s },
	"more": func(items []tracker.ReportItem) int { _, n := capped(items); return n },
	"late": func(it tracker.ReportItem) string {
		if it.Days > 0 || it.Event.State == tracker.DoneLate {
			return fmt.Sprintf("逾期 %d 个工作日", it.Days)
		}
		return "按时"
	},
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政务公开周报</title>
<style>body{font-family:"Microsoft YaHei",sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px}th{background:#eee}</style></head>
<body>
<h2>政务公开周报（截至 {{wd .Day}}）</h2>
<h3>一、已逾期（{{len .Overdue}} 项）</h3>
{{if .Overdue}}<table><tr><th>事件</th><th>事项</th><th>摘要</th><th>期限</th><th>逾期工作日</th><th>待公开</th></tr>
{{range head .Overdue}}<tr><td>{{.Event.ID}}</td><td>{{.Event.Matter}} {{.Event.MatterName}}</td><td>{{with link $.Base .Event.ID}}<a href="{{.}}">{{end}}{{.Event.Summary}}{{if $.Base}}</a>{{end}}</td><td>{{wd .Event.Deadline}}</td><td>{{.Days}}</td><td>{{pending .Event}}</td></tr>
{{end}}</table>{{if more .Overdue}}<p>……另有 {{more .Overdue}} 项，见附件。</p>{{end}}{{else}}<p>无</p>{{end}}
<h3>二、5 个工作日内到期（{{len .DueSoon}} 项）</h3>
{{if .DueSoon}}<table><tr><th>事件</th><th>事项</th><th>摘要</th><th>期限</th><th>剩余工作日</th></tr>
{{range head .DueSoon}}<tr><td>{{.Event.ID}}</td><td>{{.Event.Matter}} {{.Event.MatterName}}</td><td>{{with link $.Base .Event.ID}}<a href="{{.}}">{{end}}{{.Event.Summary}}{{if $.Base}}</a>{{end}}</td><td>{{wd .Event.Deadline}}</td><td>{{.Days}}</td></tr>
{{end}}</table>{{if more .DueSoon}}<p>……另有 {{more .DueSoon}} 项，见附件。</p>{{end}}{{else}}<p>无</p>{{end}}
<h3>三、上周（{{.From}} 至 {{.To}}）完成公开（{{len .Disclosed}} 项）</h3>
{{if .Disclosed}}<table><tr><th>事件</th><th>事项</th><th>摘要</th><th>公开日期</th><th>是否按时</th></tr>
{{range head .Disclosed}}<tr><td>{{.Event.ID}}</td><td>{{.Event.Matter}} {{.Event.MatterName}}</td><td>{{.Event.Summary}}</td><td>{{.Event.ClosedOn}}</td><td>{{late .}}</td></tr>
{{end}}</table>{{if more .Disclosed}}<p>……另有 {{more .Disclosed}} 项，见附件。</p>{{end}}{{else}}<p>无</p>{{end}}
<h3>四、按时公开率</h3>
<table><tr><th>一级事项</th><th>按时公开率</th></tr>
{{range .Rates}}<tr><td>{{.Level1}}</td><td>{{pct .}}</td></tr>
{{end}}<tr><th>合计</th><th>{{pct .Overall}}</th></tr></table>
<p>审计日志：{{.Head}}</p>
</body></html>
`))

// WeeklyHTML is the report as an HTML page.
func WeeklyHTML(r *tracker.WeeklyReport) (string, error) { return weeklyHTMLLinked(r, "") }

// weeklyHTMLLinked is the report as an HTML page whose events link to
// their pages under base (none when "").
func weeklyHTMLLinked(r *tracker.WeeklyReport, base string) (string, error) {
	var b bytes.Buffer
	if err := weeklyHTML.Execute(&b, struct {
		*tracker.WeeklyReport
		Base string
	}{r, base}); err != nil {
		return "", err
	}
	return b.String(), nil
}

// EventURL is the address of an event's page on the dashboard at base
// ([server] public_url).
func EventURL(base string, id uint64) string {
	return strings.TrimSuffix(base, "/") + "/events/" + strconv.FormatUint(id, 10)
}

// linkLine is a text body's line with an event's page, or "".
func linkLine(base string, id uint64) string {
	if base == "" {
		return ""
	}
	return "    详情：" + EventURL(base, id) + "\n"
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
