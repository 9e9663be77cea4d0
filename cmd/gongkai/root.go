package main

import (
	"github.com/spf13/cobra"

	"gongkai/calendar"
)

// run executes one command line and returns its exit status.
func run(args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.Execute()
	return report(e.stderr, err)
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "gongkai",
		Short: "政务公开时限提醒：按中国大陆法定工作日计算公开期限",
		Long: `gongkai 按《政府信息公开条例》第二十六条，从信息形成或变更之日起
计算 20 个工作日的公开期限（工作日按国务院办公厅放假安排通知，含调休上班）。

数据库：--db，否则环境变量 GONGKAI_DB，否则当前目录下的 gongkai.db。
当前时间：环境变量 GONGKAI_NOW（RFC 3339 时间或 YYYY-MM-DD）可代替系统时钟。

` + exitHelp,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return inputErrorf("%s（运行 %s --help 查看用法）", err, c.CommandPath())
	})
	root.PersistentFlags().StringVar(&e.dbFlag, "db", "", "数据库文件路径（默认 $GONGKAI_DB 或 ./gongkai.db）")
	root.AddCommand(newCalendarCmd(e))
	return root
}

// exactArgs is cobra.ExactArgs with a message for people.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return inputErrorf("%s 需要 %d 个参数（%s），实际给了 %d 个", c.CommandPath(), n, what, len(args))
		}
		return nil
	}
}

// parseFormat checks a --format value against the allowed ones.
func parseFormat(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return inputErrorf("参数 --format 的值 %q 无效：可选 %v", v, allowed)
}

// parseDateArg parses a date given as the argument or flag named field.
func parseDateArg(field, v string) (calendar.Date, error) {
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, inputErrorf("%s：%s", field, err)
	}
	return d, nil
}
