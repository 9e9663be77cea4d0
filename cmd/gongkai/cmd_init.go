package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newInitCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "init",
		Short: "创建数据库并载入内置的公开目录",
		Long: `创建数据库（--db、GONGKAI_DB 或 ./gongkai.db），载入内置的《章贡区社会保险领域
基层政务公开标准目录》（81 项）。数据库已有目录时不作任何改动。其他写入数据的命令
在第一次使用时也会这样做。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			r, err := svc.Init(e.ctx(c))
			if err != nil {
				return err
			}
			format := "数据库 %s 已有目录《%s》（第 %s 版，%d 个事项），未作改动。\n"
			if r.Created {
				format = "已创建数据库 %s，载入目录《%s》（第 %s 版，%d 个事项）。\n"
			}
			fmt.Fprintf(e.stdout, format, e.dbPath(), r.Catalog.Name, r.Catalog.Version, r.Catalog.Matters)
			return nil
		},
	}
	c.Flags().String("by", "", byUsage)
	return c
}
