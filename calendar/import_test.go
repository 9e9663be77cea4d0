package calendar

import (
	"errors"
	"strings"
	"testing"
)

const icsHead = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
const icsTail = "END:VCALENDAR\r\n"

func vevent(summary, start, end string) string {
	s := "BEGIN:VEVENT\r\nSUMMARY:" + summary + "\r\nDTSTART;VALUE=DATE:" + start + "\r\n"
	if end != "" {
		s += "DTEND;VALUE=DATE:" + end + "\r\n"
	}
	return s + "END:VEVENT\r\n"
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // fragments of the message: the place and the value
	}{
		{"empty", "", []string{"空"}},
		{"blank", "  \n\n", []string{"空"}},
		{"unknown format", "year,date\n2028,2028-01-01\n", []string{"无法识别"}},
		{"json syntax", "{\n\"year\": 2028,\n\"days\": [\n{\"date\": \"2028-01-01\",,}\n]}", []string{"第 4 行第 23 列", "JSON 语法错误", "附近有多余或缺少的符号"}},
		{"json wrong type", `{"year": "2028", "days": []}`, []string{"第 1 行第 15 列", "字段 year 的类型不对：应为整数，实为 JSON string"}},
		{"json no days", `{"year": 2028, "papers": [], "days": []}`, []string{"没有任何日期"}},
		{"json bad date", `{"year": 2028, "days": [{"name": "元旦", "date": "2028-02-30", "isOffDay": true}]}`,
			[]string{"days[0]", "2028-02-30"}},
		{"json missing isOffDay", `{"year": 2028, "days": [{"name": "元旦", "date": "2028-01-01"}]}`,
			[]string{"days[0]", "isOffDay"}},
		{"json outside year", `{"year": 2028, "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}, {"name": "国庆节", "date": "2029-10-01", "isOffDay": true}]}`,
			[]string{"days[1]", "2029-10-01"}},
		{"json early December", `{"year": 2028, "days": [{"name": "元旦", "date": "2027-12-01", "isOffDay": true}]}`,
			[]string{"days[0]", "2027-12-01", "不在 2028 年内"}},
		{"json conflicting duplicate", `{"year": 2028, "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}, {"name": "元旦", "date": "2028-01-01", "isOffDay": false}]}`,
			[]string{"days[1]", "2028-01-01", "days[0]", "矛盾"}},
		{"json no name", `{"year": 2028, "days": [{"name": "", "date": "2028-01-01", "isOffDay": true}]}`,
			[]string{"days[0]", "名称"}},
		{"json year out of range", `{"year": 2100, "days": [{"name": "元旦", "date": "2100-01-01", "isOffDay": true}]}`,
			[]string{"2100", "范围"}},
		{"ics no events", icsHead + icsTail, []string{"没有任何日期"}},
		{"ics bad date", icsHead + vevent("元旦假期", "20280132", "20280133") + icsTail, []string{"第 5 行", "20280132"}},
		{"ics date-time", icsHead + vevent("元旦假期", "20280101T000000", "") + icsTail, []string{"第 5 行", "全天"}},
		{"ics end before start", icsHead + vevent("元旦假期", "20280103", "20280101") + icsTail, []string{"第 6 行", "DTEND"}},
		{"ics unterminated", icsHead + "BEGIN:VEVENT\r\nSUMMARY:元旦假期\r\nDTSTART;VALUE=DATE:20280101\r\n", []string{"第 3 行", "END:VEVENT"}},
		{"ics no start", icsHead + "BEGIN:VEVENT\r\nSUMMARY:元旦假期\r\nEND:VEVENT\r\n" + icsTail, []string{"第 3 行", "DTSTART"}},
		{"ics conflict", icsHead + vevent("春节假期", "20280125", "20280201") + vevent("上班(补春节假期)", "20280129", "") + icsTail,
			[]string{"2028-01-29", "矛盾"}},
		{"ics recurring", icsHead + "BEGIN:VEVENT\r\nSUMMARY:元旦假期\r\nDTSTART;VALUE=DATE:20280101\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n" + icsTail,
			[]string{"第 6 行", "RRULE"}},
		{"ics event inside event", icsHead + "BEGIN:VEVENT\r\nSUMMARY:春节假期\r\nDTSTART;VALUE=DATE:20280125\r\n" + vevent("元旦假期", "20280101", "") + "END:VEVENT\r\n" + icsTail,
			[]string{"第 6 行", "第 3 行的 VEVENT 尚未"}},
		{"ics unbalanced end", icsHead + "END:VEVENT\r\n" + icsTail, []string{"第 3 行", "END:VEVENT"}},
		{"ics two summaries", icsHead + "BEGIN:VEVENT\r\nSUMMARY:春节假期\r\nSUMMARY:上班\r\nDTSTART;VALUE=DATE:20280125\r\nEND:VEVENT\r\n" + icsTail,
			[]string{"第 5 行", "两个 SUMMARY"}},
		{"json unknown field in own format", `{"year": 2028, "notices": [{"title": "x"}], "holidays": [], "extra": 1}`, []string{"未知字段", "extra"}},
		{"json truncated", `{"year": 2028, "days": [`, []string{"文件意外结束"}},
		{"not utf-8", "{\"year\": 2028, \"days\": [{\"name\": \"\xd4\xaa\xb5\xa9\"}]}", []string{"UTF-8"}},
		{"ics not utf-8", icsHead + vevent("\xd4\xaa\xb5\xa9", "20280101", "") + icsTail, []string{"第 4 行", "UTF-8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseImport("f", []byte(tc.file))
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an ImportError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestImportAccepts(t *testing.T) {
	// A workday entry on a weekday is kept but reported (2020-02-03).
	s, warns, err := ParseImport("2020.json", []byte(`{"year": 2020, "papers": ["https://example.gov.cn/x"], "days": [
		{"name": "春节", "date": "2020-02-02", "isOffDay": true},
		{"name": "春节", "date": "2020-02-03", "isOffDay": false},
		{"name": "春节", "date": "2020-02-02", "isOffDay": true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 2 || !strings.Contains(warns[0].String(), "2020-02-03") || !strings.Contains(warns[0].String(), "days[1]") {
		t.Errorf("warnings = %v, want one naming days[1] and 2020-02-03", warns)
	}
	// The file has only 春节: importing it would drop the other festivals.
	if len(warns) != 2 || !strings.Contains(warns[1].String(), "没有元旦、清明节、劳动节、端午节、中秋节、国庆节的放假日") {
		t.Errorf("warnings = %v, want one listing the missing festivals", warns)
	}
	if len(s.Days) != 2 || s.Year != 2020 || len(s.Notices) != 1 || s.Notices[0].URL != "https://example.gov.cn/x" {
		t.Errorf("schedule = %+v", s)
	}

	// iCalendar: folded lines (even inside a character), DTEND exclusive,
	// a one-day event without DTEND, 补班 as a workday, late December kept.
	ics := icsHead + "X-WR-CALDESC:中国法定节\r\n 假日\r\n" +
		"BEGIN:VEVENT\r\nSUMMARY:抗日战争暨世界反法西斯战争胜利70周年纪\xe5\xbf\r\n \xb5日假期\r\nDTSTART;VALUE=DATE:20280903\r\nDTEND;VALUE=DATE:20280905\r\nEND:VEVENT\r\n" +
		vevent("补班", "20280906", "") +
		vevent("上班(补元旦假期)", "20271231", "20280101") + icsTail
	s, _, err = ParseImport("x.ics", []byte(ics))
	if err != nil {
		t.Fatal(err)
	}
	got := dayMap(s)
	want := map[string]string{
		"2027-12-31": "元旦/false",
		"2028-09-03": "抗日战争暨世界反法西斯战争胜利70周年纪念日/true",
		"2028-09-04": "抗日战争暨世界反法西斯战争胜利70周年纪念日/true",
		"2028-09-06": "调休/false",
	}
	if len(got) != len(want) || s.Year != 2028 {
		t.Fatalf("year %d, days %v", s.Year, got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

// An alarm inside an event has a SUMMARY of its own that must not rename
// the event; lower-case component names are still components; a SUMMARY
// with 班 in it that does not begin 上班 or 补班 is a day off, but said.
func TestICSComponents(t *testing.T) {
	ics := icsHead +
		"BEGIN:VEVENT\r\nSUMMARY:上班(补春节假期)\r\nDTSTART;VALUE=DATE:20280129\r\n" +
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nSUMMARY:提醒\r\nDTSTART:20280128T090000\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
		"begin:vevent\r\nsummary:春节假期\r\ndtstart;value=date:20280125\r\ndtend;value=date:20280129\r\nend:vevent\r\n" +
		vevent("调休上班", "20281008", "") + icsTail
	s, warns, err := ParseImport("x.ics", []byte(ics))
	if err != nil {
		t.Fatal(err)
	}
	got := dayMap(s)
	for k, v := range map[string]string{
		"2028-01-29": "春节/false",
		"2028-01-25": "春节/true",
		"2028-01-28": "春节/true",
		"2028-10-08": "调休上班/true",
	} {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	found := false
	for _, w := range warns {
		if strings.Contains(w.String(), "调休上班") && strings.Contains(w.String(), "第 18 行") {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings %v do not name the 调休上班 SUMMARY on line 18", warns)
	}
}

// Whatever the bytes, the parsers return a schedule that keeps the rules or
// an error for people; they never panic.
func FuzzParseHolidayCN(f *testing.F) {
	f.Add([]byte(`{"year": 2028, "papers": [], "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}]}`))
	f.Add([]byte(`{"year": 2020, "days": [{"name": "春节", "date": "2020-02-03", "isOffDay": false}, {"name": "元旦", "date": "2019-12-31", "isOffDay": true}]}`))
	f.Add([]byte(`{"days": [{"name": "x", "date": "2028-13-01", "isOffDay": true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _, err := ParseHolidayCN("f.json", b)
		checkParsed(t, s, err)
	})
}

func FuzzParseICS(f *testing.F) {
	f.Add([]byte(icsHead + vevent("元旦假期", "20280101", "20280102") + icsTail))
	f.Add([]byte(icsHead + vevent("上班(补春节假期)", "20271231", "") + vevent("春节假期", "20280125", "20280129") + icsTail))
	f.Add([]byte(icsHead + "BEGIN:VEVENT\r\nSUMMARY:a\r\n b\r\nDTSTART:2028\r\nEND:VEVENT\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _, err := ParseICS("f.ics", b)
		checkParsed(t, s, err)
	})
}

func checkParsed(t *testing.T, s Schedule, err error) {
	t.Helper()
	if err != nil {
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("error %v (%T) is not an ImportError", err, err)
		}
		return
	}
	if len(s.Days) == 0 {
		t.Fatal("accepted a schedule with no days")
	}
	if s.Year < FirstYear || s.Year > LastYear {
		t.Fatalf("accepted year %d", s.Year)
	}
	for i, d := range s.Days {
		y, m, dd := d.Date.Civil()
		if y != s.Year && !(y == s.Year-1 && m == 12 && dd >= firstDayOfPrevDecember) {
			t.Fatalf("accepted %s in a schedule for %d", d.Date, s.Year)
		}
		if i > 0 && !s.Days[i-1].Date.Before(d.Date) {
			t.Fatalf("days not sorted and unique at %s", d.Date)
		}
		if d.Name == "" {
			t.Fatalf("accepted %s without a name", d.Date)
		}
	}
}
