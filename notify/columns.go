package notify

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// The events' columns for people, the same in a workbook and in CSV:
// Chinese headings and values, one meaning to a column, the matter and
// the summary first and internal numbers last. (JSON is the format for
// machines: tracker.EventView's fields.)

// cells takes a row's cells from left to right: a workbook's row
// (rowWriter) or a CSV record (csvRecord).
type cells interface {
	Text(s string)
	Int(n int64)
	Date(d calendar.Date)
}

// field is a column of events and how a view of one fills it.
type field struct {
	column
	cell func(v *tracker.EventView, c cells)
}

// optInt writes n, or leaves the cell empty when it is nil.
func optInt(c cells, n *int) {
	if n == nil {
		c.Text("")
		return
	}
	c.Int(int64(*n))
}

// channelList is channels' names, joined with 、.
func channelList(cs []tracker.Channel) string {
	names := make([]string, len(cs))
	for i, ch := range cs {
		names[i] = ch.Name()
	}
	return strings.Join(names, "、")
}

// eventFields are every column of an event for people.
var eventFields = []field{
	{column{"事项", 26, true}, func(v *tracker.EventView, c cells) { c.Text(v.MatterName) }},
	{column{"摘要", 24, true}, func(v *tracker.EventView, c cells) { c.Text(v.Summary) }},
	{column{"文号", 16, true}, func(v *tracker.EventView, c cells) { c.Text(v.Ref) }},
	{column{"状态", 9, false}, func(v *tracker.EventView, c cells) { c.Text(v.Status.Name()) }},
	{column{"公开期限", 11, false}, func(v *tracker.EventView, c cells) { c.Date(v.Deadline) }},
	{column{"剩余工作日", 7, false}, func(v *tracker.EventView, c cells) {
		if v.Status == tracker.Open {
			optInt(c, v.WorkdaysLeft)
			return
		}
		c.Text("")
	}},
	{column{"已逾期工作日", 7, false}, func(v *tracker.EventView, c cells) {
		if v.Status == tracker.Overdue && v.WorkdaysLeft != nil {
			c.Int(int64(-*v.WorkdaysLeft))
			return
		}
		c.Text("")
	}},
	{column{"逾期公开工作日", 8, false}, func(v *tracker.EventView, c cells) { optInt(c, v.WorkdaysLate) }},
	{column{"待公开渠道", 16, true}, func(v *tracker.EventView, c cells) { c.Text(channelList(v.ChannelsPending)) }},
	{column{"已公开渠道及日期", 20, true}, func(v *tracker.EventView, c cells) {
		parts := make([]string, len(v.Disclosures))
		for i, d := range v.Disclosures {
			parts[i] = d.Channel.Name() + " " + d.Date.String()
		}
		c.Text(strings.Join(parts, "；"))
	}},
	{column{"公开网址", 20, true}, func(v *tracker.EventView, c cells) {
		var parts []string
		for _, d := range v.Disclosures {
			if d.URL != "" {
				parts = append(parts, d.Channel.Name()+"："+d.URL)
			}
		}
		c.Text(strings.Join(parts, "；"))
	}},
	{column{"办结日期", 11, false}, func(v *tracker.EventView, c cells) { c.Date(v.ClosedOn) }},
	{column{"形成或变更", 6, false}, func(v *tracker.EventView, c cells) { c.Text(v.Kind.Name()) }},
	{column{"形成或变更日期", 11, false}, func(v *tracker.EventView, c cells) { c.Date(v.Date) }},
	{column{"期限暂估", 6, false}, func(v *tracker.EventView, c cells) { c.Text(yes(v.Provisional)) }},
	{column{"应公开渠道", 16, true}, func(v *tracker.EventView, c cells) { c.Text(channelList(v.Channels)) }},
	{column{"一级事项", 12, true}, func(v *tracker.EventView, c cells) { l1, _, _ := strings.Cut(v.MatterName, " › "); c.Text(l1) }},
	{column{"登记人", 8, false}, func(v *tracker.EventView, c cells) { c.Text(v.By) }},
	{column{"登记时间", 16, false}, func(v *tracker.EventView, c cells) {
		if t, err := time.Parse(time.RFC3339, v.LoggedAt); err == nil {
			c.Text(t.In(calendar.Shanghai).Format("2006-01-02 15:04"))
			return
		}
		c.Text(v.LoggedAt)
	}},
	{column{"补登", 5, false}, func(v *tracker.EventView, c cells) { c.Text(yes(v.LoggedLate)) }},
	{column{"事项序号", 5, false}, func(v *tracker.EventView, c cells) { c.Int(int64(v.Matter)) }},
	{column{"事件编号", 6, false}, func(v *tracker.EventView, c cells) { c.Int(int64(v.ID)) }},
}

