package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/notify"
	"gongkai/tracker"
)

type remindOptions struct {
	asOf   string
	dryRun bool
	by     string
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
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error { return runRemind(c.Context(), e, o) },
	}
	c.Flags().StringVar(&o.asOf, "as-of", "", "以 D 为今天（默认今天）")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "只显示，不记录、不发送")
	c.Flags().StringVar(&o.by, "by", "", "操作人（默认为系统用户名）")
	return c
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

func runRemind(ctx context.Context, e *env, o remindOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	today, err := e.today()
	if err != nil {
		return err
	}
	day := today
	if o.asOf != "" {
		if day, err = parseDateArg("--as-of", o.asOf); err != nil {
			return err
		}
		if day.After(today) && !o.dryRun {
			return inputErrorf("--as-of %s 在今天（%s）之后：未来的日子只能与 --dry-run 一起用", day, today)
		}
	}
	if !o.dryRun {
		// A mail server that cannot be used is said before anything is
		// recorded.
		if _, _, err := e.transport(); err != nil {
			return err
		}
	}
	queued, workday, err := e.remindRun(day, o.by, o.dryRun)
	if err != nil {
		return err
	}
	w := e.stdout
	if !workday {
		fmt.Fprintf(w, "%s（%s）不是工作日，不发提醒；到了的提醒在下一个工作日发出。\n", day, calendar.WeekdayName(day.Weekday()))
		return nil
	}
	if o.dryRun {
		if len(queued) == 0 {
			fmt.Fprintf(w, "%s 没有要发的提醒。（--dry-run：未记录、未发送）\n", day)
			return nil
		}
		for _, m := range queued {
			fmt.Fprintf(w, "收件人：%s\n主题：%s\n\n%s\n", m.To[0], m.Subject, m.Text)
		}
		fmt.Fprintf(w, "共 %d 封。（--dry-run：未记录、未发送）\n", len(queued))
		return nil
	}
	fmt.Fprintf(w, "%s：排入发件箱 %d 封提醒。\n", day, len(queued))
	return e.flush(ctx)
}

// remindRun is one reminder run on day: plan, queue, record, in one
// transaction (rolled back for a dry run). It does nothing on a day off.
func (e *env) remindRun(day calendar.Date, by string, dryRun bool) (queued []*tracker.Message, workday bool, err error) {
	cfg := e.config()
	req := tracker.RemindRequest{
		Rules: tracker.ReminderRules{Before: cfg.Reminders.Before, OnDueDay: cfg.Reminders.OnDueDay,
			OverdueEvery: cfg.Reminders.OverdueEvery, EscalateAfter: cfg.Reminders.EscalateAfter},
		Officers:    cfg.Recipients.Officers,
		Supervisors: cfg.Recipients.Supervisors,
		Render:      notify.Renderer{},
	}
	for _, ow := range cfg.Recipients.Owners {
		req.Owners = append(req.Owners, tracker.Owner{Level1: ow.Level1, Emails: ow.Emails})
	}
	err = e.write(by, func(ops *tracker.Ops, cal *calendar.Calendar) error {
		var err error
		if workday, err = cal.IsWorkday(day); err != nil || !workday {
			return err
		}
		if day.Month() >= time.November {
			if y, err := cal.Year(day.Year() + 1); err == nil && !y.Official {
				req.NextYear = y.Year
			}
		}
		ops.Clock.Today = day
		queued, err = ops.RemindRun(req)
		if err == nil && dryRun {
			return errDryRun
		}
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return queued, workday, err
}
