package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

type calendarImportOptions struct {
	file   string
	dryRun bool
}

func newCalendarImportCmd(e *env) *cobra.Command {
	var o calendarImportOptions
	c := &cobra.Command{
		Use:   "import FILE [--dry-run]",
		Short: "导入国务院办公厅发布的一年放假安排",
		Long: `导入一年的放假安排，存入数据库（没有数据库时创建），此后该年以导入的为准；
再次导入同一年则替换。FILE 可以是 holiday-cn 格式的 JSON（{"year","papers","days"}），
也可以是全天事件的 iCalendar 文件：DTEND 为结束后一天；SUMMARY 以“上班”或“补班”
开头的是调休上班日，其余为放假日并给出节日名称。年份由日期确定，允许包含上一年
12 月下旬的几天。

--dry-run 逐日列出导入将带来的变化，不写入任何数据。`,
		Example: `  gongkai calendar import 2028.json --dry-run
  gongkai calendar import 2028.ics`,
		Args: exactArgs(1, "文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.file = args[0]
			return runCalendarImport(c, e, o)
		},
	}
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "只显示变化，不写入")
	c.Flags().String("by", "", byUsage)
	return c
}

func runCalendarImport(c *cobra.Command, e *env, o calendarImportOptions) error {
	data, err := os.ReadFile(o.file)
	if err != nil {
		return inputErrorf("无法读取文件 %q：%s", o.file, errText(err))
	}
	r, err := call(c, e, app.Service.ImportCalendar, app.CalendarImportInput{FileInput: app.FileInput{Name: o.file, Data: data}, DryRun: o.dryRun})
	if err != nil {
		return err
	}
	w := e.stdout
	for _, warn := range r.Warnings {
		fmt.Fprintf(e.stderr, "gongkai: 提示：%s %s\n", o.file, warn)
	}
	verb := "将"
	if !o.dryRun {
		verb = ""
	}
	fmt.Fprintf(w, "%s：%d 年放假安排，%d 个放假日、%d 个调休上班日\n", o.file, r.Year, r.DaysOff, r.Makeup)
	if len(r.Changes) == 0 {
		fmt.Fprintln(w, "与现行日历相比，没有哪一天的放假或上班情况改变。")
	} else {
		fmt.Fprintf(w, "与现行日历相比，以下 %d 天%s改变：\n", len(r.Changes), verb)
		t := newTable(w, "日期", "星期", "现行", "导入后")
		for _, c := range r.Changes {
			t.Append([]string{c.Before.Date.String(), calendar.ShortWeekdayName(c.Before.Date.Weekday()),
				c.Before.Description(), c.After.Description()})
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if r.Settled > 0 {
		fmt.Fprintf(w, "另有 %d 天%s由暂估转为正式，放假或上班情况不变。\n", r.Settled, verb)
	}
	if o.dryRun {
		fmt.Fprintln(w, "（--dry-run：未写入任何数据）")
		return nil
	}
	fmt.Fprintf(w, "已导入 %d 年放假安排到数据库 %s，此后该年以导入的为准。\n", r.Year, e.dbPath())
	if len(r.Recomputed) > 0 {
		fmt.Fprintf(w, "重算了 %d 个事件的期限：\n", len(r.Recomputed))
		t := newTable(w, "编号", "事项", "原期限", "新期限", "状态")
		for _, rc := range r.Recomputed {
			matter, deadline := eventCells(&rc.Event)
			t.Append([]string{fmt.Sprint(rc.Event.ID), matter, dateWithWeekday(rc.Before), deadline, rc.Event.Status.Name()})
		}
		return t.Render()
	}
	return nil
}

// errText says why a file could not be read.
func errText(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "文件不存在"
	}
	return tracker.OSProblem(err)
}
