package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A catalogue import says what it changes; --dry-run changes nothing; one
// that removes a matter with events or changes its 公开时限 needs --force,
// and names the events that keep what they were logged with.
func TestCatalogImportDiff(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GONGKAI_DB": filepath.Join(dir, "g.db"), "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
	for _, args := range [][]string{
		{"init"},
		{"log", "71", "--formed", "--summary", "抚恤金标准", "--date", "2026-11-02"},
		{"log", "71", "--changed", "--summary", "抚恤金材料", "--date", "2026-11-03"},
		{"log", "3", "--changed", "--summary", "材料清单", "--date", "2026-11-04"},
		{"log", "5", "--changed", "--summary", "材料清单", "--date", "2026-11-04"},
	} {
		if code, _, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatal(stderr)
		}
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "tracker", "catalogs", "zhanggong-social-insurance.toml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), `version = "1"`, `version = "2"`, 1)
	// Matter 71 removed; matter 3's 公开时限 15 working days; matter 5's
	// subject changed; a matter 82 added.
	blocks := strings.Split(text, "[[matters]]")
	for i, b := range blocks {
		switch {
		case strings.Contains(b, "\nseq = 71\n"):
			blocks[i] = ""
		case strings.Contains(b, "\nseq = 3\n"):
			blocks[i] = strings.Replace(b, "之日起20个工作日内", "之日起15个工作日内", 1)
		case strings.Contains(b, "\nseq = 5\n"):
			blocks[i] = strings.Replace(b, `subject = "区人社局"`, `subject = "区社保中心"`, 1)
		}
	}
	text = strings.Join(nonEmpty(blocks), "[[matters]]")
	text += "[[matters]]" + strings.Replace(strings.Replace(blocks[1], "seq = 1\n", "seq = 82\n", 1), `level2 = "社保政策咨询"`, `level2 = "社保政策解读"`, 1)
	next := filepath.Join(dir, "v2.toml")
	if err := os.WriteFile(next, []byte(strings.Replace(text, "\n\n\n", "\n\n", -1)), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(vars["GONGKAI_DB"])

	code, out, stderr := runIn(t, vars, "catalog", "import", next, "--dry-run")
	for _, want := range []string{
		"现行目录《章贡区社会保险领域基层政务公开标准目录》第 1 版（81 个事项）→ 《章贡区社会保险领域基层政务公开标准目录》第 2 版（81 个事项）",
		"新增 1 个事项：\n  82 社保信息服务 › 社保政策解读\n",
		"删去 1 个事项：\n  71 工伤保险服务 › 供养亲属抚恤金申领\n",
		"改动 2 个事项：\n",
		"  3 社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记：公开时限（公开时限 20 → 15 个工作日）\n",
		"：公开主体\n",
		"事项 71 工伤保险服务 › 供养亲属抚恤金申领 从目录中删去：其 2 个事件（事件 1、事件 2）保留登记时的事项信息和期限。",
		"事项 3 社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记 公开时限 20 → 15 个工作日：其 1 个事件（事件 3）保留",
		"（--dry-run：未导入）",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("dry run: exit %d, %s; output lacks %q:\n%s", code, stderr, want, out)
		}
	}
	if strings.Contains(out, "事项 5 ") {
		t.Errorf("a change of subject is not one that needs --force:\n%s", out)
	}
	code, out, stderr = runIn(t, vars, "catalog", "import", next)
	if code != exitInput || !strings.Contains(stderr, "导入会删去已有事件的事项，或改变其公开时限（见上）") || !strings.Contains(stderr, "加 --force") || !strings.Contains(out, "事件 1、事件 2") {
		t.Errorf("without --force: exit %d, %s\n%s", code, stderr, out)
	}
	if after, _ := os.ReadFile(vars["GONGKAI_DB"]); string(after) != string(before) {
		t.Error("a dry run or a refused import wrote to the database")
	}
	code, out, stderr = runIn(t, vars, "catalog", "import", next, "--force")
	if code != 0 || !strings.Contains(out, "已导入目录《章贡区社会保险领域基层政务公开标准目录》第 2 版，共 81 个事项。") {
		t.Fatalf("--force: exit %d, %s\n%s", code, stderr, out)
	}
	// The events keep their snapshot; a new event of matter 3 gets 15 days.
	_, out, _ = runIn(t, vars, "show", "1")
	if !strings.Contains(out, "71 工伤保险服务 › 供养亲属抚恤金申领") || !strings.Contains(out, "公开期限  2026-11-30") {
		t.Errorf("event 1 after the import:\n%s", out)
	}
	_, out, _ = runIn(t, vars, "log", "3", "--changed", "--summary", "新材料", "--date", "2026-11-20")
	if !regexp.MustCompile(`公开期限  2026-12-11`).MatchString(out) {
		t.Errorf("a new event of matter 3 after the import:\n%s", out)
	}
	code, _, stderr = runIn(t, vars, "log", "71", "--changed", "--summary", "x")
	if code != exitNotFound {
		t.Errorf("a matter removed: exit %d, %s", code, stderr)
	}
}

func nonEmpty(bs []string) []string {
	var out []string
	for _, b := range bs {
		if b != "" {
			out = append(out, b)
		}
	}
	return out
}
