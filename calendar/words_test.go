package calendar

import (
	"strings"
	"testing"
	"time"
)

func TestYearStanding(t *testing.T) {
	c := Default()
	y, _ := c.Year(2026)
	if got := y.Standing(); got != "正式（内置数据：《国务院办公厅关于2026年部分节假日安排的通知》）" {
		t.Errorf("2026: %q", got)
	}
	y, _ = c.Year(2029)
	if got := y.Standing(); !strings.HasPrefix(got, "暂估——") {
		t.Errorf("2029: %q", got)
	}
}

// Each span in words, as the status of the calendar lists them: the
// embedded years, an imported one, and the provisional years after.
func TestYearSpanWords(t *testing.T) {
	imported := Schedule{Year: 2028, Origin: OriginImported, File: "2028.json",
		ImportedAt: time.Date(2027, 12, 20, 1, 0, 0, 0, time.UTC), // 09:00 in Shanghai
		Notices:    []Notice{{Title: "国务院办公厅关于2028年部分节假日安排的通知", Number: "国办发明电〔2027〕9号", Note: "待核对"}},
		Days:       []ScheduleDay{{Date: d("2028-01-01"), Name: "元旦", Off: true}}}
	c, err := New(imported)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, y := range c.Spans() {
		got[y.Label()] = strings.Join([]string{y.Standing(), y.Origin(), strings.Join(y.Basis(), "+"), strings.Join(y.Notes(), "+")}, " | ")
	}
	for label, want := range map[string]string{
		"2015":      "正式 | 内置 | 《国务院办公厅关于2015年部分节假日安排的通知》+《国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知》 | ",
		"2027":      "正式 | 内置 | 《国务院办公厅关于2027年部分节假日安排的通知》 | 注（2027 年）：单一来源：日期取自 github.com/6tail/lunar-go v1.4.7 所载的2027年安排，尚未与通知原文逐日核对",
		"2028":      "正式 | 导入 2028.json（2027-12-20） | 《国务院办公厅关于2028年部分节假日安排的通知》国办发明电〔2027〕9号 | 注（2028 年）：待核对",
		"2029—2099": "暂估 | 按放假办法推算 | 《全国年节及纪念日放假办法》（2024年修订），无调休上班日 | ",
	} {
		if got[label] != want {
			t.Errorf("%s: %q\nwant %q", label, got[label], want)
		}
	}
	if len(got) != 2028-FirstYear+2 {
		t.Errorf("%d spans, want one per official year and one for the provisional years", len(got))
	}
}

// An explanation in words, forward, backward, on the day, and over a
// provisional year.
func TestExplanationWords(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		from          string
		n             int
		how, outcome  string
		first, result string // the first step's count, the last's
	}{
		{"2026-09-28", 20, "起算日 2026-09-28（星期一）不计入，从其后一日起数 20 个工作日：",
			"结果：2026-10-30（星期五）；途中跳过放假（国庆节） 7 天、周末 5 天", "第 1 个工作日", "第 20 个工作日"},
		{"2026-10-08", -5, "从 2026-10-08（星期四）前一日起向前数 5 个工作日：",
			"结果：2026-09-23（星期三）；途中跳过放假（国庆节） 7 天、放假（中秋节） 3 天", "跳过", "第 5 个工作日"},
		{"2026-10-03", 0, "2026-10-03（星期六）当天若是工作日即为结果，否则顺延至其后第一个工作日：",
			"结果：2026-10-08（星期四）；途中跳过放假（国庆节） 5 天", "跳过", "即结果"},
		{"2029-01-20", 20, "起算日 2029-01-20（星期六）不计入，从其后一日起数 20 个工作日：",
			"结果：2029-02-22（星期四）；途中跳过周末 9 天、放假（春节） 4 天\n注意：途经的日期中有暂估日（所在年份的放假安排通知尚未发布或导入），结果可能随通知调整。",
			"跳过", "第 20 个工作日"}, // the 21st, a Sunday
	} {
		x, err := c.Explanation(d(tc.from), tc.n)
		if err != nil {
			t.Fatal(err)
		}
		first, last := x.Count(x.Steps[0]), x.Count(x.Steps[len(x.Steps)-1])
		if x.How() != tc.how || x.Outcome() != tc.outcome || first != tc.first || last != tc.result {
			t.Errorf("%s %+d:\n%s\n%s\n%s … %s", tc.from, tc.n, x.How(), x.Outcome(), first, last)
		}
	}
	if _, err := c.Explanation(LastDate, 1); err == nil {
		t.Error("a count past the calendar's range: no error")
	}
}
