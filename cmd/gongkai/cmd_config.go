package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker/app"
)

func newConfigCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "配置文件：检查、示例",
		// The configuration is not loaded before these commands: check
		// reports its problems itself, and example needs none.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
	}
	var probe bool
	check := &cobra.Command{
		Use:   "check [--probe-smtp]",
		Short: "检查配置文件并显示生效的配置（不显示密码）",
		Long: `读取配置文件（--config、GONGKAI_CONFIG 或 ./gongkai.toml，都没有时用内置默认值），
逐项检查，显示生效的配置。密码不在配置文件中，只显示其来源及是否已设置。
--probe-smtp 还会连接邮件服务器、协商 TLS 并认证（不发信）。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			e.cfg = cfg
			if err := printConfig(e, cfg); err != nil {
				return err
			}
			if probe {
				return probeSMTP(c.Context(), e)
			}
			return nil
		},
	}
	check.Flags().BoolVar(&probe, "probe-smtp", false, "连接邮件服务器，协商 TLS 并认证，不发信")
	c.AddCommand(check)
	c.AddCommand(&cobra.Command{
		Use:   "example",
		Short: "打印带说明的配置文件示例",
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprint(e.stdout, config.Example)
			return err
		},
	})
	return c
}

func printConfig(e *env, cfg *config.Config) error {
	w := e.stdout
	src := "内置默认值（没有找到配置文件）"
	if cfg.File != "" {
		src = cfg.File
	}
	fmt.Fprintf(w, "配置来源：%s\n", src)
	fmt.Fprintf(w, "数据库：%s", e.dbPath())
	switch {
	case e.dbFlag != "":
		fmt.Fprint(w, "（来自 --db）")
	case e.getenv(envDB) != "":
		fmt.Fprint(w, "（来自环境变量 GONGKAI_DB）")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "发信：%s\n", cfg.Sending())
	if p := cfg.PasswordSource(e.getenv); p != "" {
		fmt.Fprintf(w, "密码：%s\n", p)
	}
	fmt.Fprintln(w, "\n生效的配置：")
	text, err := cfg.Text()
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(w, "  "+line)
	}
	warnings := ownerWarnings(e, cfg)
	for _, wn := range warnings {
		fmt.Fprintln(w, "\n提醒："+wn)
	}
	if len(warnings) == 0 {
		fmt.Fprintln(w, "\n配置无误。")
	}
	return nil
}

// ownerWarnings names the owners whose 一级事项 the catalogue in force does
// not have: such an owner would hear nothing.
func ownerWarnings(e *env, cfg *config.Config) []string {
	if len(cfg.Recipients.Owners) == 0 {
		return nil
	}
	svc, err := e.service()
	if err != nil {
		return nil
	}
	list, err := svc.Matters(context.Background(), app.MatterQuery{})
	if err != nil {
		return nil // no database, no catalogue yet: nothing to compare with
	}
	return cfg.OwnerWarnings(settings(cfg).Recipients.UnknownOwners(list.Matters))
}

func probeSMTP(ctx context.Context, e *env) error {
	said, err := notify.ProbeFor(ctx, e.config(), e.getenv)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, said+"。")
	return nil
}
