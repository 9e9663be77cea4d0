package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker/app"
)

func newAuditCmd(e *env) *cobra.Command {
	var from, to string
	c := &cobra.Command{
		Use:   "audit [--from D] [--to D]",
		Short: "列出审计日志（每项改动的时间、操作人和内容）",
		Long: `列出审计日志。每项改动（初始化、登记、公开、免于公开、更正、撤回、重新打开、
目录和日历导入、期限重算）都在同一事务中追加一条记录，每条记录以哈希与上一条相连。
--from/--to 按操作日期（北京时间）筛选。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			var q app.AuditQuery
			var err error
			if q.From, err = optionalDateArg("--from", from); err != nil {
				return err
			}
			if q.To, err = optionalDateArg("--to", to); err != nil {
				return err
			}
			svc, err := e.service()
			if err != nil {
				return err
			}
			list, err := svc.Audit(e.ctx(c.Context(), ""), q)
			if err != nil {
				return err
			}
			if len(list.Entries) == 0 {
				fmt.Fprintln(e.stdout, "没有符合条件的审计记录。")
				return nil
			}
			t := newTable(e.stdout, "序号", "时间", "操作人", "操作", "对象", "内容")
			for _, a := range list.Entries {
				t.Append([]string{fmt.Sprint(a.Seq), a.At.In(calendar.Shanghai).Format("2006-01-02 15:04:05"), a.Actor, a.ActionName, a.SubjectName, a.Text})
			}
			return t.Render()
		},
	}
	c.Flags().StringVar(&from, "from", "", "不早于该日")
	c.Flags().StringVar(&to, "to", "", "不晚于该日")
	c.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "核验审计日志的哈希链",
		Long: `逐条核验审计日志：发现被改动、删除或调换顺序的记录即指出是哪一条（退出状态 1）。
最后打印链头（记录条数和末条哈希）：请另行保存，日后若日志末尾被截去，与之对照即可发现。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			v, err := svc.VerifyAudit(e.ctx(c.Context(), ""))
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "审计日志完好：%s\n", v.Head)
			return nil
		},
	})
	return c
}

func newBackupCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "把数据库完整一致地复制到 FILE",
		Long:  `在一个只读事务中把数据库复制到 FILE（不覆盖已有文件），运行中的 gongkai serve 不受影响。可用 gongkai check --db FILE 检查备份。`,
		Args:  exactArgs(1, "备份文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			if err := svc.Backup(e.ctx(c.Context(), ""), args[0]); err != nil {
				return err
			}
			abs, _ := filepath.Abs(args[0])
			fmt.Fprintf(e.stdout, "已备份到 %s。\n", abs)
			return nil
		},
	}
}

func newCheckCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "check [--db FILE]",
		Short: "检查数据库或备份：文件结构、数据格式版本、审计链",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			r, err := svc.Check(e.ctx(c.Context(), ""))
			if r != nil {
				for _, p := range r.FileProblems {
					fmt.Fprintf(e.stderr, "gongkai: 损坏：%s\n", p)
				}
			}
			if r == nil || len(r.FileProblems) > 0 {
				return err
			}
			w := e.stdout
			fmt.Fprintf(w, "文件结构和记录：完好（%s）\n", r.Path)
			if r.SchemaVersion == 0 {
				return err
			}
			upgrade := ""
			if r.Outdated {
				upgrade = "；下次使用时自动升级"
			}
			fmt.Fprintf(w, "数据格式：第 %d 版（本程序读写第 %d 版%s）\n", r.SchemaVersion, r.Current, upgrade)
			if err != nil {
				return err
			}
			if r.Catalog != nil {
				fmt.Fprintf(w, "公开目录：《%s》第 %s 版，%d 个事项\n", r.Catalog.Name, r.Catalog.Version, r.Catalog.Matters)
			}
			fmt.Fprintf(w, "事件：%d 个，其中待公开 %d 个\n", r.Events, r.Open)
			fmt.Fprintf(w, "审计日志：完好，%s\n", r.Audit)
			return nil
		},
	}
}
