package main

import (
	"github.com/spf13/cobra"
)

func newCompletionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "输出命令行补全脚本（按 Tab 补全命令和选项）",
		Long: `输出所选 shell 的补全脚本。装好后，输入 gongkai 和命令、选项的开头，按 Tab 补全。

bash：
  gongkai completion bash > /etc/bash_completion.d/gongkai
zsh：
  gongkai completion zsh > "${fpath[1]}/_gongkai"
fish：
  gongkai completion fish > ~/.config/fish/completions/gongkai.fish
PowerShell（Windows；写入 $PROFILE 则每次打开都生效）：
  gongkai completion powershell | Out-String | Invoke-Expression`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return inputErrorf("%s 需要 1 个参数（shell：bash、zsh、fish 或 powershell），实际给了 %d 个", c.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(e.stdout, true)
			case "zsh":
				return root.GenZshCompletion(e.stdout)
			case "fish":
				return root.GenFishCompletion(e.stdout, true)
			case "powershell", "pwsh":
				return root.GenPowerShellCompletionWithDesc(e.stdout)
			}
			return inputErrorf("shell %q 无效：可选 bash、zsh、fish、powershell", args[0])
		},
	}
}
