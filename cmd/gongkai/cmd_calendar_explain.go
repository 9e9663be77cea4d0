package main

import (
	"fmt"

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
	x, err := cal.Explanation(start, o.days)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n\n", x.How())
	t := newTable(e.stdout, "日期", "星期", "情况", "计数")
	for _, s := range x.Steps {
		t.Append([]string{s.Date.String(), calendar.ShortWeekdayName(s.Date.Weekday()), s.Day.Description(), x.Count(s)})
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n%s\n", x.Outcome())
	return nil
}
