package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker/app"
)

type remindOptions struct {
	asOf   string
	dryRun bool
}

func newRemindCmd(e *env) *cobra.Command {
	var o remindOptions
	c := &cobra.Command{
		Use:   "remind [--as-of D] [--dry-run]",
		Short: "执行一次提醒：找出今天该发的提醒，排入发件箱并发出",
		Long: `与 gongkai serve 每天的提醒任务相同：对每个待公开事件，找出今天到了的提醒（到期前
若干工作日、到期当天、逾期后每隔若干工作日、逾期若干工作日后通知领导），每位收件人
合成一封邮件排入发件箱，再发出发件箱中待发的邮件。没有 [smtp] 时，邮件写成 .eml
文件放在 outbox_dir。只在工作日执行。

--as-of 可指定过去的某天（补做漏掉的一次）；未来的日子只能与 --dry-run 一起用。
--dry-run 只显示将要发出的邮件，不记录、不发送。`,
		Args:        exactArgs(0, "无"),
		Annotations: map[string]string{needs: needsMail},
		RunE:        func(c *cobra.Command, args []string) error { return runRemind(c, e, o) },
	}
	c.Flags().StringVar(&o.asOf, "as-of", "", "以 D 为今天（默认今天）")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "试运行：只显示，不记录、不发送")
	c.Flags().String("by", "", byUsage)
	return c
}

func runRemind(c *cobra.Command, e *env, o remindOptions) error {
	day, err := optionalDateArg("--as-of", o.asOf)
	if err != nil {
		return err
	}
	r, err := call(c, e, app.Service.RemindRun, app.RemindInput{Day: day, DryRun: o.dryRun})
	if r == nil {
		return err
	}
	w := e.stdout
	if !r.Workday {
		fmt.Fprintf(w, "%s（%s）不是工作日，不发提醒；到了的提醒在下一个工作日发出。\n", r.Day, calendar.WeekdayName(r.Day.Weekday()))
		return err
	}
	if o.dryRun {
		if len(r.Queued) == 0 {
			fmt.Fprintf(w, "%s 没有要发的提醒。（--dry-run：未记录、未发送）\n", r.Day)
			return err
		}
		for _, m := range r.Queued {
			fmt.Fprintf(w, "收件人：%s\n主题：%s\n\n%s\n", m.To[0], m.Subject, m.Text)
		}
		fmt.Fprintf(w, "共 %d 封。（--dry-run：未记录、未发送）\n", len(r.Queued))
		return err
	}
	fmt.Fprintf(w, "%s：排入发件箱 %d 封提醒。\n", r.Day, len(r.Queued))
	e.printDelivery(r.Delivery)
	return err
}
