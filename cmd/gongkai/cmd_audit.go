package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"gongkai/tracker/app"
)

func newAuditCmd(e *env) *cobra.Command {
	var from, to, event, actor, action string
	c := &cobra.Command{
		Use:   "audit [--from D] [--to D] [--event EVENT] [--actor 姓名] [--action 操作]",
		Short: "列出审计日志（每项改动的时间、操作人和内容）",
		Long: `列出审计日志。每项改动（初始化、登记、公开、免于公开、更正、撤回、重新打开、作废、
恢复、目录和日历导入、期限重算、提醒、周报、重发邮件）都在同一事务中追加一条记录，
每条记录以哈希与上一条相连。操作时间与写入时的机器时间相差超过 1 分钟的记录（设了
GONGKAI_NOW）标为“模拟时间”，并列出实际时间。

  --from/--to D   按操作日期（北京时间）筛选
  --event EVENT   只列关于这个事件的
  --actor 姓名    只列此人操作的
  --action 操作   只列这种操作（中文名称或英文代码，如 作废 或 cancelled）`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			q := app.AuditQuery{Actor: actor, Action: action}
			var err error
			if event != "" {
				if q.Event, err = parseEventID(event); err != nil {
					return err
				}
			}
			if q.From, err = optionalDateArg("--from", from); err != nil {
				return err
			}
			if q.To, err = optionalDateArg("--to", to); err != nil {
				return err
			}
			list, err := call(c, e, app.Service.Audit, q)
			if err != nil {
				return err
			}
			if len(list.Entries) == 0 {
				fmt.Fprintln(e.stdout, "没有符合条件的审计记录。")
				return nil
			}
			return printAuditTable(e.stdout, e.width(), list.Entries, true)
		},
	}
	c.Flags().StringVar(&from, "from", "", "不早于该日")
	c.Flags().StringVar(&to, "to", "", "不晚于该日")
	c.Flags().StringVar(&event, "event", "", "只列关于这个事件的")
	c.Flags().StringVar(&actor, "actor", "", "只列此人操作的")
	c.Flags().StringVar(&action, "action", "", "只列这种操作")
	c.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "核验审计日志的哈希链",
		Long: `逐条核验审计日志：发现被改动、删除或调换顺序的记录即指出是哪一条（退出状态 1）。
再核对每个事件：事件的现存内容须与审计日志中最后一条相关记录所记的哈希相符，
审计日志记过的事件须都在，数据库中的事件须都有记录；在 gongkai 之外改动、调换、
添加或删除的事件逐一指出（退出状态 1）。写于记录事件哈希之前、尚无基线的事件列为
“未绑定”，无从核对，但不算损坏。
然后打印链头（记录条数和末条哈希）：请另行保存，日后若日志末尾被截去，与之对照即可发现。
最后清点并列出写于模拟时间（GONGKAI_NOW）的记录。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			v, err := svc.VerifyAudit(e.ctx(c))
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "审计日志完好：%s\n", v.Head)
			fmt.Fprintf(e.stdout, "事件内容：%s\n", v.Sound())
			if len(v.Simulated) == 0 {
				fmt.Fprintln(e.stdout, "模拟时间：没有记录写于模拟时间。")
				return nil
			}
			fmt.Fprintf(e.stdout, "模拟时间：%d 条记录的操作时间与写入时的机器时间相差超过 1 分钟（如写入时设了 GONGKAI_NOW）：\n", v.SimulatedCount)
			// A replayed database may be simulated throughout: the table
			// shows the first ones, the audit list marks them all.
			if err := printAuditTable(e.stdout, e.width(), v.Simulated, false); err != nil {
				return err
			}
			if n := v.SimulatedCount - len(v.Simulated); n > 0 {
				fmt.Fprintf(e.stdout, "……另有 %d 条，gongkai audit 中都标为“模拟时间”。\n", n)
			}
			return nil
		},
	})
	return c
}

// printAuditTable prints audit entries, with their content when asked;
// an entry written under a simulated time is marked, with the machine's
// time in a column of its own.
func printAuditTable(w io.Writer, width int, entries []app.AuditView, content bool) error {
	var rows [][]string
	for _, a := range entries {
		at, real := timeCells(a.At, a.Clock, "2006-01-02 15:04:05")
		row := []string{strconv.FormatUint(a.Seq, 10), at, real, a.Actor, a.ActionName, a.SubjectName}
		if content {
			row = append(row, a.Text)
		}
		rows = append(rows, row)
	}
	cols := []col{{header: "序号"}, {header: "时间"}, {header: "实际时间", drop: 2}, {header: "操作人", cut: true, min: 8, want: 12},
		{header: "操作"}, {header: "对象", drop: 1, cut: true, min: 8}}
	if content {
		cols = append(cols, col{header: "内容", cut: true, min: 14, want: 40})
	}
	return renderClocked(w, width, cols, rows, 2)
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
			if err := svc.Backup(e.ctx(c), args[0]); err != nil {
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
		Short: "检查数据库或备份：文件结构、数据格式版本、审计链、事件与审计日志是否相符",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			r, err := svc.Check(e.ctx(c))
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
			fmt.Fprintf(w, "事件内容：%s\n", r.Sound())
			return nil
		},
	}
}
