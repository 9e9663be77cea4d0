package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/tracker"
	"gongkai/tracker/app"
	"gongkai/tracker/ledger"
)

func newImportCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "import",
		Short: "导入台账：把 Excel 或 WPS 中的公开台账导入为事件；生成空白台账模板",
	}
	var dryRun, verbose bool
	events := &cobra.Command{
		Use:   "events FILE [--dry-run] [--verbose]",
		Short: "把台账（.xlsx 或 .csv）中的事件导入，连同已登记的公开",
		Long: `导入台账：每行一个事件。按表头找列（前 10 行内，列的先后不限）：
  事项（序号或名称）、类型（形成或变更）、日期、摘要 必有；文号、登记人 可有；
  各渠道的公开日期和网址可有：政府网站公开日期、政府网站网址、政务服务中心公开日期、
  政务服务中心网址、基层公共服务平台公开日期、基层公共服务平台网址。
先逐行检查，每个有问题的单元格都指明行和列，有问题则一个也不导入；都无误则在一个事务中
全部写入，每个事件一条审计记录，历史中注明来自哪个文件的哪一行。与已登记的事件（事项、
类型、日期、摘要都相同）重复的行不导入。导入后列出按状态的数量；--verbose 逐个列出。
--dry-run 只检查，不写入。空白模板：gongkai import template FILE。`,
		Args: exactArgs(1, "台账文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			return runImportEvents(c, e, args[0], dryRun, verbose)
		},
	}
	events.Flags().BoolVar(&dryRun, "dry-run", false, "只检查，不写入")
	events.Flags().BoolVar(&verbose, "verbose", false, "逐个列出导入的事件")
	events.Flags().String("by", "", byUsage)
	var force bool
	template := &cobra.Command{
		Use:   "template FILE [--force]",
		Short: "生成空白台账模板（.xlsx）：事项和类型有下拉列表，日期列只收日期",
		Args:  exactArgs(1, "模板文件 FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			out := args[0]
			if !strings.EqualFold(filepath.Ext(out), ".xlsx") {
				return inputErrorf("模板文件 %q 应以 .xlsx 结尾", out)
			}
			if err := outFree(out, force); err != nil {
				return err
			}
			svc, err := e.service()
			if err != nil {
				return err
			}
			list, err := svc.Matters(e.ctx(c), app.MatterQuery{})
			if err != nil {
				return err
			}
			data, err := ledger.Template(&tracker.Catalog{Name: list.Catalog.Name, Version: list.Catalog.Version, Matters: list.Matters})
			if err != nil {
				return err
			}
			if err := writeOut(out, data, force); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "已写入 %s：目录《%s》的 %d 个事项可在“事项”列下拉选择。\n", out, list.Catalog.Name, len(list.Matters))
			return nil
		},
	}
	template.Flags().BoolVar(&force, "force", false, "覆盖已有的文件")
	c.AddCommand(events, template)
	return c
}

func runImportEvents(c *cobra.Command, e *env, file string, dryRun, verbose bool) error {
	fi, err := os.Stat(file)
	switch {
	case err != nil:
		return inputErrorf("无法读取台账文件 %q：%s", file, errText(err))
	case fi.IsDir():
		return inputErrorf("台账文件 %q 是一个文件夹", file)
	case fi.Size() > ledger.MaxFile:
		return inputErrorf("台账文件 %q 太大（%d MB）：一次最多导入 %d MB", file, fi.Size()>>20, ledger.MaxFile>>20)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return inputErrorf("无法读取台账文件 %q：%s", file, errText(err))
	}
	// The soft memory limit (main) suits the daily work; an import holds
	// the ledger and its one transaction, gigabytes for a million rows,
	// and a collector held under the limit would run all the time, from
	// the reading of the file on.
	if e.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	}
	p := e.progress("读取台账")
	p.start()
	sheet, err := ledger.Read(filepath.Base(file), data)
	p.done()
	if err != nil {
		return inputErrorf("%s", err)
	}
	for _, ig := range sheet.Ignored {
		fmt.Fprintf(e.stderr, "gongkai: 第 %d 行表头中的%s不是台账的列，已略过\n", sheet.HeaderLine, ig)
	}
	e.bulk = true
	in := app.ImportEventsInput{File: filepath.Base(file), Columns: sheet.Columns, Rows: sheet.Rows, DryRun: dryRun, List: verbose}
	var stage *progress
	in.Progress = func(what string, done, total int) {
		name := map[string]string{"check": "检查", "write": "写入"}[what]
		if stage == nil || stage.what != name {
			stage.done()
			stage = e.progress(name)
		}
		stage.set(done, total)
	}
	r, err := call(c, e, app.Service.ImportEvents, in)
	stage.done()
	if r != nil {
		for _, p := range r.Problems {
			fmt.Fprintln(e.stderr, "gongkai: "+p)
		}
	}
	if err != nil {
		return err
	}
	w := e.stdout
	if verbose && len(r.Events) > 0 {
		t := newTable(w, "编号", "事项", "类型", "日期", "期限", "状态", "摘要")
		for i, v := range r.Events {
			id := fmt.Sprint(v.ID)
			if dryRun {
				id = fmt.Sprintf("（第 %d 行）", sheet.Rows[i].Line)
			}
			t.Append([]string{id, fmt.Sprintf("%d %s", v.Matter, shortName(v.MatterName)), v.Kind.Name(), v.Date.String(),
				deadlineText(v.Deadline), v.Status.Name(), v.Summary})
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	verb := "导入"
	if dryRun {
		verb = "可导入"
	}
	fmt.Fprintf(w, "%s %s：%d 行，%s %d 个事件", file, "检查无误", r.Rows, verb, r.Added)
	var parts []string
	for _, st := range tracker.Statuses {
		if n := r.ByStatus[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d 个", st.Name(), n))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "（%s）", strings.Join(parts, "，"))
	}
	fmt.Fprintln(w, "。")
	if dryRun {
		fmt.Fprintln(w, "（--dry-run：未写入）")
	}
	return nil
}

// shortName is a matter's most specific name.
func shortName(name string) string {
	if i := strings.LastIndex(name, " › "); i >= 0 {
		return name[i+len(" › "):]
	}
	return name
}

// progress shows how far a long step has got, on a terminal only: one line
// on standard error, rewritten at most every tenth of a second.
type progress struct {
	e     *env
	what  string
	shown time.Time
	wrote bool
}

func (e *env) progress(what string) *progress { return &progress{e: e, what: what} }

func (p *progress) set(done, total int) {
	if p == nil || p.e.tty == nil || time.Since(p.shown) < 100*time.Millisecond && done < total {
		return
	}
	p.shown = time.Now()
	fmt.Fprintf(p.e.tty, "\r%s：%d / %d 行（%d%%）", p.what, done, total, done*100/max(total, 1))
	p.wrote = true
}

// start says the step began, for a step that counts nothing.
func (p *progress) start() {
	if p.e.tty != nil {
		fmt.Fprintf(p.e.tty, "\r%s……", p.what)
		p.wrote = true
	}
}

func (p *progress) done() {
	if p != nil && p.wrote {
		fmt.Fprint(p.e.tty, "\n")
		p.wrote = false
	}
}
