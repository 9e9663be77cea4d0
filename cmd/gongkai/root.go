package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gongkai/calendar"
)

// run executes one command line and returns its exit status.
func run(args []string, e *env) int {
	out, errOut := newSafeWriter(e.stdout), newSafeWriter(e.stderr)
	defer out.Flush()
	defer errOut.Flush()
	e.stdout, e.stderr = out, errOut
	root := newRootCmd(e)
	root.SetArgs(args)
	c, err := root.ExecuteC()
	return report(e.stderr, err, c)
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "gongkai",
		Short: "政务公开时限提醒：按中国大陆法定工作日计算公开期限",
		Long: `gongkai 按《政府信息公开条例》第二十六条，从信息形成或变更之日起
计算 20 个工作日的公开期限（工作日按国务院办公厅放假安排通知，含调休上班）。

数据库：--db，否则环境变量 GONGKAI_DB，否则配置文件的 database，否则当前目录下的 gongkai.db。
配置文件：--config，否则环境变量 GONGKAI_CONFIG，否则当前目录下的 gongkai.toml，否则内置默认值。
当前时间：环境变量 GONGKAI_NOW（RFC 3339 时间或 YYYY-MM-DD）可代替系统时钟（服务器须加 --fake-clock）。
服务器：--server，否则环境变量 GONGKAI_SERVER，否则上次 gongkai login 的服务器；
服务器所在的机器上，命令经数据库旁的套接字交给服务器。

` + exitHelp,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return inputErrorf("%s（运行 %s --help 查看用法）", flagErrorText(err), c.CommandPath())
	})
	root.PersistentFlags().StringVar(&e.dbFlag, "db", "", "数据库文件路径（默认 $GONGKAI_DB、配置文件的 database 或 ./gongkai.db）")
	root.PersistentFlags().StringVar(&e.configFlag, "config", "", "配置文件路径（默认 $GONGKAI_CONFIG 或 ./gongkai.toml）")
	root.PersistentFlags().BoolVar(&e.wide, "wide", false, "表格显示全部列、不截断（输出到管道或文件时总是如此）")
	root.PersistentFlags().StringVar(&e.serverFlag, "server", "", "服务器地址（默认 $GONGKAI_SERVER 或上次登录的服务器）")
	ascii := new(bool)
	if sw, ok := e.stdout.(*safeWriter); ok {
		ascii = &sw.ascii
	}
	root.PersistentFlags().BoolVar(ascii, "ascii", e.getenv("GONGKAI_ASCII") != "",
		"用 + - | 画表格（框线显示乱码时；或设 GONGKAI_ASCII）")
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := emptyOptions(c); err != nil {
			return err
		}
		cfg, err := e.loadConfig()
		if err != nil {
			return err
		}
		e.cfg = cfg
		// Against a server, the account is who acts: --by would let
		// anyone write anyone's name into the records.
		if f := c.Flags().Lookup("by"); f != nil && f.Changed && c.Name() != "serve" {
			t, err := e.target()
			if err != nil {
				return err
			}
			if t.kind != targetFile {
				return inputErrorf("--by 不能用于服务器（%s）：记录中的操作人就是登录的账号", t.server)
			}
		}
		if c.Annotations[needs] == needsMail {
			return cfg.MailErr()
		}
		return nil
	}
	root.AddCommand(
		newInitCmd(e),
		newMattersCmd(e),
		newLogCmd(e),
		newDiscloseCmd(e),
		newWaiveCmd(e),
		newAmendCmd(e),
		newRetractCmd(e),
		newReopenCmd(e),
		newCancelCmd(e),
		newRestoreCmd(e),
		newImportCmd(e),
		newEventsCmd(e),
		newShowCmd(e),
		newAuditCmd(e),
		newBackupCmd(e),
		newCheckCmd(e),
		newDumpCmd(e),
		newCatalogCmd(e),
		newCalendarCmd(e),
		newConfigCmd(e),
		newRemindCmd(e),
		newOutboxCmd(e),
		newReportCmd(e),
		newServeCmd(e),
		newUserCmd(e),
		newSectionCmd(e),
		newTokenCmd(e),
		newLoginCmd(e),
		newLogoutCmd(e),
		newWhoamiCmd(e),
		newVersionCmd(e),
		newCompletionCmd(e),
	)
	root.Version = strings.TrimSuffix(versionText(), "\n")
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "显示版本、提交和提交时间")
	localize(root)
	wrapHelp(root)
	return root
}

// A command annotated needs: mail sends mail, and refuses to run while the
// configuration's mail settings are broken; every other command runs.
const (
	needs     = "needs"
	needsMail = "mail"
)

func init() {
	cobra.AddTemplateFunc("zhUsage", zhUsage)
}

var (
	defaultRE = regexp.MustCompile(` ?\(default ([^\n]*)\)`)
	// valueRE finds the type pflag names an option's value by.
	valueRE = regexp.MustCompile(`(--([a-z][a-z-]*)) (string|strings|int|uint|uint64)( +)`)
)

