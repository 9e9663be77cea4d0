package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
)

type calendarImportOptions struct {
	file   string
	dryRun bool
	by     string
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
			return runCalendarImport(e, o)
		},
	}
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "只显示变化，不写入")
	c.Flags().StringVar(&o.by, "by", "", "操作人（默认为系统用户名）")
	return c
}

func runCalendarImport(e *env, o calendarImportOptions) error {
	data, err := os.ReadFile(o.file)
	if err != nil {
		return inputErrorf("无法读取文件 FILE %q：%s", o.file, errText(err))
	}
	sched, warnings, err := calendar.ParseImport(o.file, data)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	sched.Digest = hex.EncodeToString(sum[:])
	now, err := e.now()
	if err != nil {
		return err
	}
	sched.ImportedAt = now.UTC()

	w := e.stdout
	for _, warn := range warnings {
		fmt.Fprintf(e.stderr, "gongkai: 提示：%s %s\n", o.file, warn)
	}
	// The comparison and the write happen in one transaction, so that what
	// is shown is what was replaced.
	var changes []dayChange
	var settled int
	// compare returns the calendar the import gives, after noting how it
	// differs from before.
	compare := func(before *calendar.Calendar, imported []calendar.Schedule) (*calendar.Calendar, error) {
		after, err := calendar.New(append(imported, sched)...)
		if err != nil {
			return nil, err
		}
		changes, settled, err = diffYear(before, after, sched.Year)
		return after, err
	}
	var dbPath string
	var recomputed []tracker.Recomputed
	if o.dryRun {
		imported, err := e.importedSchedules()
		if err != nil {
			return err
		}
		before, err := calendar.New(imported...)
		if err != nil {
			return err
		}
		if _, err := compare(before, imported); err != nil {
			return err
		}
	} else {
		dbPath = e.dbPath()
		err = e.write(o.by, func(ops *tracker.Ops, before *calendar.Calendar) error {
			imported, err := ops.Tx.Schedules()
			if err != nil {
				return err
			}
			after, err := compare(before, imported)
			if err != nil {
				return err
			}
			if err := ops.Tx.PutSchedule(sched); err != nil {
				return err
			}
			if err := ops.AuditCalendarImport(sched, len(changes)); err != nil {
				return err
			}
			recomputed, err = ops.RecomputeAll(after, calendar.DateOf(sched.Year-1, 12, 20), calendar.DateOf(sched.Year, 12, 31),
				fmt.Sprintf("导入 %d 年放假安排（%s）", sched.Year, sched.File))
			return err
		})
		if err != nil {
			return err
		}
	}

	verb := "将"
	if !o.dryRun {
		verb = ""
	}
	fmt.Fprintf(w, "%s：%d 年放假安排，%d 个放假日、%d 个调休上班日\n",
		o.file, sched.Year, countDays(sched, true), countDays(sched, false))
	if len(changes) == 0 {
		fmt.Fprintln(w, "与现行日历相比，没有哪一天的放假或上班情况改变。")
	} else {
		fmt.Fprintf(w, "与现行日历相比，以下 %d 天%s改变：\n", len(changes), verb)
		t := newTable(w, "日期", "星期", "现行", "导入后")
		for _, c := range changes {
			t.Append([]string{c.before.Date.String(), calendar.ShortWeekdayName(c.before.Date.Weekday()),
				dayDescription(c.before), dayDescription(c.after)})
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if settled > 0 {
		fmt.Fprintf(w, "另有 %d 天%s由暂估转为正式，放假或上班情况不变。\n", settled, verb)
	}
	if o.dryRun {
		fmt.Fprintln(w, "（--dry-run：未写入任何数据）")
		return nil
	}
	fmt.Fprintf(w, "已导入 %d 年放假安排到数据库 %s，此后该年以导入的为准。\n", sched.Year, dbPath)
	if len(recomputed) > 0 {
		fmt.Fprintf(w, "重算了 %d 个事件的期限：\n", len(recomputed))
		t := newTable(w, "编号", "事项", "原期限", "新期限", "状态")
		for _, r := range recomputed {
			nd := dateWithWeekday(r.Event.Deadline)
			if r.Event.Provisional {
				nd += " 暂估"
			}
			t.Append([]string{fmt.Sprint(r.Event.ID), fmt.Sprintf("%d %s", r.Event.Matter, shortMatter(r.Event.MatterName)), dateWithWeekday(r.Before), nd, r.Event.State.Name()})
		}
		return t.Render()
	}
	return nil
}

type dayChange struct{ before, after calendar.Day }

// diffYear compares the days a schedule for year may touch: the year and
// the end of the December before it. settled counts the days that only
// stop being provisional.
func diffYear(before, after *calendar.Calendar, year int) (changes []dayChange, settled int, err error) {
	first := calendar.DateOf(year-1, 12, 20)
	if first.Before(calendar.FirstDate) {
		first = calendar.FirstDate
	}
	last := calendar.DateOf(year, 12, 31)
	for d := first; !d.After(last); d = d.AddDays(1) {
		b, err := before.Day(d)
		if err != nil {
			return nil, 0, err
		}
		a, err := after.Day(d)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case a.Kind != b.Kind || a.Name != b.Name:
			changes = append(changes, dayChange{b, a})
		case a.Provisional != b.Provisional:
			settled++
		}
	}
	return changes, settled, nil
}

func countDays(s calendar.Schedule, off bool) int {
	n := 0
	for _, d := range s.Days {
		if d.Off == off {
			n++
		}
	}
	return n
}

// errText gives the reason of a file error without the path it repeats.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		switch {
		case os.IsNotExist(pe.Err):
			return "文件不存在"
		case os.IsPermission(pe.Err):
			return "没有读取权限"
		}
		return pe.Err.Error()
	}
	return err.Error()
}
