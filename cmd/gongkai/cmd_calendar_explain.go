package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"gongkai/calendar"
)

type calendarExplainOptions struct {
	date string
	days int
}

func newCalendarExplainCmd(e *env) *cobra.Command {
	var o calendarExplainOptions
	c := &cobra.Command{
		Use:   "explain DATE [--days N]",
		Short: "逐日说明期限是怎样算出来的",
		Long: `列出从 DATE 起数 N 个工作日时经过的每一天：计入的工作日（含调休上班日）
和跳过的周末、节假日，以及哪些日期尚属暂估，便于向领导或申请人说明期限的由来。`,
		Example: `  gongkai calendar explain 2026-09-28 --days 20`,
		Args:    exactArgs(1, "起算日期 DATE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.date = args[0]
			return runCalendarExplain(e, o)
		},
	}
	c.Flags().IntVar(&o.days, "days", 20, "工作日数（可为负数或 0）")
	return c
}

func runCalendarExplain(e *env, o calendarExplainOptions) error {
	start, err := parseDateArg("DATE", o.date)
	if err != nil {
		return err
	}
	cal, err := e.loadCalendar()
	if err != nil {
		return err
	}
	result, prov, steps, err := cal.Explain(start, o.days)
	if err != nil {
		return err
	}
	w := e.stdout
	switch {
	case o.days > 0:
		fmt.Fprintf(w, "起算日 %s（%s）不计入，从其后一日起数 %d 个工作日：\n\n",
			start, calendar.WeekdayName(start.Weekday()), o.days)
	case o.days < 0:
		fmt.Fprintf(w, "从 %s（%s）前一日起向前数 %d 个工作日：\n\n",
			start, calendar.WeekdayName(start.Weekday()), -o.days)
	default:
		fmt.Fprintf(w, "%s（%s）当天若是工作日即为结果，否则顺延至其后第一个工作日：\n\n",
			start, calendar.WeekdayName(start.Weekday()))
	}
	t := newTable(w, "日期", "星期", "情况", "计数")
	for _, s := range steps {
		count := "跳过"
		switch {
		case s.Counted() && o.days == 0:
			count = "即结果"
		case s.Counted():
			count = "第 " + strconv.Itoa(max(s.Ordinal, -s.Ordinal)) + " 个工作日"
		}
		t.Append([]string{s.Date.String(), calendar.ShortWeekdayName(s.Date.Weekday()), s.Day.Description(), count})
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n结果：%s（%s）", result, calendar.WeekdayName(result.Weekday()))
	for i, sk := range calendar.SkippedDays(steps) {
		sep := "、"
		if i == 0 {
			sep = "；途中跳过"
		}
		fmt.Fprintf(w, "%s%s %d 天", sep, sk.What, sk.Days)
	}
	fmt.Fprintln(w)
	if prov {
		fmt.Fprintln(w, "注意：途经的日期中有暂估日（所在年份的放假安排通知尚未发布或导入），结果可能随通知调整。")
	}
	return nil
}
