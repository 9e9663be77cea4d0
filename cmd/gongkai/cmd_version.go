package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/calendar"
)

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.0"; otherwise the module's version.
var version = ""

// versionText says which gongkai this is: its version, the commit it was
// built from and when that was committed, as the Go toolchain recorded
// them in the binary.
func versionText() string {
	info, _ := debug.ReadBuildInfo()
	return versionOf(version, info)
}

// versionOf is versionText for a release v ("" when not set) and what the
// toolchain recorded (nil when nothing).
func versionOf(v string, info *debug.BuildInfo) string {
	rev, at, dirty := "", "", false
	if info != nil {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					at = t.In(calendar.Shanghai).Format("2006-01-02 15:04")
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" || strings.HasPrefix(v, "v0.0.0-") { // none, or a pseudo-version: the commit says more
		v = "开发版"
	}
	var parts []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "，含未提交的改动"
		}
		parts = append(parts, "提交 "+rev)
	}
	if at != "" {
		parts = append(parts, "提交时间 "+at)
	}
	if len(parts) == 0 {
		parts = append(parts, "构建时未记录提交")
	}
	return fmt.Sprintf("gongkai %s（%s）\n", v, strings.Join(parts, "，"))
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "显示版本、提交和提交时间",
		Args:  exactArgs(0, "无"),
		// Needs no configuration: it answers even when the file is broken.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprint(e.stdout, versionText())
			return err
		},
	}
}

// helpTopic is the help command: help for the command its arguments name,
// and bad usage (exit 2) when they name none.
func helpTopic(c *cobra.Command, args []string) error {
	cmd := c.Root()
	for _, a := range args {
		var next *cobra.Command
		for _, sub := range cmd.Commands() {
			if sub.Name() == a || sub.HasAlias(a) {
				next = sub
			}
		}
		if next == nil {
			return inputErrorf("没有名为 %q 的命令（运行 gongkai help 查看可用的命令）", strings.Join(args, " "))
		}
		cmd = next
	}
	return cmd.Help()
}
