package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gongkai/tracker/app"
)

func newCatalogCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "catalog",
		Short: "公开目录：导入另一份目录",
	}
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "导入一份公开目录（TOML），取代现行目录",
		Long: `导入同一格式（见内置目录 tracker/catalogs/*.toml）的公开目录，取代现行目录；已登记的
事件保留登记时的事项信息。文件有误（序号重复、缺少名称、未知渠道、公开时限不是
“N个工作日”）时指明是哪一行，不作任何改动。`,
		Args: exactArgs(1, "目录文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return inputErrorf("无法读取文件 %q：%s", args[0], errText(err))
			}
			cat, err := call(c, e, app.Service.ImportCatalog, app.FileInput{Name: filepath.Base(args[0]), Data: data})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "已导入目录《%s》第 %s 版，共 %d 个事项。\n", cat.Name, cat.Version, cat.Matters)
			return nil
		},
	}
	imp.Flags().String("by", "", byUsage)
	c.AddCommand(imp)
	return c
}
