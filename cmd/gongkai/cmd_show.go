package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

func newShowCmd(e *env) *cobra.Command {
	var asOf string
	c := &cobra.Command{
		Use:   "show EVENT",
		Short: "查看一个事件的全部经过",
		Long:  `显示事件的现状和全部历史：登记、更正、重算期限、各渠道公开、撤回、免于公开、重新打开，以及操作人和时间。`,
		Args:  exactArgs(1, "事件编号 EVENT"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseEventID(args[0])
			if err != nil {
				return err
			}
			day, err := optionalDateArg("--as-of", asOf)
			if err != nil {
				return err
			}
			svc, err := e.service()
			if err != nil {
				return err
			}
			d, err := svc.Event(e.ctx(c.Context(), ""), app.EventRef{ID: id, AsOf: day})
			if err != nil {
				return err
			}
			return printEventHistory(e, d)
		},
	}
	c.Flags().StringVar(&asOf, "as-of", "", "以 D 为今天")
	return c
}

// printEventHistory prints an event whole: its summary, disclosures and
// history.
func printEventHistory(e *env, d *app.EventDetail) error {
	w, ev := e.stdout, d.Event
	printEvent(w, d)
	fmt.Fprintf(w, "  登记      %s，%s\n", ev.By, ev.LoggedAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
	if len(ev.Disclosures) > 0 {
		fmt.Fprintln(w, "\n公开记录：")
		t := newTable(w, "渠道", "公开日期", "网址或备注", "登记人", "是否有效")
		for _, d := range ev.Disclosures {
			where := d.URL
			if d.Note != "" {
				where += " " + d.Note
			}
			valid := "有效"
			if d.Void != nil {
				valid = fmt.Sprintf("已%s：%s", tracker.ActionName(d.Void.Action), d.Void.Reason)
			}
			t.Append([]string{d.Channel.Name(), d.Date.String(), where, d.By, valid})
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\n历史：")
	t := newTable(w, "时间", "操作人", "操作", "内容", "原因")
	for _, h := range ev.History {
		t.Append([]string{h.At.In(calendar.Shanghai).Format("2006-01-02 15:04"), h.By, tracker.ActionName(h.Action), h.Detail, h.Reason})
	}
	return t.Render()
}
