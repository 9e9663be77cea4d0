package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

func newShowCmd(e *env) *cobra.Command {
	var asOf string
	c := eventCmd(&cobra.Command{
		Use:   "show EVENT",
		Short: "查看一个事件的全部经过",
		Long: `显示事件的现状和全部历史：登记、更正、重算期限、各渠道公开、撤回、免于公开、重新打开，以及操作人和时间。
写于模拟时间（GONGKAI_NOW，与机器时间相差超过 1 分钟）的记录标为“模拟时间”，并列出实际时间。`,
	}, func(c *cobra.Command, id uint64) error {
		day, err := optionalDateArg("--as-of", asOf)
		if err != nil {
			return err
		}
		d, err := call(c, e, app.Service.Event, app.EventRef{ID: id, AsOf: day})
		if err != nil {
			return err
		}
		return printEventHistory(e, d)
	})
	c.Flags().StringVar(&asOf, "as-of", "", "以 D 为今天")
	return c
}

// printEventHistory prints an event whole: its summary, disclosures and
// history.
func printEventHistory(e *env, d *app.EventDetail) error {
	w, ev := e.stdout, d.Event
	printEvent(w, d)
	const minute = "2006-01-02 15:04"
	at, real := timeCells(ev.LoggedAt, ev.LoggedClock, minute)
	if real != "" {
		at += "，实际 " + real
	}
	fmt.Fprintf(w, "  登记      %s，%s\n", ev.By, at)
	if len(ev.Disclosures) > 0 {
		fmt.Fprintln(w, "\n公开记录：")
		var rows [][]string
		for _, d := range ev.Disclosures {
			where := d.URL
			if d.Note != "" {
				where += " " + d.Note
			}
			by := d.By
			if tracker.Simulated(d.At, d.Clock) {
				by += simulatedMark
			}
			valid := "有效"
			if v := d.Void; v != nil {
				valid = fmt.Sprintf("已%s：%s", tracker.ActionName(v.Action), v.Reason)
				if tracker.Simulated(v.At, v.Clock) {
					valid += simulatedMark
				}
			}
			rows = append(rows, []string{d.Channel.Name(), d.Date.String(), where, by, valid})
		}
		cols := []col{{header: "渠道"}, {header: "公开日期"}, {header: "网址或备注", cut: true, min: 12, want: 36},
			{header: "登记人", drop: 1, cut: true, min: 6}, {header: "是否有效", cut: true, min: 8}}
		if err := printTable(w, e.width(), cols, rows); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\n历史：")
	var rows [][]string
	for _, h := range ev.History {
		at, real := timeCells(h.At, h.Clock, minute)
		rows = append(rows, []string{at, real, h.By, tracker.ActionName(h.Action), h.Detail, h.Reason})
	}
	return renderClocked(w, e.width(), []col{{header: "时间"}, {header: "实际时间", drop: 2}, {header: "操作人", cut: true, min: 6, want: 10},
		{header: "操作"}, {header: "内容", cut: true, min: 16, want: 40}, {header: "原因", drop: 1, cut: true, min: 8, want: 16}}, rows, 1)
}
