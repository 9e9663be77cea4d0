package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/notify"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

func newUserCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "user",
		Short: "账号：新建、列出、修改、停用、启用、重置密码、解锁（系统管理员）",
		Long: `管理服务器上的账号。角色：staff 经办人员、officer 公开专员、supervisor 领导、
admin 系统管理员、auditor 审计员；一个账号可有几个角色，但 admin 与 auditor
不能同属一个账号（三员分立）。第一个系统管理员在服务器本机上用 user add 建立。`,
		Args: exactArgs(0, "子命令"),
	}
	var roles, sections []string
	var display, email, format, listFormat string
	add := &cobra.Command{
		Use:   "add NAME --role R[,R] [--display 张三] [--email 地址] [--section 股室]",
		Short: "新建账号，显示一次性密码（首次登录时须修改）",
		Args:  exactArgs(1, "账号名 NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseFormat(format, "text", "json"); err != nil {
				return err
			}
			rs, err := access.ParseRoles(strings.Join(roles, ","))
			if err != nil {
				return err
			}
			r, err := call(c, e, app.Service.CreateAccount, app.AccountInput{Name: args[0], Display: display, Email: email,
				Roles: rs, Sections: splitList(sections)})
			if err != nil {
				return err
			}
			if format == "json" {
				return notify.WriteJSON(e.stdout, r)
			}
			printAccount(e, "已建立账号", &r.Account)
			printPassword(e, r.Password)
			return nil
		},
	}
	add.Flags().StringSliceVar(&roles, "role", nil, "角色：staff、officer、supervisor、admin、auditor（可用逗号分隔几个）")
	add.Flags().StringVar(&display, "display", "", "姓名，如 张三")
	add.Flags().StringVar(&email, "email", "", "电子邮件地址，提醒和周报发到这里")
	add.Flags().StringSliceVar(&sections, "section", nil, "所属股室（经办人员须有，可用逗号分隔几个）")
	add.Flags().StringVar(&format, "format", "text", "输出格式：text 或 json")
	add.Flags().String("by", "", byUsage)

	list := &cobra.Command{
		Use:   "list",
		Short: "列出全部账号",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseFormat(listFormat, "table", "json"); err != nil {
				return err
			}
			l, err := call(c, e, func(s app.Service, ctx contextT, _ struct{}) (*app.AccountList, error) { return s.Accounts(ctx) }, struct{}{})
			if err != nil {
				return err
			}
			if listFormat == "json" {
				return notify.WriteJSONList(e.stdout, l.Accounts)
			}
			if len(l.Accounts) == 0 {
				fmt.Fprintln(e.stdout, "还没有账号：用 gongkai user add 建立第一个系统管理员。")
				return nil
			}
			t := newTable(e.stdout, "账号", "姓名", "角色", "股室", "邮箱", "状态")
			for _, a := range l.Accounts {
				t.Append([]string{a.Name, a.Display, a.RoleNames, strings.Join(a.Sections, "、"), a.Email, accountState(&a)})
			}
			if err := t.Render(); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "共 %d 个账号。\n", len(l.Accounts))
			return nil
		},
	}
	list.Flags().StringVar(&listFormat, "format", "table", "输出格式：table 或 json")

	var setRoles, setSections []string
	var setDisplay, setEmail string
	set := &cobra.Command{
		Use:   "set NAME [--role R[,R]] [--display 张三] [--email 地址] [--section 股室]",
		Short: "修改账号的角色、姓名、邮箱或股室",
		Args:  exactArgs(1, "账号名 NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			in := app.AccountUpdate{Name: args[0]}
			f := c.Flags()
			if f.Changed("role") {
				rs, err := access.ParseRoles(strings.Join(setRoles, ","))
				if err != nil {
					return err
				}
				in.Roles = &rs
			}
			if f.Changed("display") {
				in.Display = &setDisplay
			}
			if f.Changed("email") {
				in.Email = &setEmail
			}
			if f.Changed("section") {
				s := splitList(setSections)
				in.Sections = &s
			}
			if in.Roles == nil && in.Display == nil && in.Email == nil && in.Sections == nil {
				return inputErrorf("没有要修改的内容：请给出 --role、--display、--email 或 --section")
			}
			a, err := call(c, e, app.Service.UpdateAccount, in)
			if err != nil {
				return err
			}
			printAccount(e, "账号现为", a)
			return nil
		},
	}
	set.Flags().StringSliceVar(&setRoles, "role", nil, "新的角色（取代原有的）")
	set.Flags().StringVar(&setDisplay, "display", "", "姓名")
	set.Flags().StringVar(&setEmail, "email", "", "电子邮件地址（空字符串：删去）")
	set.Flags().StringSliceVar(&setSections, "section", nil, "所属股室（取代原有的；空字符串：删去）")
	set.Flags().String("by", "", byUsage)

	state := func(use, short, action, done string) *cobra.Command {
		cmd := &cobra.Command{
			Use:   use + " NAME",
			Short: short,
			Args:  exactArgs(1, "账号名 NAME"),
			RunE: func(c *cobra.Command, args []string) error {
				a, err := call(c, e, app.Service.SetAccountState, app.AccountState{Name: args[0], Action: action})
				if err != nil {
					return err
				}
				printAccount(e, done, a)
				return nil
			},
		}
		cmd.Flags().String("by", "", byUsage)
		return cmd
	}
	var resetFormat string
	reset := &cobra.Command{
		Use:   "reset-password NAME",
		Short: "重置密码：显示新的一次性密码，撤销该账号的全部登录凭据",
		Args:  exactArgs(1, "账号名 NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseFormat(resetFormat, "text", "json"); err != nil {
				return err
			}
			r, err := call(c, e, app.Service.ResetPassword, args[0])
			if err != nil {
				return err
			}
			if resetFormat == "json" {
				return notify.WriteJSON(e.stdout, r)
			}
			printAccount(e, "已重置密码", &r.Account)
			printPassword(e, r.Password)
			return nil
		},
	}
	reset.Flags().StringVar(&resetFormat, "format", "text", "输出格式：text 或 json")
	reset.Flags().String("by", "", byUsage)
	c.AddCommand(add, list, set,
		state("disable", "停用账号（其登录凭据一并撤销）", app.AccountDisable, "已停用"),
		state("enable", "重新启用账号", app.AccountEnable, "已启用"),
		state("unlock", "解除因密码错误造成的锁定", app.AccountUnlock, "已解锁"),
		reset)
	return c
}

