package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
)

type eventsOptions struct {
	open, overdue  bool
	dueWithin      int
	matter         string
	from, to, asOf string
	format         string
}

func newEventsCmd(e *env) *cobra.Command {
	var o eventsOptions
	c := &cobra.Command{
		Use:   "events [--open] [--overdue] [--due-within N] [--matter M] [--from D] [--to D] [--as-of D]",
		Short: "列出事件及其期限和状态",
		Long: `列出已登记的事件。状态：open 待公开，overdue 已逾期（待公开且已过期限），done 按时公开，
done_late 逾期公开，waived 免于公开。

  --open          只列待公开的（含已逾期）
  --overdue       只列已逾期的
  --due-within N  只列未逾期、N 个工作日内到期的
  --from/--to     按形成或变更日期筛选
  --as-of D       以 D 为“今天”（默认今天）`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("due-within") {
				o.dueWithin = -1
			} else if o.dueWithin < 0 {
				return inputErrorf("--due-within 的值 %d 无效：应为 0 或正整数", o.dueWithin)
			}
			return runEvents(e, o)
		},
	}
	c.Flags().BoolVar(&o.open, "open", false, "只列待公开的（含已逾期）")
	c.Flags().BoolVar(&o.overdue, "overdue", false, "只列已逾期的")
	c.Flags().IntVar(&o.dueWithin, "due-within", 0, "只列 N 个工作日内到期的")
	c.Flags().StringVar(&o.matter, "matter", "", "只列某事项的（序号或名称）")
	c.Flags().StringVar(&o.from, "from", "", "形成或变更日期不早于 D")
	c.Flags().StringVar(&o.to, "to", "", "形成或变更日期不晚于 D")
	c.Flags().StringVar(&o.asOf, "as-of", "", "以 D 为今天")
	c.Flags().StringVar(&o.format, "format", "table", "输出格式：table、json 或 csv")
	return c
}

func runEvents(e *env, o eventsOptions) error {
	if err := parseFormat(o.format, "table", "json", "csv"); err != nil {
		return err
	}
	asOf, err := optionalDate(e, "--as-of", o.asOf)
	if err != nil {
		return err
	}
	var from, to calendar.Date
	if o.from != "" {
		if from, err = parseDateArg("--from", o.from); err != nil {
			return err
		}
	}
	if o.to != "" {
		if to, err = parseDateArg("--to", o.to); err != nil {
			return err
		}
	}
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		return inputErrorf("--from %s 晚于 --to %s", from, to)
	}
	var rows []eventJSON
	var list []*tracker.Event
	var cal *calendar.Calendar
	err = e.read(func(tx tracker.Tx, c *calendar.Calendar) error {
		cal = c
		matter := 0
		if o.matter != "" {
			cat, err := tx.Catalog()
			if err != nil {
				return err
			}
			if cat == nil {
				cat = tracker.EmbeddedCatalog()
			}
			m, err := tracker.FindMatter(cat, o.matter)
			if err != nil {
				return err
			}
			matter = m.Seq
		}
		// Only open events can be open or overdue today; as of a past day,
		// an event closed since may have been, so all are read.
		openOnly := (o.open || o.overdue || o.dueWithin >= 0) && o.asOf == ""
		each := tx.Events
		if openOnly {
			each = tx.OpenEvents
		}
		return each(func(ev *tracker.Event) error {
			st := ev.Status(asOf)
			switch {
			case matter != 0 && ev.Matter != matter:
				return nil
			case !from.IsZero() && ev.Date.Before(from), !to.IsZero() && ev.Date.After(to):
				return nil
			case ev.Date.After(asOf):
				return nil // it had not happened yet
			case o.open && st != tracker.Open && st != tracker.Overdue:
				return nil
			case o.overdue && st != tracker.Overdue:
				return nil
			case o.dueWithin >= 0:
				if st != tracker.Open {
					return nil
				}
				if n, _ := workdaysLeft(c, asOf, ev.Deadline); n > o.dueWithin {
					return nil
				}
			}
			list = append(list, ev)
			rows = append(rows, toJSON(ev, c, asOf))
			return nil
		})
	})
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSONList(e.stdout, rows)
	case "csv":
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = r.csvRow()
		}
		return writeCSV(e.stdout, csvHeader, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "没有符合条件的事件。")
		return nil
	}
	t := newTable(e.stdout, "编号", "事项", "类型", "日期", "期限", "剩余", "状态", "待公开")
	for _, ev := range list {
		st := ev.Status(asOf)
		deadline := dateWithWeekday(ev.Deadline)
		if ev.Provisional {
			deadline += " 暂估"
		}
		left := ""
		if !st.Closed() {
			left = leftText(cal, asOf, ev.Deadline)
		}
		t.Append([]string{strconv.FormatUint(ev.ID, 10), fmt.Sprintf("%d %s", ev.Matter, shortMatter(ev.MatterName)),
			ev.Kind.Name(), ev.Date.String(), deadline, left, st.Name(), tracker.ChannelNames(ev.Pending())})
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "共 %d 个事件（截至 %s）。\n", len(list), asOf)
	return nil
}

// shortMatter keeps the most specific level of a matter's full name.
func shortMatter(name string) string {
	runes := []rune(name)
	for i := len(runes) - 1; i > 0; i-- {
		if runes[i] == '›' {
			return string(runes[i+2:])
		}
	}
	return name
}