// valueNames say in Chinese what an option's value is, by option and
// type, else by option, else by type.
var valueNames = map[string]string{
	"to strings": "地址", "to": "日期", "from": "日期", "as-of": "日期", "date": "日期",
	"by": "姓名", "config": "文件", "db": "文件", "out": "文件", "format": "格式",
	"matter": "事项", "channel": "渠道", "ref": "文号", "url": "网址", "bucket": "桶名",
	"retry": "编号", "days": "天数", "due-within": "天数", "event": "编号", "actor": "姓名",
	"action": "操作", "status": "状态", "level1": "名称", "logged-by": "姓名",
	"server": "地址", "user": "账号", "role strings": "角色", "display": "姓名", "email": "地址",
	"section strings": "股室", "level1 strings": "一级事项",
	"string": "文字", "strings": "文字", "int": "数", "uint": "编号", "uint64": "编号",
}

// zhUsage puts pflag's English words in usage text into Chinese: the
// value types of options ("--date string" reads "--date 日期", padded to
// keep the columns), "[flags]" and "(default …)".
func zhUsage(s string) string {
	s = strings.ReplaceAll(s, " [flags]", " [选项]")
	s = valueRE.ReplaceAllStringFunc(s, func(m string) string {
		g := valueRE.FindStringSubmatch(m)
		name := valueNames[g[2]+" "+g[3]]
		if name == "" {
			name = valueNames[g[2]]
		}
		if name == "" {
			name = valueNames[g[3]]
		}
		pad := len(g[3]) + len(g[4]) - runewidth.StringWidth(name)
		return g[1] + " " + name + strings.Repeat(" ", max(pad, 1))
	})
	return defaultRE.ReplaceAllString(s, "（默认 $1）")
}

// flagErrorText says pflag's errors in Chinese, naming the option and value.
func flagErrorText(err error) string {
	var (
		notExist *pflag.NotExistError
		needsArg *pflag.ValueRequiredError
		badValue *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
		numErr   *strconv.NumError
	)
	switch {
	case errors.As(err, &badValue):
		why := badValue.Unwrap().Error()
		if errors.As(err, &numErr) {
			why = "应为整数"
			if errors.Is(numErr.Err, strconv.ErrRange) {
				why = "超出整数范围"
			}
		}
		return fmt.Sprintf("选项 --%s 的值 %q 无效：%s", badValue.GetFlag().Name, badValue.GetValue(), why)
	case errors.As(err, &notExist):
		if short := notExist.GetSpecifiedShortnames(); short != "" {
			return "未知选项 -" + notExist.GetSpecifiedName()
		}
		return "未知选项 --" + notExist.GetSpecifiedName()
	case errors.As(err, &needsArg):
		return "选项 --" + needsArg.GetFlag().Name + " 缺少值"
	case errors.As(err, &syntax):
		return "选项写法有误：" + syntax.GetSpecifiedFlag()
	}
	return err.Error()
}

// localize gives every command Chinese help and makes an unknown command
// bad usage (exit 2) rather than a failure.
func localize(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.SetUsageTemplate(usageTemplate)
		c.Flags().BoolP("help", "h", false, "显示帮助")
		if c.Name() == "help" {
			c.Short = "显示某个命令的帮助"
			c.Long = ""
			c.Run, c.RunE = nil, helpTopic
		}
		if c.HasSubCommands() && c.RunE == nil && c.Run == nil {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return inputErrorf("未知命令 %q（运行 %s --help 查看可用的命令）", args[0], c.CommandPath())
				}
				return c.Help()
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

const usageTemplate = `用法：{{if and .Runnable (not .HasAvailableSubCommands)}}
  {{zhUsage .UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} 命令 [参数]{{end}}{{if .HasExample}}

示例：
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

命令：{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

选项：
{{zhUsage .LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

通用选项：
{{zhUsage .InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

运行 "{{.CommandPath}} 命令 --help" 查看各命令的用法。{{end}}
`

// mustNotBeEmpty are the options that, given, must say something: left
// out, a date is today (or no bound) and who acts is the system user; given
// empty (--date "", a script's unset variable) they would silently mean the
// same.
var mustNotBeEmpty = map[string]string{
	"date": "日期 YYYY-MM-DD", "as-of": "日期 YYYY-MM-DD", "from": "日期 YYYY-MM-DD", "to": "日期 YYYY-MM-DD",
	"by": "操作人的姓名",
}

// emptyOptions refuses an option of mustNotBeEmpty given empty.
func emptyOptions(c *cobra.Command) error {
	var err error
	c.Flags().Visit(func(f *pflag.Flag) {
		if what, ok := mustNotBeEmpty[f.Name]; ok && err == nil && f.Value.Type() == "string" && strings.TrimSpace(f.Value.String()) == "" {
			err = inputErrorf("选项 --%s 的值是空的：请写出%s，或去掉这个选项", f.Name, what)
		}
	})
	return err
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
	return inputErrorf("参数 --format 的值 %q 无效：可选 %s", v, strings.Join(allowed, "、"))
}

// optionalDateArg parses a date given as the flag named field; "" gives
// the zero date, which the operations take as today.
func optionalDateArg(field, v string) (calendar.Date, error) {
	if v == "" {
		return calendar.Date{}, nil
	}
	return parseDateArg(field, v)
}

// parseDateArg parses a date given as the argument or flag named field.
func parseDateArg(field, v string) (calendar.Date, error) {
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, inputErrorf("%s：%s", field, err)
	}
	return d, nil
}
