package tracker

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/calendar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The embedded catalogue: all 81 rows with their levels, element counts
// and channels, as reviewed against the source text (testdata/catalog.golden;
// go test ./tracker -run Catalog -update rewrites it after a reviewed change).
func TestEmbeddedCatalog(t *testing.T) {
	c := EmbeddedCatalog()
	if c.Name != "章贡区社会保险领域基层政务公开标准目录" || c.Version == "" {
		t.Errorf("name %q version %q", c.Name, c.Version)
	}
	if len(c.Matters) != 81 {
		t.Fatalf("%d matters, want 81", len(c.Matters))
	}
	var b strings.Builder
	perLevel1 := map[string]int{}
	for i, m := range c.Matters {
		if m.Seq != i+1 {
			t.Errorf("row %d has 序号 %d", i+1, m.Seq)
		}
		if m.TimeLimitDays != 20 || m.Subject != "区人社局" {
			t.Errorf("%d: time limit %d, subject %q", m.Seq, m.TimeLimitDays, m.Subject)
		}
		if fmt.Sprint(m.Channels) != "[web center grassroots]" {
			t.Errorf("%d: channels %v", m.Seq, m.Channels)
		}
		if m.Audience != "全社会" || m.Mode != "主动" || strings.Join(m.Levels, "、") != "区级、乡级" {
			t.Errorf("%d: ticks %q %q %v", m.Seq, m.Audience, m.Mode, m.Levels)
		}
		if len(m.Elements) == 0 {
			t.Errorf("%d: no elements", m.Seq)
		}
		perLevel1[m.Level1]++
		fmt.Fprintf(&b, "%d|%s|%s|%s|%d elements|%d basis|%s\n", m.Seq, m.Level1, m.Level2, m.Level3,
			len(m.Elements), len(m.Basis), strings.Join(codesOf(m.Channels), ","))
	}
	want := map[string]int{"社保信息服务": 2, "社会保险参保登记": 12, "社会保险参保信息维护": 13, "社会保险缴费申报": 8,
		"社会保险参保缴费记录查询": 4, "养老保险服务": 17, "工伤保险服务": 16, "社会保障卡服务": 9}
	if fmt.Sprint(perLevel1) != fmt.Sprint(want) {
		t.Errorf("rows per 一级事项 = %v, want %v", perLevel1, want)
	}
	if m := c.Matters[70]; m.Level2 != "供养亲属抚恤金申领" {
		t.Errorf("row 71 is %q, want 供养亲属抚恤金申领 (its first character is lost in the source text)", m.Name())
	}
	golden := filepath.Join("testdata", "catalog.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != b.String() {
		t.Errorf("catalogue differs from %s (run with -update after review):\n%s", golden, firstDiff(string(g), b.String()))
	}
}

func codesOf(cs []Channel) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines vs %d", len(al), len(bl))
}

const goodRow = `
[[matters]]
seq = 1
level1 = "社保信息服务"
level2 = "社保政策咨询"
level3 = ""
elements = ["公开依据"]
basis = []
time_limit = "信息形成或变更之日起20个工作日内"
subject = "区人社局"
channels = ["政府网站"]
audience = "全社会"
mode = "主动"
levels = ["区级"]
`

