package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
	"gongkai/tracker/atomic"
)

type reportOptions struct {
	asOf, format, out string
	send, force       bool
}

func newReportCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "report", Short: "报告：每周逾期报告"}
	var o reportOptions
	weekly := &cobra.Command{
		Use:   "weekly [--as-of D] [--format text|html|xlsx|csv] [--out FILE [--force]] [--send]",
		Short: "每周逾期报告：已逾期、即将到期、上周公开和按时公开率",
		Long: `生成每周逾期报告：已逾期的事项（逾期最久的在前）、5 个工作日内到期的事项、上周（周一至
周日）完成的公开（按时或逾期）、各一级事项和总体的按时公开率（期限在上周、未免于公开的
事项中按时公开的比例），以及审计日志的链头。--send 发给领导和专员（HTML 正文附纯文本，
并附 .xlsx）；没有逾期事项也照常发送。--out 不覆盖已有的文件，除非加 --force；文件写完整后
才换上，写入失败时原文件不变。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error { return runReport(c, e, o) },
	}
	weekly.Flags().StringVar(&o.asOf, "as-of", "", "以 D 为报告日（默认今天）")
	weekly.Flags().StringVar(&o.format, "format", "text", "输出格式：text、html、xlsx 或 csv")
	weekly.Flags().StringVar(&o.out, "out", "", "写入文件（xlsx 必须指定；不覆盖已有文件）")
	weekly.Flags().BoolVar(&o.force, "force", false, "与 --out 一起用：覆盖已有的文件")
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
	// Before anything is sent: a refused --out writes nothing at all.
	if err := outFree(o.out, o.force); err != nil {
		return err
	}
	var r *tracker.WeeklyReport
	if o.send {
		if err := e.config().MailErr(); err != nil {
			return err
		}
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
		if err := writeOut(o.out, data, o.force); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已写入 %s。\n", o.out)
		return nil
	}
	_, err = e.stdout.Write(data)
	return err
}

// outFree refuses an --out file that exists, unless force (a report once
// replaced a config file), and one whose folder does not exist: bad input,
// found before anything is done. "" (no --out) is free.
func outFree(path string, force bool) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		return inputErrorf("--out %q 是一个文件夹：请给出文件名，如 %s", path, filepath.Join(path, "周报.xlsx"))
	} else if err == nil && !force {
		return inputErrorf("--out 文件 %q 已存在：换一个文件名，或加 --force 覆盖", path)
	}
	if dir := filepath.Dir(path); !isDir(dir) {
		return inputErrorf("--out 文件 %q 所在的文件夹 %s 不存在", path, dir)
	}
	return nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// writeOut writes data to the --out file path whole or not at all
// (atomic.Write): path never holds a partial file, and a failure leaves it
// as it was. A file that exists is refused unless force (outFree), even
// one that appears while the report is written; replaced, it keeps its
// mode, and a new file is 0640.
func writeOut(path string, data []byte, force bool) error {
	if err := outFree(path, force); err != nil {
		return err
	}
	mode := os.FileMode(0o640)
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	err := atomic.WriteFile(path, data, mode, force)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, atomic.ErrExist):
		return inputErrorf("--out 文件 %q 在写入期间被其他程序创建，未覆盖它：换一个文件名，或加 --force 覆盖", path)
	}
	return &tracker.Error{Code: tracker.EUnavailable, Field: tracker.FieldFile, Err: err,
		Message: fmt.Sprintf("无法写入 %s：%s", path, tracker.OSProblem(err))}
}
