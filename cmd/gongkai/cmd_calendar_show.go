package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
)

func newCalendarShowCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "show YEAR [MONTH] | YYYY-MM",
		Short: "按月显示日历：放假、调休上班和暂估日",
		Long: `按月显示日历。格内标记：节日简称＝放假，班＝调休上班，*＝暂估（该年通知
尚未发布或导入，按放假办法推算）。每月下方列出各节日的放假和上班日期。`,
		Example: `  gongkai calendar show 2026 10
  gongkai calendar show 2026-10
  gongkai calendar show 2028`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return inputErrorf("%s 需要年份 YEAR，可再加月份 MONTH，实际给了 %d 个参数", c.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runCalendarShow(e, args)
		},
	}
	return c
}

func runCalendarShow(e *env, args []string) error {
	// 2026-10 (or 2026/10, 2026.10) is a year and a month.
	if len(args) == 1 {
		if y, m, ok := strings.Cut(strings.NewReplacer("/", "-", ".", "-").Replace(tracker.Narrow(args[0])), "-"); ok {
			args = []string{y, m}
		}
	}
	year, err := strconv.Atoi(args[0])
	if err != nil || year < calendar.FirstYear || year > calendar.LastYear {
		return inputErrorf("年份 YEAR 的值 %q 无效：应为 %d 至 %d 之间的整数", args[0], calendar.FirstYear, calendar.LastYear)
	}
	first, last := 1, 12
	if len(args) == 2 {
		m, err := strconv.Atoi(args[1])
		if err != nil || m < 1 || m > 12 {
			return inputErrorf("月份 MONTH 的值 %q 无效：应为 1 至 12", args[1])
		}
		first, last = m, m
	}
	cal, err := e.loadCalendar()
	if err != nil {
		return err
	}
	info, _ := cal.Year(year)
	fmt.Fprintf(e.stdout, "%d 年：%s\n", year, info.Standing())
	for m := first; m <= last; m++ {
		g, err := cal.Month(year, time.Month(m))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n%d年%d月\n", year, m)
		t := newTable(e.stdout, "一", "二", "三", "四", "五", "六", "日")
		for _, w := range g.Weeks {
			t.Append(w[:])
		}
		if err := t.Render(); err != nil {
			return err
		}
		for _, h := range g.Holidays {
			fmt.Fprintln(e.stdout, "  "+h.String())
		}
	}
	// The legend in lines that fit 80 columns.
	fmt.Fprintln(e.stdout, "\n标记：节日简称＝放假  班＝调休上班\n      *＝暂估（放假日按放假办法推算，或年末几天可能被下一年通知调整）")
	return nil
}
