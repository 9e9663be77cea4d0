package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"gongkai/tracker/app"
)

// The charts are drawn here as SVG: no script and no chart library in
// the browser. Every bar carries its figure in text, so that a chart
// reads without its colours.

const (
	colourOnTime  = "#2e7d32"
	colourLate    = "#c62828"
	colourAgeing  = "#b23c17"
	colourNeutral = "#9e9e9e"
)

// svg opens a chart of a width and height with its accessible name.
func svg(b *strings.Builder, w, h int, label string) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		w, h, html.EscapeString(label), html.EscapeString(label))
}

func text(b *strings.Builder, x, y int, anchor, class, s string) {
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, html.EscapeString(s))
}

// rateChart is the on-time rate of each 一级事项 this year, a bar each.
func rateChart(levels []app.Level1Figures) template.HTML {
	const w, row, labelW, barW = 640, 30, 190, 300
	var rows []app.Level1Figures
	for _, l := range levels {
		if l.ThisYear.Total > 0 {
			rows = append(rows, l)
		}
	}
	if len(rows) == 0 {
		return template.HTML(`<p class="muted">今年还没有到期的事件，没有可计算的按时公开率。</p>`)
	}
	var b strings.Builder
	svg(&b, w, row*len(rows)+10, "今年各一级事项的按时公开率")
	for i, l := range rows {
		y := 5 + i*row
		p := l.ThisYear.Percent()
		text(&b, labelW-8, y+19, "end", "label", l.Level1)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="18" fill="#eeeeee"/>`, labelW, y+5, barW)
		colour := colourOnTime
		if p < 90 {
			colour = colourLate
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="18" fill="%s"/>`, labelW, y+5, p*barW/100, colour)
		text(&b, labelW+barW+8, y+19, "start", "figure", fmt.Sprintf("%.1f%%（%d/%d）", p, l.ThisYear.OnTime, l.ThisYear.Total))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// trendChart is the last weeks' deadlines, on time and not, a stacked
// bar per week.
func trendChart(weeks []app.WeekFigures) template.HTML {
	const w, h, left, bottom, top = 640, 220, 36, 40, 20
	most := 1
	for _, wk := range weeks {
		most = max(most, wk.OnTime+wk.Late)
	}
	var b strings.Builder
	svg(&b, w, h, fmt.Sprintf("最近 %d 周每周到期事件：按时公开与未按时", len(weeks)))
	plotH := h - top - bottom
	slot := (w - left) / max(len(weeks), 1)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#757575"/>`, left, h-bottom, w, h-bottom)
	text(&b, left-6, top+4, "end", "axis", fmt.Sprint(most))
	text(&b, left-6, h-bottom, "end", "axis", "0")
	for i, wk := range weeks {
		x := left + i*slot + slot/5
		bw := slot * 3 / 5
		onH := wk.OnTime * plotH / most
		lateH := wk.Late * plotH / most
		y := h - bottom
		if onH > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s 当周：按时 %d 件</title></rect>`,
				x, y-onH, bw, onH, colourOnTime, wk.From.String()[5:], wk.OnTime)
		}
		if lateH > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s 当周：未按时 %d 件</title></rect>`,
				x, y-onH-lateH, bw, lateH, colourLate, wk.From.String()[5:], wk.Late)
		}
		if n := wk.OnTime + wk.Late; n > 0 {
			label := fmt.Sprint(wk.OnTime)
			if wk.Late > 0 {
				label += "/" + fmt.Sprint(wk.Late)
			}
			text(&b, x+bw/2, y-onH-lateH-4, "middle", "figure", label)
		}
		text(&b, x+bw/2, h-bottom+16, "middle", "axis", wk.From.String()[5:])
	}
	text(&b, left, h-6, "start", "axis", "每周一的日期；柱上数字：按时/未按时")
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ageingChart is the overdue events by how long overdue.
func ageingChart(bands []app.AgeBand) template.HTML {
	const w, row, labelW, barW = 640, 30, 190, 300
	most := 1
	for _, a := range bands {
		most = max(most, a.Count)
	}
	var b strings.Builder
	svg(&b, w, row*len(bands)+10, "逾期事件按逾期工作日数分布")
	for i, a := range bands {
		y := 5 + i*row
		label := fmt.Sprintf("逾期 %d–%d 个工作日", a.From, a.To)
		switch {
		case a.To == 0:
			label = fmt.Sprintf("逾期 %d 个工作日以上", a.From-1)
		case a.From == 0:
			label = fmt.Sprintf("逾期 %d 个工作日以内", a.To)
		}
		text(&b, labelW-8, y+19, "end", "label", label)
		colour := colourAgeing
		if a.Count == 0 {
			colour = colourNeutral
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="18" fill="%s"/>`, labelW, y+5, max(a.Count*barW/most, 2), colour)
		text(&b, labelW+max(a.Count*barW/most, 2)+8, y+19, "start", "figure", fmt.Sprintf("%d 件", a.Count))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