func accountState(a *app.AccountInfo) string {
	var s []string
	if a.Disabled {
		s = append(s, "已停用")
	}
	if !a.LockedUntil.IsZero() {
		s = append(s, "锁定至 "+a.LockedUntil.In(calendar.Shanghai).Format("15:04"))
	}
	if a.MustChange {
		s = append(s, "待改密码")
	}
	if len(s) == 0 {
		return "正常"
	}
	return strings.Join(s, "，")
}

// accountName is an account as people name it: zhangsan（张三）.
func accountName(a *app.AccountInfo) string {
	if a.Display == "" {
		return a.Name
	}
	return a.Name + "（" + a.Display + "）"
}

// accountRoles says an account's roles and sections.
func accountRoles(a *app.AccountInfo) string {
	s := "角色 " + a.RoleNames
	if len(a.Sections) > 0 {
		s += "，股室 " + strings.Join(a.Sections, "、")
	}
	return s
}

func printAccount(e *env, what string, a *app.AccountInfo) {
	fmt.Fprintf(e.stdout, "%s %s：%s", what, accountName(a), accountRoles(a))
	if a.Email != "" {
		fmt.Fprintf(e.stdout, "，邮箱 %s", a.Email)
	}
	fmt.Fprintf(e.stdout, "，状态 %s。\n", accountState(a))
}

func printPassword(e *env, password string) {
	fmt.Fprintf(e.stdout, "一次性密码：%s\n（只显示这一次，请当面或当场交给本人；首次登录时须改为自己的密码。）\n", password)
}

func newSectionCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "section",
		Short: "股室：新建、修改、列出（系统管理员）",
		Long: `股室是一组一级事项：其经办人员只能登记、查看这些一级事项的事件，
提醒也按股室发给经办人员。`,
		Args: exactArgs(0, "子命令"),
	}
	var level1 []string
	put := func(use, short string, isNew bool) *cobra.Command {
		cmd := &cobra.Command{
			Use:   use + " NAME --level1 一级事项[,…]",
			Short: short,
			Args:  exactArgs(1, "股室名称 NAME"),
			RunE: func(c *cobra.Command, args []string) error {
				s, err := call(c, e, app.Service.PutSection, app.SectionInput{Name: args[0], Level1: splitList(level1), New: isNew})
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "股室 %s：%s。\n", s.Name, strings.Join(s.Level1, "、"))
				return nil
			},
		}
		cmd.Flags().StringSliceVar(&level1, "level1", nil, "一级事项（可用逗号或顿号分隔几个）")
		cmd.Flags().String("by", "", byUsage)
		return cmd
	}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "列出全部股室",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseFormat(format, "table", "json"); err != nil {
				return err
			}
			l, err := call(c, e, func(s app.Service, ctx contextT, _ struct{}) (*app.SectionList, error) { return s.Sections(ctx) }, struct{}{})
			if err != nil {
				return err
			}
			if format == "json" {
				return notify.WriteJSONList(e.stdout, l.Sections)
			}
			if len(l.Sections) == 0 {
				fmt.Fprintln(e.stdout, "还没有股室：用 gongkai section add 建立。")
				return nil
			}
			t := newTable(e.stdout, "股室", "一级事项")
			for _, s := range l.Sections {
				t.Append([]string{s.Name, strings.Join(s.Level1, "、")})
			}
			return t.Render()
		},
	}
	list.Flags().StringVar(&format, "format", "table", "输出格式：table 或 json")
	c.AddCommand(put("add", "新建股室", true), put("set", "修改股室的一级事项（取代原有的）", false), list)
	return c
}

func newTokenCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "token",
		Short: "登录凭据：列出、撤销",
		Long: `命令行登录凭据（gongkai login 所得，90 天有效）和网页会话。各账号可列出、撤销
自己的；系统管理员和服务器本机可列出、撤销任何账号的。撤销后立即失效。`,
		Args: exactArgs(0, "子命令"),
	}
	var user, format string
	var all bool
	list := &cobra.Command{
		Use:   "list [--user NAME | --all]",
		Short: "列出有效的登录凭据",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseFormat(format, "table", "json"); err != nil {
				return err
			}
			q := app.TokenQuery{Account: user}
			if all {
				if user != "" {
					return inputErrorf("--user 与 --all 只能用一个")
				}
				q.Account = "*"
			}
			if q.Account == "" && e.local() {
				q.Account = "*" // on the machine there is no account of one's own
			}
			l, err := call(c, e, app.Service.Tokens, q)
			if err != nil {
				return err
			}
			if format == "json" {
				return notify.WriteJSONList(e.stdout, l.Tokens)
			}
			if len(l.Tokens) == 0 {
				fmt.Fprintln(e.stdout, "没有有效的登录凭据。")
				return nil
			}
			// One's own tokens without the account; everybody's with it.
			header := []string{"编号", "类型", "设备", "来自", "到期", "最近使用"}
			many := q.Account == "*" || (q.Account != "" && !e.local())
			if many {
				header = append([]string{header[0], "账号"}, header[1:]...)
			}
			t := newTable(e.stdout, header...)
			for _, tk := range l.Tokens {
				id := tk.ID
				if tk.Current {
					id += " *"
				}
				kind := "命令行"
				if tk.Kind == access.WebSession {
					kind = "网页"
				}
				row := []string{id, kind, tk.Label, tk.Source, day(tk.Expires), shortMinute(tk.LastUsed)}
				if many {
					row = append([]string{row[0], tk.Account}, row[1:]...)
				}
				t.Append(row)
			}
			if err := t.Render(); err != nil {
				return err
			}
			for _, tk := range l.Tokens {
				if tk.Current {
					fmt.Fprintln(e.stdout, "* 本机正在使用的凭据。")
					break
				}
			}
			return nil
		},
	}
	list.Flags().StringVar(&user, "user", "", "只列这个账号的（系统管理员）")
	list.Flags().BoolVar(&all, "all", false, "列出全部账号的（系统管理员）")
	list.Flags().StringVar(&format, "format", "table", "输出格式：table 或 json")
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "撤销一个登录凭据（编号见 token list）",
		Args:  exactArgs(1, "凭据编号 ID"),
		RunE: func(c *cobra.Command, args []string) error {
			if _, err := call(c, e, func(s app.Service, ctx contextT, in app.TokenRevoke) (struct{}, error) {
				return struct{}{}, s.RevokeToken(ctx, in)
			}, app.TokenRevoke{ID: args[0]}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "已撤销凭据 %s，立即失效。\n", args[0])
			return nil
		},
	}
	revoke.Flags().String("by", "", byUsage)
	c.AddCommand(list, revoke)
	return c
}

// contextT shortens the signatures of the adapters above.
type contextT = context.Context

// day shows a time's date in Asia/Shanghai; shortMinute its month, day
// and minute; "" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02")
}

func shortMinute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format("01-02 15:04")
}

// local reports whether commands run on this machine (the file, or the
// server's socket), where there is no account of one's own.
func (e *env) local() bool {
	t, err := e.target()
	return err != nil || t.kind != targetServer
}
