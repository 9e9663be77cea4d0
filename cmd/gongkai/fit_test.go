package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

var updateTables = flag.Bool("update-tables", false, "rewrite testdata/tables")

// eventsAt renders `gongkai events` over list at a terminal's width
// (0: piped).
func eventsAt(t *testing.T, list *app.EventList, width int) string {
	t.Helper()
	var b bytes.Buffer
	vars := map[string]string{}
	if width > 0 {
		vars[envColumns] = strconv.Itoa(width)
	}
	e := &env{stdout: &b, getenv: func(k string) string { return vars[k] }}
	if err := printEvents(e, list); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The events' table at 80 and 120 columns fits them, every line, and
// reads as the golden files do; piped, nothing is cut.
func TestEventsTableFits(t *testing.T) {
	day := func(s string) calendar.Date { d, _ := calendar.ParseDate(s); return d }
	left := func(n int) *int { return &n }
	all := []tracker.Channel{tracker.Web, tracker.Center, tracker.Grassroots}
	list := &app.EventList{AsOf: day("2026-11-20"), Events: []tracker.EventView{
		{ID: 1, Matter: 3, MatterName: "社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记", Kind: tracker.Changed,
			Date: day("2026-10-09"), Summary: "调整参保登记办理材料", Deadline: day("2026-11-05"), Status: tracker.Overdue,
			WorkdaysLeft: left(-11), Channels: all, ChannelsPending: all},
		{ID: 12, Matter: 71, MatterName: "工伤保险服务 › 供养亲属抚恤金申领", Kind: tracker.Formed, Date: day("2026-10-23"),
			Summary: "2026年供养亲属抚恤金标准调整，并同步更新办事指南中的申领条件、所需材料和办理时限", Ref: "章人社字〔2026〕12号",
			Deadline: day("2026-11-20"), Status: tracker.Open, WorkdaysLeft: left(0), Channels: all, ChannelsPending: all[1:]},
		{ID: 130, Matter: 40, MatterName: "养老保险服务 › 职工正常退休（职）申请 › 企业职工基本养老金申领", Kind: tracker.Changed,
			Date: day("2026-09-01"), Summary: "养老金申领材料清单", Deadline: day("2026-09-29"), Status: tracker.Done, Channels: all},
	}}
	for _, width := range []int{80, 120} {
		got := eventsAt(t, list, width)
		for _, line := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
			if w := cellWidth.StringWidth(line); w > width {
				t.Errorf("at %d columns a line is %d wide: %s", width, w, line)
			}
		}
		path := filepath.Join("testdata", "tables", "events-"+strconv.Itoa(width)+".txt")
		if *updateTables {
			os.WriteFile(path, []byte(got), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("at %d columns (go test ./cmd/gongkai -run EventsTableFits -update-tables after review):\n%s\nwant\n%s", width, got, want)
		}
	}
	piped := eventsAt(t, list, 0)
	if !strings.Contains(piped, "并同步更新办事指南中的申领条件、所需材料和办理时限") || !strings.Contains(piped, "待公开") {
		t.Errorf("piped, something was cut:\n%s", piped)
	}
}

// Cut text ends with "…" at a character's boundary, within its columns.
func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		s    string
		w    int
		want string
	}{
		{"调整参保登记办理材料", 20, "调整参保登记办理材料"},
		{"调整参保登记办理材料", 19, "调整参保登记办理材…"}, // 18 columns and the mark
		{"调整参保登记办理材料", 10, "调整参保…"},
		{"2026年抚恤金", 8, "2026年…"},
		{"a\nb", 2, "a\nb"},
	} {
		if got := truncate(c.s, c.w); got != c.want || cellWidth.StringWidth(got) > c.w {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.w, got, c.want)
		}
	}
}

// Every table of the CLI fits 80 columns: the catalogue's, the audit
// log's, an event's history; piped, the same show everything.
func TestTablesFit80(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{envDB: filepath.Join(dir, "g.db"), envNow: "2026-11-20T10:00:00+08:00", envColumns: "80"}
	runAt := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
		if code := run(args, e); code != 0 {
			t.Fatalf("gongkai %v: %d %s", args, code, errb.String())
		}
		return out.String()
	}
	runAt("init")
	runAt("log", "12", "--formed", "--date", "2026-11-03", "--summary", "工伤认定流程更新：新增线上申报渠道并调整办理时限和所需材料清单", "--by", "张三")
	runAt("disclose", "1", "--channel", "web", "--url", "https://www.zgq.gov.cn/xxgk/gsrd/2026/11/20/content_1234567.html", "--by", "李四")
	for _, args := range [][]string{{"matters"}, {"audit"}, {"show", "1"}, {"events"}} {
		for _, line := range strings.Split(runAt(args...), "\n") {
			if !strings.ContainsAny(line, "│┌└├") {
				continue // a sentence, which the terminal wraps
			}
			if w := cellWidth.StringWidth(line); w > 80 {
				t.Errorf("gongkai %v: a line %d wide: %s", args, w, line)
			}
		}
	}
	delete(vars, envColumns)
	if out := runAt("matters"); !strings.Contains(out, "公开渠道") {
		t.Errorf("piped, matters lost a column")
	}
}

