package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

type eventsOptions struct {
	open, overdue    bool
	dueWithin        int
	matter           string
	from, to, asOf   string
	format           string
	status           []string
	level1, text, by string
}

func newEventsCmd(e *env) *cobra.Command {
	var o eventsOptions
	c := &cobra.Command{
		Use:   "events [--status S] [--open] [--overdue] [--due-within N] [--matter M] [--level1 L] [--text T] [--logged-by P] [--from D] [--to D] [--as-of D]",
		Short: "列出事件及其期限和状态",
		Long: `列出已登记的事件（作废的除外）。状态：open 待公开，overdue 已逾期（待公开且已过期限），
done 按时公开，done_late 逾期公开，waived 免于公开，cancelled 已作废。

  --status S      只列这些状态的（英文或中文，可重复或用逗号分隔），如 --status 已逾期,免于公开；
                  作废的事件只有 --status cancelled 才列出
  --open          只列待公开的（含已逾期）
  --overdue       只列已逾期的
  --due-within N  只列未逾期、N 个工作日内到期的
  --matter M      只列某事项的（序号或名称）
  --level1 L      只列某一级事项的（名称或其中的文字）
  --text T        只列摘要或文号含 T 的
  --logged-by P   只列 P 登记的
  --from/--to     按形成或变更日期筛选
  --as-of D       以 D 为“今天”（默认今天）`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			return runEvents(c, e, o)
		},
	}
	c.Flags().BoolVar(&o.open, "open", false, "只列待公开的（含已逾期）")
	c.Flags().BoolVar(&o.overdue, "overdue", false, "只列已逾期的")
	c.Flags().IntVar(&o.dueWithin, "due-within", 0, "只列 N 个工作日内到期的")
	c.Flags().StringVar(&o.matter, "matter", "", "只列某事项的（序号或名称）")
	c.Flags().StringSliceVar(&o.status, "status", nil, "只列这些状态的")
	c.Flags().StringVar(&o.level1, "level1", "", "只列某一级事项的")
	c.Flags().StringVar(&o.text, "text", "", "只列摘要或文号含该文字的")
	c.Flags().StringVar(&o.by, "logged-by", "", "只列此人登记的")
	c.Flags().StringVar(&o.from, "from", "", "形成或变更日期不早于 D")
	c.Flags().StringVar(&o.to, "to", "", "形成或变更日期不晚于 D")
	c.Flags().StringVar(&o.asOf, "as-of", "", "以 D 为今天")
	c.Flags().StringVar(&o.format, "format", "table", "输出格式：table、json 或 csv")
	return c
}

func runEvents(c *cobra.Command, e *env, o eventsOptions) error {
	if err := parseFormat(o.format, "table", "json", "csv"); err != nil {
		return err
	}
	q := app.EventQuery{Open: o.open, Overdue: o.overdue, Matter: o.matter, Level1: o.level1, Text: o.text, By: o.by}
	for _, s := range splitList(o.status) {
		q.Status = append(q.Status, statusOf(s))
	}
	if c.Flags().Changed("due-within") {
		q.DueWithin = &o.dueWithin
	}
	var err error
	for _, d := range []struct {
		flag, v string
		to      *calendar.Date
	}{{"--as-of", o.asOf, &q.AsOf}, {"--from", o.from, &q.From}, {"--to", o.to, &q.To}} {
		if *d.to, err = optionalDateArg(d.flag, d.v); err != nil {
			return err
		}
	}
	list, err := call(c, e, app.Service.Events, q)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return notify.WriteJSONList(e.stdout, list.Events)
	case "csv":
		return notify.WriteEventsCSV(e.stdout, list.Events)
	}
	return printEvents(e, list)
}

// printEvents prints a list of events as a table that fits the terminal.
func printEvents(e *env, list *app.EventList) error {
	if len(list.Events) == 0 {
		fmt.Fprintln(e.stdout, "没有符合条件的事件。")
		return nil
	}
	// At 80 columns: the event, its matter and summary, its deadline and
	// how it stands; wider, its kind, date and the channels still due.
	cols := []col{{header: "编号"}, {header: "事项", cut: true, min: 10, want: 24}, {header: "摘要", cut: true, min: 10, want: 30},
		{header: "类型", drop: 4}, {header: "日期", drop: 3}, {header: "期限"}, {header: "状态"},
		{header: "待公开", drop: 2, cut: true, min: 12, want: 20}}
	var rows [][]string
	for _, v := range list.Events {
		matter, deadline := eventCells(&v)
		rows = append(rows, []string{strconv.FormatUint(v.ID, 10), matter, v.Summary, v.Kind.Name(), v.Date.String(), deadline,
			statusCell(&v, list.AsOf), pendingCell(&v)})
	}
	colorOf := func(i int) string { return statusColor(&list.Events[i], list.AsOf) }
	if err := printColoredTable(e.stdout, e.width(), cols, rows, 6, colorOf, e.colored()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "共 %d 个事件（截至 %s）。\n", len(list.Events), list.AsOf)
	return nil
}

// statusOf reads a status as people write it: open, or its Chinese name
// (待公开); anything else is left for the query to refuse, naming it.
func statusOf(s string) tracker.Status {
	for _, st := range tracker.Statuses {
		if s == string(st) || s == st.Name() || "已"+s == st.Name() {
			return st
		}
	}
	return tracker.Status(s)
}
