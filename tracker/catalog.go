package tracker

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Channel is a way of disclosure that gongkai tracks.
type Channel string

// The channels of 基层政务公开标准目录 that gongkai tracks.
const (
	Web        Channel = "web"        // 政府网站
	Center     Channel = "center"     // 政务服务中心
	Grassroots Channel = "grassroots" // 基层公共服务平台
)

// Channels lists every channel, in the catalogue's order.
var Channels = []Channel{Web, Center, Grassroots}

var channelNames = map[Channel]string{
	Web:        "政府网站",
	Center:     "政务服务中心",
	Grassroots: "基层公共服务平台",
}

// Name returns the channel's name in Chinese.
func (c Channel) Name() string { return channelNames[c] }

// ChannelNames lists channels by their Chinese names, or says 无.
func ChannelNames(cs []Channel) string {
	if len(cs) == 0 {
		return "无"
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name()
	}
	return strings.Join(names, "、")
}

// channelSets holds ChannelNames of every set of the first three of
// Channels (all of them today; a fourth would take the slow way in
// PendingNames until added here), by bitmask in their order.
var channelSets = func() (names [8]string) {
	for mask := range names {
		var cs []Channel
		for i, c := range Channels[:3] {
			if mask&(1<<i) != 0 {
				cs = append(cs, c)
			}
		}
		names[mask] = ChannelNames(cs)
	}
	return names
}()

// PendingNames is ChannelNames(e.Pending()), without allocating when the
// event's channels are known ones in their usual order: a workbook of a
// hundred thousand events writes it on every row.
func (e *Event) PendingNames() string {
	mask, last := 0, -1
	for _, c := range e.Channels {
		i := slices.Index(Channels[:3], c)
		if i <= last {
			return ChannelNames(e.Pending())
		}
		last = i
		if _, ok := e.disclosed(c); !ok {
			mask |= 1 << i
		}
	}
	return channelSets[mask]
}

// ParseChannel reads a channel given as its code (web) or its Chinese name
// (政府网站).
func ParseChannel(s string) (Channel, error) {
	s = strings.TrimSpace(s)
	for _, c := range Channels {
		if s == string(c) || s == c.Name() {
			return c, nil
		}
	}
	return "", Invalid(FieldChannel, "渠道 %q 无效：可选 web（政府网站）、center（政务服务中心）、grassroots（基层公共服务平台）", s)
}

// Catalog is a 基层政务公开标准目录: named, versioned, its matters in order.
type Catalog struct {
	Name    string   `toml:"name" json:"name"`
	Version string   `toml:"version" json:"version"`
	Source  string   `toml:"source" json:"source,omitempty"`
	Notes   []string `toml:"notes" json:"notes,omitempty"`
	Matters []Matter `toml:"matters" json:"matters"`
}

// Level1s are the catalogue's 一级事项, in its order.
func (c *Catalog) Level1s() []string {
	var out []string
	for _, m := range c.Matters {
		if !slices.Contains(out, m.Level1) {
			out = append(out, m.Level1)
		}
	}
	return out
}

// Office is the body that discloses the catalogue's matters (公开主体),
// the one most of them name: what reports and workbooks are from.
func (c *Catalog) Office() string {
	count := map[string]int{}
	best := ""
	for _, m := range c.Matters {
		s := strings.TrimSpace(m.Subject)
		if s == "" {
			continue
		}
		count[s]++
		if best == "" || count[s] > count[best] || count[s] == count[best] && s < best {
			best = s
		}
	}
	return best
}

// Matter is one row of a catalogue.
type Matter struct {
	Seq       int      `toml:"seq" json:"seq"`
	Level1    string   `toml:"level1" json:"level1"`
	Level2    string   `toml:"level2" json:"level2"`
	Level3    string   `toml:"level3" json:"level3"`
	Elements  []string `toml:"elements" json:"elements"`
	Basis     []string `toml:"basis" json:"basis"`
	TimeLimit string   `toml:"time_limit" json:"time_limit"`
	Subject   string   `toml:"subject" json:"subject"`
	// ChannelNames are the ticked 公开渠道和载体 as the catalogue names
	// them; Channels are the same as codes.
	ChannelNames []string `toml:"channels" json:"-"`
	Audience     string   `toml:"audience" json:"audience"`
	Mode         string   `toml:"mode" json:"mode"`
	Levels       []string `toml:"levels" json:"levels"`

	Channels      []Channel `toml:"-" json:"channels"`
	TimeLimitDays int       `toml:"-" json:"time_limit_days"`
}