// Every command's --help fits 80 columns.
func TestHelpFits80(t *testing.T) {
	var walk func(path []string, c interface{ Commands() []*cobra.Command })
	seen := 0
	walk = func(path []string, c interface{ Commands() []*cobra.Command }) {
		for _, sub := range c.Commands() {
			if sub.Hidden {
				continue
			}
			args := append(append([]string(nil), path...), sub.Name())
			var out bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
			run(append(args, "--help"), e)
			seen++
			for _, line := range strings.Split(out.String(), "\n") {
				if w := cellWidth.StringWidth(line); w > 80 {
					t.Errorf("gongkai %s --help: a line %d wide: %s", strings.Join(args, " "), w, line)
				}
			}
			walk(args, sub)
		}
	}
	walk(nil, newRootCmd(&env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}))
	if seen < 30 {
		t.Errorf("only %d commands' help read", seen)
	}
}

// A long line wraps under its own text; a flag's description under the
// description.
func TestWrapLine(t *testing.T) {
	flagLine := "      --db 文件         数据库文件路径（默认 $GONGKAI_DB、配置文件的 database 或 ./gongkai.db）"
	got := wrapLine(flagLine, 80)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], strings.Repeat(" ", 24)) || strings.HasPrefix(lines[1], strings.Repeat(" ", 25)) {
		t.Errorf("a flag's line wrapped as:\n%s", got)
	}
	for _, l := range lines {
		if cellWidth.StringWidth(l) > 80 {
			t.Errorf("too wide: %q", l)
		}
	}
	if strings.ReplaceAll(strings.ReplaceAll(got, "\n", ""), " ", "") != strings.ReplaceAll(flagLine, " ", "") {
		t.Errorf("wrapping lost text: %q", got)
	}
}

// Statuses in colour on a terminal (here forced): overdue red, due today
// yellow, done green; never with NO_COLOR, never piped; a record's own
// control characters stay escaped.
func TestStatusColours(t *testing.T) {
	day := func(s string) calendar.Date { d, _ := calendar.ParseDate(s); return d }
	left := func(n int) *int { return &n }
	list := &app.EventList{AsOf: day("2026-11-20"), Events: []tracker.EventView{
		{ID: 1, Matter: 3, MatterName: "x", Summary: "逾期\x1b[2J", Deadline: day("2026-11-05"), Status: tracker.Overdue, WorkdaysLeft: left(-11)},
		{ID: 2, Matter: 3, MatterName: "x", Summary: "今天", Deadline: day("2026-11-20"), Status: tracker.Open, WorkdaysLeft: left(0)},
		{ID: 3, Matter: 3, MatterName: "x", Summary: "按时", Deadline: day("2026-11-02"), Status: tracker.Done},
		{ID: 4, Matter: 3, MatterName: "x", Summary: "还早", Deadline: day("2026-12-20"), Status: tracker.Open, WorkdaysLeft: left(20)},
	}}
	render := func(vars map[string]string) string {
		var b bytes.Buffer
		sw := newSafeWriter(&b)
		e := &env{stdout: sw, getenv: func(k string) string { return vars[k] }}
		if err := printEvents(e, list); err != nil {
			t.Fatal(err)
		}
		sw.Flush()
		return b.String()
	}
	got := render(map[string]string{"GONGKAI_COLOR": "always"})
	for _, want := range []string{sgrRed + "已逾期 11 个工作日" + sgrReset, sgrYellow + "今天到期" + sgrReset, sgrGreen + "按时公开" + sgrReset} {
		if !strings.Contains(got, want) {
			t.Errorf("coloured, no %q in:\n%s", want, got)
		}
	}
	if strings.Count(got, "\x1b[") != 6 || !strings.Contains(got, `逾期\u001b[2J`) {
		t.Errorf("colour codes other than the statuses', or a record's escape let through:\n%q", got)
	}
	for name, vars := range map[string]map[string]string{"NO_COLOR": {"GONGKAI_COLOR": "always", "NO_COLOR": "1"}, "piped": {}} {
		if out := render(vars); strings.Contains(out, "\x1b") {
			t.Errorf("%s: colour codes in\n%q", name, out)
		}
	}
}
