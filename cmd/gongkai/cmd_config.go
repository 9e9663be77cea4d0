package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker"
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
			warnings, err := printConfig(e, cfg)
			if err != nil {
				return err
			}
			// The verdict comes last, after everything was looked at: a
			// probe that fails must not follow 配置无误.
			if err := cfg.MailErr(); err != nil {
				return err
			}
			if err := e.outboxWritable(); err != nil {
				return err
			}
			if probe {
				if err := probeSMTP(c.Context(), e); err != nil {
					return err
				}
			}
			if warnings == 0 {
				fmt.Fprintln(e.stdout, "\n配置无误。")
			} else {
				fmt.Fprintf(e.stdout, "\n配置可以使用，但有 %d 条提醒（见上）。\n", warnings)
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

// printConfig shows the configuration in force and warns of what would
// not work as meant; it returns how many warnings it gave.
func printConfig(e *env, cfg *config.Config) (int, error) {
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
	fmt.Fprintf(w, "发信：%s\n", cfg.Sending(e.dbPath()))
	if p := cfg.PasswordSource(e.getenv); p != "" {
		fmt.Fprintf(w, "密码：%s\n", p)
	}
	fmt.Fprintln(w, "\n生效的配置：")
	text, err := cfg.Text()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(w, "  "+line)
	}
	warnings := ownerWarnings(e, cfg)
	for _, wn := range warnings {
		fmt.Fprintln(w, "\n提醒："+wn)
	}
	return len(warnings), nil
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
	list, err := svc.Matters(app.WithActor(context.Background(), e.actor("")), app.MatterQuery{})
	if err != nil {
		return nil // no database, no catalogue yet: nothing to compare with
	}
	return cfg.OwnerWarnings(settings(cfg).Recipients.UnknownOwners(list.Matters))
}

// outboxWritable checks, without [smtp], that .eml files can be written
// where they go: into the outbox folder, or into the folder that will hold
// it. It leaves nothing behind.
func (e *env) outboxWritable() error {
	cfg := e.config()
	if cfg.SMTP != nil {
		return nil
	}
	dir := cfg.Outbox(e.dbPath())
	for {
		if _, err := os.Stat(dir); err == nil || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	f, err := os.CreateTemp(dir, ".gongkai-check-*")
	if err != nil {
		return tracker.Errorf(tracker.EUnavailable, "邮件写不进文件夹 %s（%s）：请让运行 gongkai 的用户可以写入，或在配置中设 outbox_dir",
			dir, tracker.OSProblem(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

func probeSMTP(ctx context.Context, e *env) error {
	said, err := notify.ProbeFor(ctx, e.config(), e.getenv)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, said+"。")
	return nil
}
