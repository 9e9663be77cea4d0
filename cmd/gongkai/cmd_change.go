package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// runChange runs one change of an event (op, an app.Service method) and
// prints the event after it.
func runChange[In any](c *cobra.Command, e *env, done string, op func(app.Service, context.Context, In) (*app.EventDetail, error), in In) error {
	d, err := call(c, e, op, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, done)
	printEvent(e.stdout, d)
	return nil
}

func newDiscloseCmd(e *env) *cobra.Command {
	var (
		channels        []string
		all             bool
		date, url, note string
	)
	c := eventCmd(&cobra.Command{
		Use:   "disclose EVENT (--channel CH ... | --all)",
		Short: "登记已在某些渠道公开",
		Long: `登记事件 EVENT 的信息已在某些渠道公开。CH 为 web（政府网站）、center（政务服务中心）、
grassroots（基层公共服务平台），也可写中文名；--all 表示事项要求的全部待公开渠道。
事项要求的各渠道都登记公开后，事件关闭：最后一次公开不晚于期限为“按时公开”（done），
否则为“逾期公开”（done_late）。公开日期默认为今天，不能早于信息形成或变更之日，
也不能晚于今天。`,
		Example: `  gongkai disclose 12 --all --url https://www.zgq.gov.cn/xxgk/12345
  gongkai disclose 12 --channel web --date 2026-11-20 --url https://www.zgq.gov.cn/xxgk/12345`,
	}, func(c *cobra.Command, id uint64) error {
		if all == (len(channels) > 0) {
			return inputErrorf("请用 --channel 指明公开渠道，或用 --all 表示全部待公开渠道（二者选一）")
		}
		var chs []tracker.Channel
		for _, s := range splitList(channels) {
			ch, err := tracker.ParseChannel(s)
			if err != nil {
				return err
			}
			chs = append(chs, ch)
		}
		d, err := optionalDateArg("--date", date)
		if err != nil {
			return err
		}
		return runChange(c, e, "已登记公开。", app.Service.Disclose, app.DiscloseInput{Event: id, Channels: chs, All: all, Date: d, URL: url, Note: note})
	})
	c.Flags().StringSliceVar(&channels, "channel", nil, "公开渠道（可重复，或用逗号分隔）")
	c.Flags().BoolVar(&all, "all", false, "事项要求的全部待公开渠道")
	c.Flags().StringVar(&date, "date", "", "公开日期 YYYY-MM-DD（默认今天）")
	c.Flags().StringVar(&url, "url", "", "公开页面的网址")
	c.Flags().StringVar(&note, "note", "", "备注，如公示栏位置")
	c.Flags().String("by", "", "登记人（默认为系统用户名）")
	return c
}

func newWaiveCmd(e *env) *cobra.Command {
	var reason string
	c := eventCmd(&cobra.Command{
		Use:     "waive EVENT --reason TEXT",
		Short:   "免于公开：不公开而关闭事件，须说明理由",
		Long:    `关闭事件而不公开，例如依法不予公开的信息；--reason 写明理由及法律依据。`,
		Example: `  gongkai waive 12 --reason "涉及个人隐私，依《政府信息公开条例》第十五条不予公开"`,
	}, func(c *cobra.Command, id uint64) error {
		return runChange(c, e, "已免于公开。", app.Service.Waive, app.WaiveInput{Event: id, Reason: reason})
	})
	c.Flags().StringVar(&reason, "reason", "", "理由及法律依据（必填）")
	c.Flags().String("by", "", byUsage)
	return c
}

func newRetractCmd(e *env) *cobra.Command {
	var reason, channel string
	c := eventCmd(&cobra.Command{
		Use:   "retract EVENT --channel CH --reason TEXT",
		Short: "撤回误登的公开记录",
		Long:  `撤回事件在某渠道上误登的公开记录（记录保留在历史中，不再计入）；若事件因此不再齐全，重新变为待公开。`,
	}, func(c *cobra.Command, id uint64) error {
		if channel == "" {
			return inputErrorf("请用 --channel 指明要撤回哪个渠道的公开记录")
		}
		ch, err := tracker.ParseChannel(channel)
		if err != nil {
			return err
		}
		return runChange(c, e, "已撤回公开记录。", app.Service.Retract, app.RetractInput{Event: id, Channel: ch, Reason: reason})
	})
	c.Flags().StringVar(&channel, "channel", "", "渠道（必填）")
	c.Flags().StringVar(&reason, "reason", "", "原因（必填）")
	c.Flags().String("by", "", byUsage)
	return c
}

