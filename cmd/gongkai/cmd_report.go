package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

type reportOptions struct {
	asOf, format, out string
	send              bool
}

func newReportCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "report", Short: "报告：每周逾期报告"}
	var o reportOptions
	weekly := &cobra.Command{
		Use:   "weekly [--as-of D] [--format text|html|xlsx|csv] [--out FILE] [--send]",
		Short: "每周逾期报告：已逾期、即将到期、上周公开和按时公开率",
		Long: `生成每周逾期报告：已逾期的事项（逾期最久的在前）、5 个工作日内到期的事项、上周（周一至
周日）完成的公开（按时或逾期）、各一级事项和总体的按时公开率（期限在上周、未免于公开的
事项中按时公开的比例），以及审计日志的链头。--send 发给领导和专员（HTML 正文附纯文本，
并附 .xlsx）；没有逾期事项也照常发送。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error { return runReport(c, e, o) },
	}
	weekly.Flags().StringVar(&o.asOf, "as-of", "", "以 D 为报告日（默认今天）")
	weekly.Flags().StringVar(&o.format, "format", "text", "输出格式：text、html、xlsx 或 csv")
	weekly.Flags().StringVar(&o.out, "out", "", "写入文件（xlsx 必须指定）")
	weekly.Flags().BoolVar(&o.send, "send", false, "发给 recipients.supervisors 和 recipients.officers")
	weekly.Flags().String("by", "", byUsage)
	c.AddCommand(weekly)
	return c
}

func runReport(c *cobra.Command, e *env, o reportOptions) error {
	if err := parseFormat(o.format, notify.WeeklyFormats...); err != nil {
		return err
	}
	if o.format == "xlsx" && o.out == "" && !o.send {
		return inputErrorf("--format xlsx 须用 --out 文件名 指定输出文件")
	}
	day, err := optionalDateArg("--as-of", o.asOf)
	if err != nil {
		return err
	}
	var r *tracker.WeeklyReport
	if o.send {
		sent, err := call(c, e, app.Service.SendWeeklyReport, app.ReportInput{Day: day})
		if sent == nil {
			return err
		}
		r = sent.Report
		fmt.Fprintf(e.stdout, "%s 的周报：排入发件箱 %d 封。\n", r.Day, sent.Queued)
		e.printDelivery(sent.Delivery)
		if err != nil || o.out == "" {
			return err
		}
	} else if r, err = call(c, e, app.Service.WeeklyReport, app.ReportInput{Day: day}); err != nil {
		return err
	}
	data, err := notify.WeeklyAs(r, o.format)
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, data, 0o640); err != nil {
			return fmt.Errorf("写入 %s：%w", o.out, err)
		}
		fmt.Fprintf(e.stdout, "已写入 %s。\n", o.out)
		return nil
	}
	_, err = e.stdout.Write(data)
	return err
}