// Name returns the matter's full name: its levels, most specific last.
func (m *Matter) Name() string {
	parts := []string{m.Level1, m.Level2}
	if m.Level3 != "" {
		parts = append(parts, m.Level3)
	}
	return strings.Join(parts, " › ")
}

// ShortName returns the most specific level's name.
func (m *Matter) ShortName() string {
	if m.Level3 != "" {
		return m.Level3
	}
	return m.Level2
}

// Requires reports whether the matter is disclosed on channel c.
func (m *Matter) Requires(c Channel) bool {
	for _, x := range m.Channels {
		if x == c {
			return true
		}
	}
	return false
}

// timeLimitRE reads 公开时限 "信息形成或变更之日起20个工作日内".
var timeLimitRE = regexp.MustCompile(`^(?:信息)?形成或变更之日起\s*([0-9]+)\s*个工作日内?$`)

// ParseCatalog reads a catalogue in gongkai's TOML format and checks it:
// a name and version, every row's 序号 unique and positive, names present,
// channels known, and a 公开时限 of N working days from formation or change.
// Errors name the row (序号) or the line.
func ParseCatalog(file string, data []byte) (*Catalog, error) {
	fail := func(format string, args ...any) (*Catalog, error) {
		return nil, Invalid(FieldFile, "目录文件 %s：%s", file, fmt.Sprintf(format, args...))
	}
	var c Catalog
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var de *toml.DecodeError
		var sm *toml.StrictMissingError
		switch {
		case errors.As(err, &sm) && len(sm.Errors) > 0:
			row, _ := sm.Errors[0].Position()
			return fail("第 %d 行：未知的键 %s", row, strings.Join(sm.Errors[0].Key(), "."))
		case errors.As(err, &de):
			row, col := de.Position()
			if k := de.Key(); len(k) > 0 {
				return fail("第 %d 行第 %d 列：键 %s 的值格式或类型不对", row, col, strings.Join(k, "."))
			}
			return fail("第 %d 行第 %d 列：TOML 语法错误（请检查引号、方括号和等号）", row, col)
		}
		return fail("无法读取：文件不是有效的 TOML")
	}
	if strings.TrimSpace(c.Name) == "" {
		return fail("缺少目录名称 name")
	}
	if strings.TrimSpace(c.Version) == "" {
		return fail("缺少版本 version")
	}
	if len(c.Matters) == 0 {
		return fail("没有任何事项（[[matters]]）")
	}
	seen := map[int]bool{}
	for i := range c.Matters {
		m := &c.Matters[i]
		row := fmt.Sprintf("第 %d 个事项（序号 %d）", i+1, m.Seq)
		if m.Seq <= 0 {
			return fail("%s：序号 seq 须为正整数", row)
		}
		if seen[m.Seq] {
			return fail("%s：序号 %d 重复", row, m.Seq)
		}
		seen[m.Seq] = true
		if strings.TrimSpace(m.Level1) == "" || strings.TrimSpace(m.Level2) == "" {
			return fail("%s：缺少一级事项 level1 或二级事项 level2 的名称", row)
		}
		if strings.TrimSpace(m.Subject) == "" {
			return fail("%s：缺少公开主体 subject", row)
		}
		mt := timeLimitRE.FindStringSubmatch(strings.TrimSpace(m.TimeLimit))
		if mt == nil {
			return fail("%s：公开时限 time_limit %q 不是“信息形成或变更之日起N个工作日内”", row, m.TimeLimit)
		}
		days, err := strconv.Atoi(mt[1])
		if err != nil || days < 1 || days > 365 {
			return fail("%s：公开时限 time_limit %q 的工作日数不合理", row, m.TimeLimit)
		}
		m.TimeLimitDays = days
		m.Channels = nil
		for _, name := range m.ChannelNames {
			ch, err := ParseChannel(name)
			if err != nil {
				return fail("%s：公开渠道 %q 不是 gongkai 跟踪的渠道（政府网站、政务服务中心、基层公共服务平台）", row, name)
			}
			m.Channels = append(m.Channels, ch)
		}
		if len(m.Channels) == 0 {
			return fail("%s：没有勾选任何公开渠道 channels", row)
		}
	}
	return &c, nil
}
