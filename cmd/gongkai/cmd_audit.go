package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/boltstore"
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
			var lo, hi calendar.Date
			var err error
			if from != "" {
				if lo, err = parseDateArg("--from", from); err != nil {
					return err
				}
			}
			if to != "" {
				if hi, err = parseDateArg("--to", to); err != nil {
					return err
				}
			}
			return e.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
				t := newTable(e.stdout, "序号", "时间", "操作人", "操作", "对象", "内容")
				n := 0
				err := tx.AuditEntries(func(_ uint64, a *tracker.AuditEntry) error {
					day := calendar.Today(a.At)
					if (!lo.IsZero() && day.Before(lo)) || (!hi.IsZero() && day.After(hi)) {
						return nil
					}
					n++
					t.Append([]string{fmt.Sprint(a.Seq), a.At.In(calendar.Shanghai).Format("2006-01-02 15:04:05"), a.Actor, auditAction(a.Action), auditSubject(a.Subject), auditText(a.Content)})
					return nil
				})
				if err != nil {
					return err
				}
				if n == 0 {
					fmt.Fprintln(e.stdout, "没有符合条件的审计记录。")
					return nil
				}
				return t.Render()
			})
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
			return e.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
				head, err := verifyAudit(tx)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "审计日志完好：%s\n", head)
				return nil
			})
		},
	})
	return c
}

// verifyAudit checks the chain and returns its head.
func verifyAudit(tx tracker.Tx) (tracker.AuditHead, error) {
	var chk tracker.AuditChecker
	err := tx.AuditEntries(func(key uint64, a *tracker.AuditEntry) error {
		if p := chk.Next(key, a); p != nil {
			return p
		}
		return nil
	})
	return chk.Head(), err
}

func newBackupCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "把数据库完整一致地复制到 FILE",
		Long:  `在一个只读事务中把数据库复制到 FILE（不覆盖已有文件），运行中的 gongkai serve 不受影响。可用 gongkai check --db FILE 检查备份。`,
		Args:  exactArgs(1, "备份文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			dst := args[0]
			if _, err := os.Stat(dst); err == nil {
				return inputErrorf("备份文件 FILE %q 已存在：请换一个文件名，或先移走旧文件", dst)
			}
			s, err := e.openExisting()
			if err != nil {
				return err
			}
			defer s.Close()
			if fi, err := os.Stat(filepath.Dir(dst)); err != nil || !fi.IsDir() {
				return inputErrorf("备份文件 FILE %q 所在的文件夹不存在", dst)
			}
			tmp := dst + ".part"
			err = s.DB().View(func(tx *bolt.Tx) error { return tx.CopyFile(tmp, 0o600) })
			if err == nil {
				err = os.Rename(tmp, dst)
			}
			if err != nil {
				os.Remove(tmp)
				return fmt.Errorf("备份到 %s：%w", dst, err)
			}
			abs, _ := filepath.Abs(dst)
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
			path := e.dbPath()
			s, err := e.openExisting()
			if err != nil {
				return err
			}
			defer s.Close()
			var problems []error
			s.DB().View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					problems = append(problems, err)
				}
				return nil
			})
			if len(problems) > 0 {
				for _, p := range problems {
					fmt.Fprintf(e.stderr, "gongkai: 文件结构错误：%v\n", p)
				}
				return fmt.Errorf("数据库 %s 的文件结构有 %d 处错误，请从备份恢复", path, len(problems))
			}
			w := e.stdout
			fmt.Fprintf(w, "文件结构：完好（%s）\n", path)
			v, err := s.SchemaVersion()
			if err != nil {
				return err
			}
			if v == 0 {
				return fmt.Errorf("数据库 %s 没有数据格式版本（meta 桶），不是完整的 gongkai 数据库", path)
			}
			fmt.Fprintf(w, "数据格式：第 %d 版（本程序读写第 %d 版）\n", v, boltstore.SchemaVersion)
			return s.View(func(tx tracker.Tx) error {
				cat, err := tx.Catalog()
				if err != nil {
					return err
				}
				if cat != nil {
					fmt.Fprintf(w, "公开目录：《%s》第 %s 版，%d 个事项\n", cat.Name, cat.Version, len(cat.Matters))
				}
				events, open := 0, 0
				if err := tx.Events(func(ev *tracker.Event) error {
					events++
					if ev.State == tracker.Open {
						open++
					}
					return nil
				}); err != nil {
					return err
				}
				fmt.Fprintf(w, "事件：%d 个，其中待公开 %d 个\n", events, open)
				head, err := verifyAudit(tx)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "审计日志：完好，%s\n", head)
				return nil
			})
		},
	}
}

// auditAction names an audited action in Chinese.
func auditAction(a string) string {
	switch a {
	case "init":
		return "初始化"
	case "catalog_import":
		return "导入目录"
	case "calendar_import":
		return "导入放假安排"
	case "remind":
		return "提醒"
	case "requeue":
		return "重发邮件"
	case "report":
		return "周报"
	}
	if n := tracker.ActionName(a); n != "" {
		return n
	}
	return a
}

// auditSubject names what an entry is about in Chinese.
func auditSubject(s string) string {
	var n int
	switch {
	case s == "catalog":
		return "公开目录"
	case s == "outbox":
		return "发件箱"
	case scanf(s, "message %d", &n):
		return fmt.Sprintf("邮件 %d", n)
	case scanf(s, "event %d", &n):
		return fmt.Sprintf("事件 %d", n)
	case scanf(s, "calendar %d", &n):
		return fmt.Sprintf("%d 年日历", n)
	}
	return s
}

func scanf(s, format string, n *int) bool {
	_, err := fmt.Sscanf(s, format, n)
	return err == nil
}

// auditText shows an entry's content for people: an event change's detail
// and reason, else the JSON itself.
func auditText(content json.RawMessage) string {
	var c struct {
		Detail string `json:"detail"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(content, &c) != nil || c.Detail == "" {
		return string(content)
	}
	if c.Reason != "" {
		return c.Detail + "（原因：" + c.Reason + "）"
	}
	return c.Detail
}
