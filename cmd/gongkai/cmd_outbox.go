package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker/app"
)

func newOutboxCmd(e *env) *cobra.Command {
	var flush, now bool
	var retry uint64
	var to []string
	c := &cobra.Command{
		Use:   "outbox [--flush [--now]] [--retry ID [--to 地址]]",
		Short: "发件箱：查看待发、失败和已发的邮件，发出待发的，重发失败的",
		Long: `列出发件箱中的邮件。--flush 发出待发的邮件（重试时间已到的），加 --now 连同
等待重试的一起立即发出（改正了密码或服务器恢复之后）；--retry ID 把一封投递失败的
邮件重新排入待发并发出，--to 地址 改发到更正后的地址（同时请改正配置文件）。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			if now && !flush {
				return inputErrorf("--now 只能与 --flush 一起用")
			}
			if c.Flags().Changed("to") {
				switch {
				case retry == 0:
					return inputErrorf("--to 只能与 --retry 一起用")
				case len(splitList(to)) == 0:
					return inputErrorf("收件地址 --to 不能为空")
				}
			}
			svc, err := e.service()
			if err != nil {
				return err
			}
			ctx := e.ctx(c)
			var d *app.Delivery
			switch {
			case retry != 0:
				d, err = svc.RetryMessage(ctx, app.RetryInput{ID: retry, To: splitList(to)})
				if d != nil || err == nil {
					fmt.Fprintf(e.stdout, "邮件 %d 已重新排入待发。\n", retry)
				}
			case flush:
				d, err = svc.FlushOutbox(ctx, app.FlushInput{Now: now})
			}
			e.printDelivery(d)
			if err != nil {
				return err
			}
			list, err := svc.Outbox(ctx)
			if err != nil {
				return err
			}
			if len(list.Messages) == 0 {
				fmt.Fprintln(e.stdout, "发件箱是空的。")
				return nil
			}
			var rows [][]string
			for _, m := range list.Messages {
				rows = append(rows, []string{fmt.Sprint(m.ID), m.StateText(), strings.Join(m.To, "、"), m.Subject,
					fmt.Sprint(m.Attempts), m.LastTime().In(calendar.Shanghai).Format("2006-01-02 15:04"), m.LastError})
			}
			return printTable(e.stdout, e.width(), []col{{header: "编号"}, {header: "状态", cut: true, min: 6, want: 12},
				{header: "收件人", cut: true, min: 12, want: 24}, {header: "主题", cut: true, min: 12, want: 36}, {header: "尝试", drop: 1},
				{header: "时间", drop: 2}, {header: "最后错误", drop: 3, cut: true, min: 12, want: 30}}, rows)
		},
	}
	c.Flags().BoolVar(&flush, "flush", false, "发出待发的邮件")
	c.Flags().BoolVar(&now, "now", false, "与 --flush 一起用：等待重试的也立即发出")
	c.Flags().Uint64Var(&retry, "retry", 0, "重新发送投递失败的邮件 ID")
	c.Flags().StringSliceVar(&to, "to", nil, "与 --retry 一起用：改发到这个（更正后的）地址")
	c.Flags().String("by", "", byUsage)
	return c
}
