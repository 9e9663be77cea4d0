package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestVersion(t *testing.T) {
	built := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203154045-884dac1a6b5c+dirty"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "884dac1a6b5c2e0aa15b95bb5cd361faeec95f30"},
		{Key: "vcs.time", Value: "2026-12-03T15:40:45Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		release string
		info    *debug.BuildInfo
		want    string
	}{
		{"", built, "gongkai 开发版（提交 884dac1a6b5c，含未提交的改动，提交时间 2026-12-03 23:40）\n"},
		{"v1.2.0", built, "gongkai v1.2.0（提交 884dac1a6b5c，含未提交的改动，提交时间 2026-12-03 23:40）\n"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}}, "gongkai v1.3.0（构建时未记录提交）\n"},
		{"", nil, "gongkai 开发版（构建时未记录提交）\n"},
	} {
		if got := versionOf(tc.release, tc.info); got != tc.want {
			t.Errorf("versionOf(%q, …) = %q, want %q", tc.release, got, tc.want)
		}
	}
	// version and --version say the same, without a configuration.
	vars := map[string]string{"GONGKAI_CONFIG": "/nonexistent/gongkai.toml"}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		if code, out, stderr := runIn(t, vars, args...); code != 0 || out != versionText() {
			t.Errorf("gongkai %v: exit %d, %q %q; want %q", args, code, out, stderr, versionText())
		}
	}
}

// help names a command or says there is none (exit 2).
func TestHelpTopic(t *testing.T) {
	vars := map[string]string{}
	if code, out, _ := runIn(t, vars, "help", "calendar", "add"); code != 0 || !strings.Contains(out, "gongkai calendar add [--days N]") {
		t.Errorf("help calendar add: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"help", "NOSUCH"}, {"help", "calendar", "nosuch"}} {
		if code, _, stderr := runIn(t, vars, args...); code != exitInput || !strings.Contains(stderr, "没有名为") {
			t.Errorf("gongkai %v: exit %d, %q; want %d", args, code, stderr, exitInput)
		}
	}
}

// Every command's help is in Chinese: option values named in Chinese, no
// English words of cobra's or pflag's.
func TestHelpIsChinese(t *testing.T) {
	english := regexp.MustCompile(`--[a-z-]+ (string|strings|int|uint|uint64|duration|stringSlice)\b|\[flags\]|\(default|Usage:|Flags:|Available Commands|Global Flags|Use "`)
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		code, out, stderr := runIn(t, nil, args...)
		if code != 0 || stderr != "" {
			t.Errorf("gongkai %s: exit %d, %s", strings.Join(args, " "), code, stderr)
		}
		if m := english.FindString(out); m != "" {
			t.Errorf("gongkai %s says %q:\n%s", strings.Join(args, " "), m, out)
		}
		seen++
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&env{getenv: func(string) string { return "" }}))
	if seen < 30 {
		t.Errorf("only %d commands", seen)
	}
}