func newReopenCmd(e *env) *cobra.Command {
	return reasonCmd(e, &cobra.Command{
		Use:   "reopen EVENT --reason TEXT",
		Short: "重新打开已关闭（已公开或免于公开）的事件",
		Long:  `重新打开已公开或免于公开的事件。已公开的事件重新打开后，原公开记录作废（保留在历史中），须在各渠道重新公开；期限不变。`,
	}, "原因（必填）", "已重新打开。", app.Service.Reopen)
}

func newCancelCmd(e *env) *cobra.Command {
	return reasonCmd(e, &cobra.Command{
		Use:   "cancel EVENT --reason TEXT",
		Short: "作废误登的事件（重复登记、登错单位等），可恢复",
		Long: `作废误登的事件：重复登记的、属于其他单位的。作废的事件不再出现在事件列表、提醒、
周报和按时公开率中（gongkai events --status cancelled 可列出），gongkai show 和审计日志中
仍然可见，可用 gongkai restore 恢复。不予公开的事项请用 gongkai waive（免于公开），不要作废。`,
	}, "原因（必填），如“与事件 12 重复”", "已作废。", app.Service.Cancel)
}

func newRestoreCmd(e *env) *cobra.Command {
	return reasonCmd(e, &cobra.Command{
		Use:   "restore EVENT --reason TEXT",
		Short: "恢复误作废的事件",
		Long:  `恢复作废的事件：回到作废前的状态（待公开、已公开或免于公开），期限不变。`,
	}, "原因（必填）", "已恢复。", app.Service.Restore)
}

// reasonCmd is a command that changes one event for a reason, and nothing
// else: c's EVENT and --reason (described by reasonUsage) go to op, and
// done is said before the event as it now is.
func reasonCmd(e *env, c *cobra.Command, reasonUsage, done string, op func(app.Service, context.Context, app.ReasonInput) (*app.EventDetail, error)) *cobra.Command {
	var reason string
	c = eventCmd(c, func(c *cobra.Command, id uint64) error {
		return runChange(c, e, done, op, app.ReasonInput{Event: id, Reason: reason})
	})
	c.Flags().StringVar(&reason, "reason", "", reasonUsage)
	c.Flags().String("by", "", byUsage)
	return c
}

func newAmendCmd(e *env) *cobra.Command {
	var date, matter, summary, ref, reason string
	c := eventCmd(&cobra.Command{
		Use:   "amend EVENT [--date D] [--matter M] [--summary TEXT] [--ref 文号] --reason TEXT",
		Short: "更正登记错误（已关闭的事件也可更正）",
		Long: `更正事件的日期、事项、摘要或文号；期限和状态随之重算。旧值保留在历史中。
--ref "" 删去误登的文号。`,
	}, func(c *cobra.Command, id uint64) error {
		a := app.AmendInput{Event: id, Matter: matter, Reason: reason}
		if c.Flags().Changed("date") {
			d, err := parseDateArg("--date", date)
			if err != nil {
				return err
			}
			a.Date = &d
		}
		if c.Flags().Changed("summary") {
			a.Summary = &summary
		}
		if c.Flags().Changed("ref") {
			a.Ref = &ref
		}
		return runChange(c, e, "已更正。", app.Service.Amend, a)
	})
	c.Flags().StringVar(&date, "date", "", "正确的形成或变更日期")
	c.Flags().StringVar(&matter, "matter", "", "正确的事项（序号或名称）")
	c.Flags().StringVar(&summary, "summary", "", "正确的摘要")
	c.Flags().StringVar(&ref, "ref", "", "正确的文号（空值删去文号）")
	c.Flags().StringVar(&reason, "reason", "", "更正原因（必填）")
	c.Flags().String("by", "", byUsage)
	return c
}

// splitList splits values given as --channel a,b or "政府网站、政务服务中心".
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == '，' || r == ',' }) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
