package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

func newMattersCmd(e *env) *cobra.Command {
	var search, format string
	c := &cobra.Command{
		Use:   "matters [--search TEXT]",
		Short: "列出公开目录中的事项",
		Long:  `列出数据库中现行公开目录的事项；--search 只列名称含该文字的事项。`,
		Args:  exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseFormat(format, "table", "json", "csv"); err != nil {
				return err
			}
			list, err := call(c, e, app.Service.Matters, app.MatterQuery{Search: search})
			if err != nil {
				return err
			}
			return printMatters(e, list, format)
		},
	}
	c.Flags().StringVar(&search, "search", "", "只列名称含该文字的事项")
	c.Flags().StringVar(&format, "format", "table", "输出格式：table、json 或 csv")
	c.AddCommand(&cobra.Command{
		Use:   "show MATTER",
		Short: "查看一个事项的全部栏目",
		Args:  exactArgs(1, "事项 MATTER（序号或名称）"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := call(c, e, app.Service.Matter, args[0])
			if err != nil {
				return err
			}
			printMatter(e, d.Catalog, &d.Matter)
			return nil
		},
	})
	return c
}

func printMatters(e *env, list *app.MatterList, format string) error {
	cat, ms := list.Catalog, list.Matters
	if format != "table" {
		views := make([]tracker.MatterView, len(ms))
		for i := range ms {
			views[i] = ms[i].View()
		}
		if format == "json" {
			return notify.WriteJSON(e.stdout, views)
		}
		return notify.WriteMattersCSV(e.stdout, views)
	}
	if len(ms) == 0 {
		fmt.Fprintln(e.stdout, "没有名称含该文字的事项。")
		return nil
	}
	var rows [][]string
	for _, m := range ms {
		rows = append(rows, []string{strconv.Itoa(m.Seq), m.Level1, m.Level2, m.Level3, fmt.Sprintf("%d 个工作日", m.TimeLimitDays), tracker.ChannelNames(m.Channels)})
	}
	cols := []col{{header: "序号"}, {header: "一级事项", drop: 2, cut: true, min: 8, want: 16}, {header: "二级事项", cut: true, min: 10, want: 24},
		{header: "三级事项", cut: true, min: 10, want: 30}, {header: "时限", drop: 1}, {header: "公开渠道", drop: 3, cut: true, min: 12, want: 20}}
	if err := printTable(e.stdout, e.width(), cols, rows); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "《%s》第 %s 版：列出 %d 项，共 %d 项。\n", cat.Name, cat.Version, len(ms), cat.Matters)
	return nil
}

func printMatter(e *env, cat app.CatalogInfo, m *tracker.Matter) {
	w := e.stdout
	fmt.Fprintf(w, "序号 %d  %s\n", m.Seq, m.Name())
	fmt.Fprintf(w, "目录：《%s》第 %s 版\n\n", cat.Name, cat.Version)
	fmt.Fprintln(w, "公开内容（要素）：")
	for i, el := range m.Elements {
		fmt.Fprintf(w, "  %d. %s\n", i+1, el)
	}
	fmt.Fprintln(w, "公开依据：")
	for _, b := range m.Basis {
		fmt.Fprintf(w, "  %s\n", b)
	}
	if len(m.Basis) == 0 {
		fmt.Fprintln(w, "  （目录未列）")
	}
	fmt.Fprintf(w, "公开时限：%s（%d 个工作日）\n", m.TimeLimit, m.TimeLimitDays)
	fmt.Fprintf(w, "公开主体：%s\n", m.Subject)
	fmt.Fprintf(w, "公开渠道：%s\n", tracker.ChannelNames(m.Channels))
	fmt.Fprintf(w, "公开对象：%s；公开方式：%s；公开层级：%s\n", m.Audience, m.Mode, strings.Join(m.Levels, "、"))
}
