package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/ledger"
)

// An office's ledger comes in whole or not at all: every bad cell named by
// row and column and nothing written; a dry run writing nothing; then the
// events, each with its disclosures, one audit entry each; the same ledger
// again refused as repeated.
func TestImportEvents(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "事项,类型,日期,摘要,文号,登记人,政府网站公开日期,政府网站网址,政务服务中心公开日期,政务服务中心网址,基层公共服务平台公开日期,基层公共服务平台网址\n"
	bad := write("bad.csv", header+
		"71,形成,2026-10-09,抚恤金标准,,张三,2026-10-20,https://www.zgq.gov.cn/1,,,,\n"+
		"99,改变,2026-13-01,,,,,javascript:alert(1),,,,\n"+
		"3,变更,2026-12-01,材料清单,,,2026-11-10,,,,,\n"+
		"71,形成,2026-10-09,抚恤金标准,,,,,,,,\n")
	before, _ := os.ReadFile(db)
	code, _, stderr := runIn(t, vars, "import", "events", bad)
	for _, want := range []string{
		"第 3 行 第 1 列（事项）：事项 99 不在目录",
		"第 3 行 第 2 列（类型）：类型 \"改变\" 无效",
		"第 3 行 第 3 列（日期）：日期 \"2026-13-01\" 不存在",
		"第 3 行 第 4 列（摘要）：摘要为空",
		"第 3 行 第 8 列（政府网站网址）：网址 \"javascript:alert(1)\" 无效",
		"第 4 行 第 3 列（日期）：日期 2026-12-01 在今天（2026-11-20）之后",
		"第 5 行：与第 2 行相同",
		"第 3 行 第 7 列（政府网站公开日期）：有政府网站的网址，没有公开日期",
		"文件 bad.csv 有 8 处问题（见上），没有导入任何事件",
	} {
		if code != exitInput || !strings.Contains(stderr, want) {
			t.Errorf("bad ledger: exit %d; stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	good := write("good.csv", header+
		"71,形成,2026-10-09,抚恤金标准,赣人社字〔2026〕7号,张三,2026-10-20,https://www.zgq.gov.cn/1,2026-10-21,,2026-10-22,\n"+
		"3 社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记,变更,2026年11月2日,材料清单,,李四,2026-11-10,,,,,\n"+
		"供养亲属抚恤金申领,变更,２０２６－１１－１６,抚恤金调整,,,,,,,,\n")
	code, out, stderr := runIn(t, vars, "import", "events", good, "--dry-run", "--verbose")
	if code != 0 || !strings.Contains(out, "可导入 3 个事件（待公开 2 个，按时公开 1 个）") || !strings.Contains(out, "（第 4 行）") || !strings.Contains(out, "--dry-run：未写入") {
		t.Errorf("dry run: exit %d, %s\n%s", code, stderr, out)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(after, before) {
		t.Error("a refused import or a dry run changed the database")
	}
	code, out, stderr = runIn(t, vars, "import", "events", good, "--by", "王专员")
	if code != 0 || !strings.Contains(out, "导入 3 个事件（待公开 2 个，按时公开 1 个）") {
		t.Fatalf("import: exit %d, %s\n%s", code, stderr, out)
	}
	_, out, _ = runIn(t, vars, "show", "1")
	for _, want := range []string{"状态      按时公开（2026-10-22）", "文号      赣人社字〔2026〕7号",
		"│ 张三   │ 导入 │ 事项 71", "从文件 good.csv 第 2 行导入（导入人 王专员）", "政府网站 于 2026-10-20 公开，网址 https://www.zgq.gov.cn/1"} {
		if !strings.Contains(out, want) {
			t.Errorf("show 1 lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runIn(t, vars, "audit", "--action", "导入")
	if n := strings.Count(out, "│ 王专员 │ 导入 "); n != 3 {
		t.Errorf("%d audit entries of the import, want one per event:\n%s", n, out)
	}
	if code, out, stderr := runIn(t, vars, "audit", "verify"); code != 0 || !strings.Contains(out, "3 个事件均与审计日志所记相符") {
		t.Errorf("verify: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := runIn(t, vars, "check"); code != 0 {
		t.Errorf("check: %s", stderr)
	}
	// The same ledger again: every row repeats an event.
	before, _ = os.ReadFile(db)
	code, _, stderr = runIn(t, vars, "import", "events", good)
	if code != exitInput || strings.Count(stderr, "与已登记的事件") != 3 {
		t.Errorf("again: exit %d, %s", code, stderr)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(after, before) {
		t.Error("a refused import changed the database")
	}
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(dir, "none.csv"), "无法读取台账文件"},
		{dir, "是一个文件夹"},
		{write("empty.csv", header), "没有要导入的行"},
		{write("other.csv", "姓名,电话\n张三,1\n"), "没有找到表头"},
	} {
		if code, _, stderr := runIn(t, vars, "import", "events", tc.file); code != exitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("import %s: exit %d, %s", tc.file, code, stderr)
		}
	}
}

// The template, filled in as Excel would, imports.
func TestImportTemplate(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GONGKAI_DB": filepath.Join(dir, "g.db"), "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	if code, _, stderr := runIn(t, vars, "init"); code != 0 {
		t.Fatal(stderr)
	}
	tpl := filepath.Join(dir, "台账模板.xlsx")
	if code, out, stderr := runIn(t, vars, "import", "template", tpl); code != 0 || !strings.Contains(out, "81 个事项可在“事项”列下拉选择") {
		t.Fatalf("template: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := runIn(t, vars, "import", "template", tpl); code != exitInput || !strings.Contains(stderr, "已存在") {
		t.Errorf("over the template: %d %s", code, stderr)
	}
	if code, _, stderr := runIn(t, vars, "import", "template", filepath.Join(dir, "x.csv")); code != exitInput || !strings.Contains(stderr, ".xlsx") {
		t.Errorf("a .csv template: %d %s", code, stderr)
	}
	f, err := excelize.OpenFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	m := &tracker.EmbeddedCatalog().Matters[70]
	f.SetCellValue("台账", "A2", ledger.MatterChoice(m))
	f.SetCellValue("台账", "B2", "形成")
	f.SetCellValue("台账", "C2", calendar.DateOf(2026, 11, 2).Start())
	f.SetCellValue("台账", "D2", "抚恤金标准")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runIn(t, vars, "import", "events", tpl)
	if code != 0 || !strings.Contains(out, "导入 1 个事件") {
		t.Fatalf("import of the template: %d %s %s", code, out, stderr)
	}
	if _, out, _ := runIn(t, vars, "show", "1"); !strings.Contains(out, "71 工伤保险服务 › 供养亲属抚恤金申领") || !strings.Contains(out, "信息形成  2026-11-02") {
		t.Errorf("show 1:\n%s", out)
	}
}
