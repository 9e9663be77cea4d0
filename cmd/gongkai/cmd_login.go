package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/api"
	"gongkai/tracker/app"
)

func newLoginCmd(e *env) *cobra.Command {
	var user string
	var stdin bool
	c := &cobra.Command{
		Use:   "login [--server URL] [--user NAME] [--password-stdin]",
		Short: "登录服务器：此后本机的命令都以该账号在服务器上操作",
		Long: `用账号和密码登录服务器，把登录凭据保存在本人的配置文件夹中（只有本人可读），
90 天内有效；此后各命令都在该服务器上、以该账号进行，参数、输出和退出状态与在本机相同。

首次登录或密码被重置后须设置新密码（至少 8 个字符，含大写字母、小写字母、数字、符号
中的三类，不能含账号名）：在终端上会提示输入两次；用 --password-stdin 时，标准输入的
第一行是原密码，第二行是新密码。服务器地址：--server，否则 $GONGKAI_SERVER，否则上次
登录的服务器。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			return e.login(c, user, stdin)
		},
	}
	c.Flags().StringVar(&user, "user", "", "账号名（默认上次登录该服务器的账号，或提示输入）")
	c.Flags().BoolVar(&stdin, "password-stdin", false, "从标准输入读取密码（第一行；须改密码时第二行是新密码）")
	return c
}

func (e *env) login(c *cobra.Command, user string, stdin bool) error {
	creds, err := e.loadCredentials()
	if err != nil {
		return err
	}
	server := e.serverFlag
	if server == "" {
		server = e.getenv(envServer)
	}
	if server == "" {
		server = creds.Default
	}
	if server == "" {
		return inputErrorf("没有指定服务器：请用 --server 给出服务器地址，如 gongkai login --server https://gongkai.example.gov.cn")
	}
	if server, err = normalServer(server); err != nil {
		return err
	}
	if user == "" {
		user = creds.Servers[server].Account
	}
	var lines *bufio.Reader
	read := func(label string, secret bool) (string, error) {
		if stdin {
			line, err := lines.ReadString('\n')
			line = strings.TrimRight(line, "\r\n")
			if line == "" && err != nil {
				return "", inputErrorf("标准输入没有给出%s（--password-stdin：第一行原密码，第二行新密码）", strings.TrimSuffix(label, "："))
			}
			return line, nil
		}
		if e.prompt == nil {
			return "", inputErrorf("标准输入不是终端，无法提示输入%s：请用 --password-stdin", strings.TrimSuffix(label, "："))
		}
		return e.prompt(label, secret)
	}
	if stdin {
		lines = bufio.NewReader(e.stdin)
	}
	if user == "" {
		if e.prompt == nil {
			return inputErrorf("没有给出账号名：请用 --user")
		}
		if user, err = e.prompt("账号：", false); err != nil {
			return err
		}
	}
	password, err := read("密码：", true)
	if err != nil {
		return err
	}
	client := &api.Client{Base: server}
	ctx := c.Context()
	in := app.LoginInput{Account: user, Password: password, Label: hostLabel()}
	r, err := client.Login(ctx, in)
	if tracker.ErrorCode(err) == tracker.EMustChange {
		fmt.Fprintln(e.stderr, "须先设置新密码（至少 8 个字符，含大写字母、小写字母、数字、符号中的三类，不能含账号名）。")
		next, rerr := read("新密码：", true)
		if rerr != nil {
			return rerr
		}
		if !stdin {
			again, rerr := read("再输入一次新密码：", true)
			if rerr != nil {
				return rerr
			}
			if again != next {
				return inputErrorf("两次输入的新密码不一致，未登录")
			}
		}
		in.NewPassword = next
		r, err = client.Login(ctx, in)
	}
	if err != nil {
		return err
	}
	creds.Default = server
	creds.Servers[server] = credential{Account: r.Account.Name, Token: r.Token, Expires: r.Expires}
	if err := e.saveCredentials(creds); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已登录 %s。\n", server)
	printWho(e, &r.Account)
	fmt.Fprintf(e.stdout, "登录凭据保存在本机，%s 前有效；此后的命令都在该服务器上进行。\n退出：gongkai logout\n",
		r.Expires.In(calendar.Shanghai).Format("2006-01-02"))
	return nil
}

func printWho(e *env, a *app.AccountInfo) {
	fmt.Fprintf(e.stdout, "账号 %s，%s。\n", accountName(a), accountRoles(a))
}

func newLogoutCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "logout [--server URL]",
		Short: "退出服务器：撤销本机保存的登录凭据",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			t, err := e.target()
			if err != nil {
				return err
			}
			if t.kind != targetServer || t.token == "" {
				return inputErrorf("本机没有登录任何服务器")
			}
			// Revoked on the server first; forgotten here whatever it says
			// (a token expired or revoked already is gone anyway).
			rerr := t.client().Logout(c.Context())
			creds, err := e.loadCredentials()
			if err != nil {
				return err
			}
			delete(creds.Servers, t.server)
			if creds.Default == t.server {
				creds.Default = ""
			}
			if err := e.saveCredentials(creds); err != nil {
				return err
			}
			if rerr != nil && tracker.ErrorCode(rerr) != tracker.EUnauthenticated {
				fmt.Fprintf(e.stdout, "已删除本机保存的登录凭据；服务器 %s 上的凭据未能撤销（%s），它将在到期时失效，或请系统管理员撤销。\n", t.server, tracker.AsError(rerr).Message)
				return nil
			}
			fmt.Fprintf(e.stdout, "已退出 %s，登录凭据已撤销。\n", t.server)
			return nil
		},
	}
}

func newWhoamiCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "显示当前以什么身份、在哪里操作",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			t, err := e.target()
			if err != nil {
				return err
			}
			if t.kind == targetFile {
				fmt.Fprintf(e.stdout, "直接使用数据库文件 %s，记录的操作人为 %s（--by 可另行指定）。\n", e.dbPath(), e.actor(""))
				return nil
			}
			a, err := call(c, e, func(s app.Service, ctx contextT, _ struct{}) (*app.AccountInfo, error) { return s.Whoami(ctx) }, struct{}{})
			if err != nil {
				return err
			}
			if t.kind == targetSocket {
				fmt.Fprintf(e.stdout, "经本机服务器的套接字 %s 操作：\n本机管理员，记为 %s。\n", t.server, a.Name)
				return nil
			}
			fmt.Fprintf(e.stdout, "服务器 %s\n", t.server)
			printWho(e, a)
			return nil
		},
	}
}
