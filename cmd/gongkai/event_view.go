package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

func dateWithWeekday(d calendar.Date) string {
	return d.String() + " " + calendar.WeekdayName(d.Weekday())
}

// deadlineText is a deadline with its weekday; one on a Saturday or a
// Sunday can only be a make-up workday (a deadline is a working day), and
// says so: 2026-10-10 星期六（调休上班）.
func deadlineText(d calendar.Date) string {
	s := dateWithWeekday(d)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		s += "（调休上班）"
	}
	return s
}

// eventCells are an event's matter and deadline as tables show them:
// "3 机关事业单位参加社会保险登记", "2028-01-10 星期一 暂估".
func eventCells(v *tracker.EventView) (matter, deadline string) {
	deadline = deadlineText(v.Deadline)
	if v.Provisional {
		deadline += " 暂估"
	}
	return fmt.Sprintf("%d %s", v.Matter, tracker.ShortMatterName(v.MatterName)), deadline
}

// statusCell is how an event stands, in one cell: how its deadline
// stands while it counts (已逾期 3 个工作日, 今天到期, 还有 5 个工作日), else
// its status (按时公开, 已作废).
func statusCell(v *tracker.EventView, asOf calendar.Date) string {
	if s := v.Standing(asOf); s != "" {
		return s
	}
	return v.Status.Name()
}

// pendingCell is the channels an event still waits for: none for one
// closed or cancelled.
func pendingCell(v *tracker.EventView) string {
	if len(v.ChannelsPending) == 0 {
		return "—"
	}
	return tracker.ChannelNames(v.ChannelsPending)
}

// printEvent prints an event's summary for people.
func printEvent(w io.Writer, d *app.EventDetail) {
	ev, v := d.Event, d.View
	fmt.Fprintf(w, "事件 %d：%s\n", ev.ID, ev.Summary)
	fmt.Fprintf(w, "  事项      %d %s\n", ev.Matter, ev.MatterName)
	fmt.Fprintf(w, "  信息%s  %s\n", ev.Kind.Name(), dateWithWeekday(ev.Date))
	if ev.Ref != "" {
		fmt.Fprintf(w, "  文号      %s\n", ev.Ref)
	}
	prov := ""
	if ev.Provisional {
		prov = "（暂估：所涉年份的放假安排尚未发布，通知发布后将重算）"
	}
	fmt.Fprintf(w, "  公开期限  %s%s\n", deadlineText(ev.Deadline), prov)
	switch {
	case v.Status == tracker.Cancelled:
		fmt.Fprintf(w, "  状态      %s（不再提醒、不计入报告和按时公开率；误作废可用 gongkai restore 恢复）\n", v.Status.Name())
	case v.Status.Closed():
		fmt.Fprintf(w, "  状态      %s（%s）\n", v.Status.Name(), ev.ClosedOn)
	case v.Status == tracker.Overdue:
		// 已逾期 21 个工作日: the status said once.
		fmt.Fprintf(w, "  状态      %s\n", v.Standing(d.AsOf))
		fmt.Fprintf(w, "  待公开    %s\n", tracker.ChannelNames(v.ChannelsPending))
	default:
		fmt.Fprintf(w, "  状态      %s，%s\n", v.Status.Name(), v.Standing(d.AsOf))
		fmt.Fprintf(w, "  待公开    %s\n", tracker.ChannelNames(v.ChannelsPending))
	}
	if ev.LoggedLate {
		fmt.Fprintf(w, "  注意      补登：登记时已超过信息%s之后 %d 个工作日，期限仍从 %s 起算\n", ev.Kind.Name(), d.LateAfter, ev.Date)
	}
}

// eventCmd makes c take one argument, EVENT, and run fn with the event's
// id.
func eventCmd(c *cobra.Command, fn func(c *cobra.Command, id uint64) error) *cobra.Command {
	c.Args = exactArgs(1, "事件编号 EVENT")
	c.RunE = func(c *cobra.Command, args []string) error {
		id, err := parseEventID(args[0])
		if err != nil {
			return err
		}
		return fn(c, id)
	}
	return c
}

// parseEventID reads an event id argument.
func parseEventID(s string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(tracker.Narrow(s)), "#"), 10, 64)
	if err != nil || id == 0 {
		return 0, inputErrorf("事件编号 EVENT 的值 %q 无效：应为正整数（见 gongkai events 的“编号”列）", s)
	}
	return id, nil
}
