package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/tracker/app"
)

func newCatalogCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "catalog",
		Short: "公开目录：导入另一份目录",
	}
	var dryRun, force bool
	imp := &cobra.Command{
		Use:   "import FILE [--dry-run] [--force]",
		Short: "导入一份公开目录（TOML），取代现行目录",
		Long: `导入同一格式（见内置目录 tracker/catalogs/*.toml）的公开目录，取代现行目录，并列出
新增、删去和改动的事项（改动的列出是哪些栏目）。已登记的事件保留登记时的事项信息（名称、
渠道、公开时限）和期限。导入会删去已有事件的事项、或改变其公开时限时，列出这些事件，
须加 --force 才导入。--dry-run 只列出改动，不导入。文件有误（序号重复、缺少名称、
未知渠道、公开时限不是“N个工作日”）时指明是哪一行，不作任何改动。`,
		Args: exactArgs(1, "目录文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return inputErrorf("无法读取文件 %q：%s", args[0], errText(err))
			}
			in := app.CatalogImportInput{FileInput: app.FileInput{Name: filepath.Base(args[0]), Data: data}, DryRun: dryRun, Force: force}
			r, err := call(c, e, app.Service.ImportCatalog, in)
			if r != nil {
				printCatalogDiff(e.stdout, r)
			}
			if err != nil {
				return err
			}
			switch {
			case r.DryRun:
				fmt.Fprintln(e.stdout, "（--dry-run：未导入）")
			default:
				fmt.Fprintf(e.stdout, "已导入目录《%s》第 %s 版，共 %d 个事项。\n", r.After.Name, r.After.Version, r.After.Matters)
			}
			return nil
		},
	}
	imp.Flags().BoolVar(&dryRun, "dry-run", false, "只列出改动，不导入")
	imp.Flags().BoolVar(&force, "force", false, "删去已有事件的事项或改变其公开时限时，确认导入")
	imp.Flags().String("by", "", byUsage)
	c.AddCommand(imp)
	return c
}

// printCatalogDiff says what an import of a catalogue changes, and which
// events keep what they were logged with.
func printCatalogDiff(w io.Writer, r *app.CatalogImportResult) {
	d := r.Diff
	fmt.Fprintf(w, "现行目录《%s》第 %s 版（%d 个事项）→ 《%s》第 %s 版（%d 个事项）\n",
		r.Before.Name, r.Before.Version, r.Before.Matters, r.After.Name, r.After.Version, r.After.Matters)
	if d.Empty() {
		fmt.Fprintln(w, "事项没有变化。")
	}
	if len(d.Added) > 0 {
		fmt.Fprintf(w, "新增 %d 个事项：\n", len(d.Added))
		for _, m := range d.Added {
			fmt.Fprintf(w, "  %d %s\n", m.Seq, m.Name())
		}
	}
	if len(d.Removed) > 0 {
		fmt.Fprintf(w, "删去 %d 个事项：\n", len(d.Removed))
		for _, m := range d.Removed {
			fmt.Fprintf(w, "  %d %s\n", m.Seq, m.Name())
		}
	}
	if len(d.Changed) > 0 {
		fmt.Fprintf(w, "改动 %d 个事项：\n", len(d.Changed))
		for _, ch := range d.Changed {
			fmt.Fprintf(w, "  %d %s：%s", ch.New.Seq, ch.New.Name(), strings.Join(ch.Fields, "、"))
			if ch.TimeLimitChanged() {
				fmt.Fprintf(w, "（公开时限 %d → %d 个工作日）", ch.Old.TimeLimitDays, ch.New.TimeLimitDays)
			}
			fmt.Fprintln(w)
		}
	}
	for _, k := range r.Kept {
		fmt.Fprintf(w, "事项 %d %s %s：其 %d 个事件（%s）保留登记时的事项信息和期限。\n",
			k.Matter, k.Name, k.Why, len(k.Events), idList(k.Events, 20))
	}
}

// idList lists event ids, at most max of them.
func idList(ids []uint64, max int) string {
	var parts []string
	for _, id := range ids[:min(len(ids), max)] {
		parts = append(parts, "事件 "+strconv.FormatUint(id, 10))
	}
	s := strings.Join(parts, "、")
	if len(ids) > max {
		s += fmt.Sprintf(" 等 %d 个", len(ids))
	}
	return s
}