func TestParseCatalogErrors(t *testing.T) {
	head := "name = \"某局目录\"\nversion = \"2\"\n"
	tests := []struct {
		name, file string
		want       []string
	}{
		{"no name", "version = \"1\"\n" + goodRow, []string{"name"}},
		{"no matters", head, []string{"没有任何事项"}},
		{"duplicate seq", head + goodRow + goodRow, []string{"第 2 个事项（序号 1）", "序号 1 重复"}},
		{"missing level2", head + strings.Replace(goodRow, `level2 = "社保政策咨询"`, `level2 = ""`, 1), []string{"序号 1", "level2"}},
		{"unknown channel", head + strings.Replace(goodRow, `["政府网站"]`, `["政府公报"]`, 1), []string{"序号 1", "政府公报"}},
		{"no channel", head + strings.Replace(goodRow, `["政府网站"]`, `[]`, 1), []string{"序号 1", "channels"}},
		{"bad time limit", head + strings.Replace(goodRow, "20个工作日内", "一个月内", 1), []string{"序号 1", "一个月内"}},
		{"unknown key", head + goodRow + "colour = \"red\"\n", []string{"第 17 行", "colour"}},
		{"syntax", head + "[[matters]\nseq = 1\n", []string{"第 3 行"}},
		{"zero seq", head + strings.Replace(goodRow, "seq = 1", "seq = 0", 1), []string{"正整数"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog("x.toml", []byte(tc.file))
			if ErrorCode(err) != EInvalid {
				t.Fatalf("err = %v, want an invalid error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	c, err := ParseCatalog("x.toml", []byte(head+goodRow))
	if err != nil || c.Matters[0].TimeLimitDays != 20 || c.Matters[0].Channels[0] != Web {
		t.Fatalf("good file: %+v, %v", c, err)
	}
}

func TestFindMatter(t *testing.T) {
	c := EmbeddedCatalog()
	for _, tc := range []struct {
		q    string
		want int    // 0: an error
		code string // of the error
	}{
		{"71", 71, ""},
		{"供养亲属抚恤金申领", 71, ""},
		{"供养 亲属", 71, ""},    // spaces do not matter
		{"抚恤", 0, EInvalid},  // two matters
		{"82", 0, ENotFound}, // no such 序号
		{"不存在的事项", 0, ENotFound},
		{"", 0, EInvalid},
	} {
		m, err := FindMatter(c, tc.q)
		switch {
		case tc.want != 0 && (err != nil || m.Seq != tc.want):
			t.Errorf("FindMatter(%q) = %v, %v; want %d", tc.q, m, err, tc.want)
		case tc.want == 0 && ErrorCode(err) != tc.code:
			t.Errorf("FindMatter(%q) err = %v; want code %s", tc.q, err, tc.code)
		}
	}
	_, err := FindMatter(c, "抚恤")
	if err == nil || !strings.Contains(err.Error(), "48  养老保险服务") || !strings.Contains(err.Error(), "71  工伤保险服务") {
		t.Errorf("an ambiguous name lists the candidates: %v", err)
	}
}

// PendingNames says what ChannelNames(Pending()) says, whatever the
// channels, their order and their disclosures.
func TestPendingNames(t *testing.T) {
	d := calendar.DateOf(2026, 11, 2)
	for _, chans := range [][]Channel{nil, {Web}, {Center, Grassroots}, {Web, Center, Grassroots}, {Grassroots, Web}, {Web, "fax"}, {Web, Web}} {
		for mask := range 1 << len(chans) {
			e := &Event{Channels: chans}
			for i, c := range chans {
				if mask&(1<<i) != 0 {
					e.Disclosures = append(e.Disclosures, Disclosure{Channel: c, Date: d})
				}
			}
			if len(e.Disclosures) > 0 {
				e.Disclosures = append(e.Disclosures, Disclosure{Channel: Center, Date: d, Void: &Void{Action: "retracted"}})
			}
			if got, want := e.PendingNames(), ChannelNames(e.Pending()); got != want {
				t.Errorf("channels %v, disclosed %b: %q, want %q", chans, mask, got, want)
			}
		}
	}
}

// A catalogue's office is the 公开主体 most of its matters name; matters
// without one do not count.
func TestCatalogOffice(t *testing.T) {
	cat := &Catalog{Matters: []Matter{{Subject: ""}, {Subject: " "}, {Subject: "区人社局"}, {Subject: "区医保局"}, {Subject: "区人社局"}}}
	if got := cat.Office(); got != "区人社局" {
		t.Errorf("office %q, want 区人社局", got)
	}
	if got := (&Catalog{Matters: []Matter{{}, {}, {Subject: "区人社局"}}}).Office(); got != "区人社局" {
		t.Errorf("with blanks: %q, want 区人社局", got)
	}
	if got := EmbeddedCatalog().Office(); got != "区人社局" {
		t.Errorf("the bureau's catalogue: %q", got)
	}
}