// EventColumns are the headings of the events' CSV, in order.
var EventColumns = headings(eventFields)

func headings(fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.head
	}
	return out
}

// pick returns the fields of the headings, in their order.
func pick(heads ...string) []field {
	out := make([]field, len(heads))
	for i, h := range heads {
		j := slices.IndexFunc(eventFields, func(f field) bool { return f.head == h })
		if j < 0 {
			panic("notify: no event column " + h)
		}
		out[i] = eventFields[j]
	}
	return out
}

func columnsOf(fs []field) []column {
	out := make([]column, len(fs))
	for i, f := range fs {
		out[i] = f.column
	}
	return out
}

// csvRecord is a CSV record being filled.
type csvRecord []string

func (r *csvRecord) Text(s string) { *r = append(*r, s) }
func (r *csvRecord) Int(n int64)   { *r = append(*r, strconv.FormatInt(n, 10)) }
func (r *csvRecord) Date(d calendar.Date) {
	if d.IsZero() {
		*r = append(*r, "")
		return
	}
	*r = append(*r, d.String())
}

// WriteEventsCSV writes events as CSV for people (WriteCSV): EventColumns,
// a row each.
func WriteEventsCSV(w io.Writer, events []tracker.EventView) error {
	rows := make([][]string, len(events))
	for i := range events {
		var r csvRecord
		for _, f := range eventFields {
			f.cell(&events[i], &r)
		}
		rows[i] = r
	}
	return WriteCSV(w, EventColumns, rows)
}

// eventsSheet is a sheet of events with the fields fs, overdue ones
// highlighted; its title says when there are none.
func eventsSheet(name, title string, fs []field, views []tracker.EventView) sheet {
	if len(views) == 0 {
		title += "：无"
	}
	return sheet{name: name, title: title, cols: columnsOf(fs), n: len(views), row: func(i int, r *rowWriter) {
		v := &views[i]
		if v.Status == tracker.Overdue {
			r.Highlight()
		}
		for _, f := range fs {
			f.cell(v, r)
		}
	}}
}

// titleOf is a sheet's title: what it is, from whom, as of when.
func titleOf(what, office string, day calendar.Date) string {
	if office != "" {
		return fmt.Sprintf("%s（%s，截至 %s）", what, office, wd(day))
	}
	return fmt.Sprintf("%s（截至 %s）", what, wd(day))
}

// EventsWorkbook is a list of events as a spreadsheet (the dashboard's
// export): a row each, as of the list's day, overdue ones highlighted.
func EventsWorkbook(list *app.EventList) ([]byte, error) {
	title := titleOf("政务公开事件清单", list.Office, list.AsOf)
	return workbook(docInfo{title: title, office: list.Office, at: list.AsOf.Start()},
		[]sheet{eventsSheet("事件", title, eventFields, list.Events)})
}

// EventsAs is a list of events for people, as a workbook ("xlsx") or as
// CSV ("csv"); another format is an EInvalid error.
func EventsAs(list *app.EventList, format string) ([]byte, error) {
	switch format {
	case "xlsx":
		return EventsWorkbook(list)
	case "csv":
		var b bytes.Buffer
		err := WriteEventsCSV(&b, list.Events)
		return b.Bytes(), err
	}
	return nil, tracker.Errorf(tracker.EInvalid, "导出格式 %q 无效：可选 csv、xlsx", format)
}

func yes(b bool) string {
	if b {
		return "是"
	}
	return ""
}
