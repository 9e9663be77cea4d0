package calendar

import (
	"fmt"
	"strconv"
	"strings"
)

// Step is one day passed while counting working days.
type Step struct {
	Day
	// Ordinal is the working day's place in the count (1, 2, … going
	// forward; -1, -2, … going backward); 0 for a day skipped.
	Ordinal int
}

// Counted reports whether the step counted as a working day.
func (s Step) Counted() bool { return s.Ordinal != 0 }

// Explain is AddWorkdays with the days it passed, in order: from just after
// d to the result going forward, from just before d back to the result
// going backward, from d to the result when n = 0.
func (c *Calendar) Explain(d Date, n int) (result Date, provisional bool, steps []Step, err error) {
	result, provisional, err = c.AddWorkdays(d, n)
	if err != nil {
		return Date{}, false, nil, err
	}
	step, cur := 1, d.AddDays(1)
	switch {
	case n < 0:
		step, cur = -1, d.AddDays(-1)
	case n == 0:
		cur = d
	}
	steps = make([]Step, 0, abs(result.Sub(d))+1)
	count := 0
	for {
		day, err := c.Day(cur)
		if err != nil {
			return Date{}, false, nil, err
		}
		s := Step{Day: day}
		if day.Workday() {
			count += step
			s.Ordinal = count
		}
		steps = append(steps, s)
		if cur == result {
			return result, provisional, steps, nil
		}
		cur = cur.AddDays(step)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Explanation is a count of working days day by day (Explain's answer),
// with its words for people.
type Explanation struct {
	From        Date
	Days        int
	Result      Date
	Provisional bool
	Steps       []Step
}

// Explanation returns Explain's answer as an Explanation.
func (c *Calendar) Explanation(d Date, n int) (*Explanation, error) {
	result, prov, steps, err := c.Explain(d, n)
	if err != nil {
		return nil, err
	}
	return &Explanation{From: d, Days: n, Result: result, Provisional: prov, Steps: steps}, nil
}

// How says how the count goes, introducing its steps.
func (x *Explanation) How() string {
	d := fmt.Sprintf("%s（%s）", x.From, WeekdayName(x.From.Weekday()))
	switch {
	case x.Days > 0:
		return fmt.Sprintf("起算日 %s不计入，从其后一日起数 %d 个工作日：", d, x.Days)
	case x.Days < 0:
		return fmt.Sprintf("从 %s前一日起向前数 %d 个工作日：", d, -x.Days)
	}
	return d + "当天若是工作日即为结果，否则顺延至其后第一个工作日："
}

// Count says what step s was in the count: 第 N 个工作日, 即结果, or 跳过.
func (x *Explanation) Count(s Step) string {
	switch {
	case s.Counted() && x.Days == 0:
		return "即结果"
	case s.Counted():
		return "第 " + strconv.Itoa(abs(s.Ordinal)) + " 个工作日"
	}
	return "跳过"
}

// Outcome says the result and the days passed over on the way; a result
// that rests on a provisional day says so in a second line.
func (x *Explanation) Outcome() string {
	var b strings.Builder
	fmt.Fprintf(&b, "结果：%s（%s）", x.Result, WeekdayName(x.Result.Weekday()))
	for i, sk := range SkippedDays(x.Steps) {
		sep := "、"
		if i == 0 {
			sep = "；途中跳过"
		}
		fmt.Fprintf(&b, "%s%s %d 天", sep, sk.What, sk.Days)
	}
	if x.Provisional {
		b.WriteString("\n注意：途经的日期中有暂估日（所在年份的放假安排通知尚未发布或导入），结果可能随通知调整。")
	}
	return b.String()
}
