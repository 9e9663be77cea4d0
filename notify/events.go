package notify

import "gongkai/tracker"

// EventsWorkbook is a list of events as a spreadsheet (the dashboard's
// export): a row each, as of the list's day.
func EventsWorkbook(events []tracker.EventView) ([]byte, error) {
	return workbook([]sheet{{
		name: "事件",
		header: []string{"事件编号", "序号", "事项", "类型", "形成或变更日期", "摘要", "文号", "公开期限", "暂估", "状态",
			"剩余工作日", "应公开渠道", "待公开渠道", "登记人", "补登", "办结日期"},
		widths: map[int]float64{3: 40, 5: 14, 6: 40, 7: 18, 8: 12, 12: 30, 13: 30, 16: 12},
		n:      len(events),
		row: func(i int, r *rowWriter) {
			v := events[i]
			r.Uint(v.ID)
			r.Int(int64(v.Matter))
			r.Text(v.MatterName)
			r.Text(v.Kind.Name())
			r.Date(v.Date)
			r.Text(v.Summary)
			r.Text(v.Ref)
			r.Date(v.Deadline)
			r.Text(yes(v.Provisional))
			r.Text(v.Status.Name())
			if v.WorkdaysLeft != nil {
				r.Int(int64(*v.WorkdaysLeft))
			} else {
				r.Text("")
			}
			r.Text(tracker.ChannelNames(v.Channels))
			r.Text(tracker.ChannelNames(v.ChannelsPending))
			r.Text(v.By)
			r.Text(yes(v.LoggedLate))
			r.Date(v.ClosedOn)
		},
	}})
}

func yes(b bool) string {
	if b {
		return "是"
	}
	return ""
}
