package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/calendar"
)

type calendarStatusOptions struct {
	asOf string
}

func newCalendarStatusCmd(e *env) *cobra.Command {
	var o calendarStatusOptions
	c := &cobra.Command{
		Use:   "status [--as-of DATE]",
		Short: "各年份放假安排的来源：正式（内置或导入）或暂估",
		Long: `列出每一年的工作日依据：正式年份注明是内置数据还是导入的文件及所依据的通知；
其余年份为暂估。自 11 月 1 日起，若下一年仍为暂估，会提醒导入国务院办公厅的通知。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			return runCalendarStatus(e, o)
		},
	}
	c.Flags().StringVar(&o.asOf, "as-of", "", "以该日期为“今天”（默认今天，Asia/Shanghai）")
	return c
}

func runCalendarStatus(e *env, o calendarStatusOptions) error {
	today, err := optionalDateArg("--as-of", o.asOf)
	if err != nil {
		return err
	}
	if today.IsZero() {
		now, err := e.clock()
		if err != nil {
			return err
		}
		today = calendar.Today(now())
	}
	cal, err := e.loadCalendar()
	if err != nil {
		return err
	}
	w := e.stdout
	t := newTable(w, "年份", "状态", "来源", "依据")
	var notes []string
	for _, y := range cal.Spans() {
		t.Append([]string{y.Label(), y.Standing(), y.Origin(), strings.Join(y.Basis(), "\n")})
		notes = append(notes, y.Notes()...)
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	for _, warn := range statusWarnings(cal, today) {
		fmt.Fprintln(w, warn)
	}
	return nil
}

// statusWarnings says what an officer should do about provisional years
// as of today.
func statusWarnings(cal *calendar.Calendar, today calendar.Date) []string {
	var out []string
	this, next := cal.Pending(today)
	if this != 0 {
		out = append(out, "警告："+calendar.ThisYearPending(this)+"。请尽快导入国务院办公厅的通知：gongkai calendar import 文件")
	}
	if next != 0 {
		out = append(out, "提醒："+calendar.NextYearPending(next)+"。国务院办公厅通常在 10 月底至 12 月初发布通知，发布后请导入：gongkai calendar import 文件（holiday-cn JSON 或 iCalendar）")
	}
	return out
}
