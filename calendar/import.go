package calendar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ParseImport reads a schedule published by the State Council in one of
// the formats gongkai accepts, chosen by content: the holiday-cn JSON format
// ({"year":…,"papers":[…],"days":[{"name","date","isOffDay"}]}), gongkai's
// own schedule format, or an iCalendar file of all-day events. name is the
// file's name, used in messages. The warnings list what is accepted but
// worth a look.
func ParseImport(name string, data []byte) (Schedule, []Warning, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	var (
		s   Schedule
		w   []Warning
		err error
	)
	switch {
	case len(trimmed) == 0:
		return Schedule{}, nil, &ImportError{File: name, Reason: "文件是空的"}
	case trimmed[0] == '{':
		if !utf8.Valid(data) {
			return Schedule{}, nil, &ImportError{File: name, Reason: "文件不是 UTF-8 编码"}
		}
		if bytes.Contains(data, []byte(`"holidays"`)) && !bytes.Contains(data, []byte(`"days"`)) {
			s, err = ParseScheduleFile(name, data)
		} else {
			s, w, err = ParseHolidayCN(name, data)
		}
	case bytes.HasPrefix(trimmed, []byte("BEGIN:VCALENDAR")):
		s, w, err = ParseICS(name, data)
	default:
		return Schedule{}, nil, &ImportError{File: name, Reason: "无法识别的文件格式：应为 holiday-cn 格式的 JSON 或 iCalendar（.ics）文件"}
	}
	if err != nil {
		return Schedule{}, nil, err
	}
	s.Origin = OriginImported
	s.File = filepath.Base(name)
	return s, w, nil
}

// holidayCN is the holiday-cn JSON format.
type holidayCN struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// ParseHolidayCN reads a schedule in the holiday-cn JSON format. Each entry
// is named days[i] in messages, i counting from 0 as in the file.
func ParseHolidayCN(name string, data []byte) (Schedule, []Warning, error) {
	var f holidayCN
	if err := json.Unmarshal(data, &f); err != nil {
		return Schedule{}, nil, jsonError(name, data, err)
	}
	entries := make([]entry, 0, len(f.Days))
	for i, d := range f.Days {
		where := fmt.Sprintf("days[%d]", i)
		date, err := ParseDate(d.Date)
		if err != nil {
			return Schedule{}, nil, &ImportError{File: name, Where: where, Reason: "date：" + err.Error()}
		}
		if d.IsOffDay == nil {
			return Schedule{}, nil, &ImportError{File: name, Where: where, Reason: fmt.Sprintf("日期 %s 缺少 isOffDay（true 为放假，false 为上班）", d.Date)}
		}
		entries = append(entries, entry{ScheduleDay{Date: date, Name: strings.TrimSpace(d.Name), Off: *d.IsOffDay}, where})
	}
	if f.Year != 0 {
		for _, e := range entries {
			if y := e.Date.Year(); y > f.Year {
				return Schedule{}, nil, &ImportError{File: name, Where: e.where,
					Reason: fmt.Sprintf("日期 %s 不在文件所称的 %d 年内", e.Date, f.Year)}
			}
		}
	}
	s, w, err := validate(name, f.Year, entries)
	if err != nil {
		return Schedule{}, nil, err
	}
	if f.Year != 0 && s.Year != f.Year {
		return Schedule{}, nil, &ImportError{File: name, Where: "year", Reason: fmt.Sprintf("year 为 %d，但日期属于 %d 年", f.Year, s.Year)}
	}
	for _, p := range f.Papers {
		s.Notices = append(s.Notices, Notice{Title: fmt.Sprintf("国务院%d年节假日安排文件", s.Year), URL: p})
	}
	return s, w, nil
}

// jsonError turns a decoding error into one that names the line.
func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &ImportError{File: name, Where: fmt.Sprintf("第 %d 行", lineOf(data, syn.Offset)), Reason: "JSON 语法错误：" + syn.Error()}
	case errors.As(err, &typ):
		return &ImportError{File: name, Where: fmt.Sprintf("第 %d 行", lineOf(data, typ.Offset)),
			Reason: fmt.Sprintf("字段 %s 的类型不对：应为 %s，实为 JSON %s", typ.Field, typ.Type, typ.Value)}
	}
	return &ImportError{File: name, Reason: "JSON 无法读取：" + err.Error()}
}

func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// ParseICS reads an iCalendar file of all-day events: each VEVENT's
// DTSTART;VALUE=DATE to DTEND (exclusive; one day when absent) is a run of
// days; a SUMMARY beginning 上班 or 补班 marks make-up workdays, any other
// marks days off and names the holiday ("春节假期" → 春节). The year is the
// latest year among the dates. Places are named by line.
func ParseICS(name string, data []byte) (Schedule, []Warning, error) {
	lines := unfold(data)
	var (
		entries []entry
		inEvent bool
		ev      icsEvent
	)
	for _, l := range lines {
		if !utf8.ValidString(l.text) {
			return Schedule{}, nil, &ImportError{File: name, Where: fmt.Sprintf("第 %d 行", l.no), Reason: "不是 UTF-8 编码的文字"}
		}
		prop, params, value := splitProp(l.text)
		switch {
		case prop == "BEGIN" && value == "VEVENT":
			inEvent, ev = true, icsEvent{line: l.no}
		case prop == "END" && value == "VEVENT":
			if !inEvent {
				return Schedule{}, nil, &ImportError{File: name, Where: fmt.Sprintf("第 %d 行", l.no), Reason: "END:VEVENT 之前没有 BEGIN:VEVENT"}
			}
			inEvent = false
			es, err := ev.entries(name)
			if err != nil {
				return Schedule{}, nil, err
			}
			entries = append(entries, es...)
		case !inEvent:
		case prop == "SUMMARY":
			ev.summary, ev.summaryLine = unescapeText(value), l.no
		case prop == "DTSTART":
			ev.start, ev.startLine, ev.startParams = value, l.no, params
		case prop == "DTEND":
			ev.end, ev.endLine, ev.endParams = value, l.no, params
		case prop == "DURATION" || prop == "RRULE" || prop == "RDATE":
			return Schedule{}, nil, &ImportError{File: name, Where: fmt.Sprintf("第 %d 行", l.no),
				Reason: fmt.Sprintf("不支持 %s：请用 DTSTART 和 DTEND 写明日期", prop)}
		}
	}
	if inEvent {
		return Schedule{}, nil, &ImportError{File: name, Where: fmt.Sprintf("第 %d 行", ev.line), Reason: "VEVENT 没有以 END:VEVENT 结束"}
	}
	return validate(name, 0, entries)
}

type icsLine struct {
	no   int // the first physical line
	text string
}

// unfold joins folded lines (RFC 5545 §3.1): a line that begins with a space
// or a tab continues the one before. The bytes are joined before any UTF-8
// is read, since a fold may split a character.
func unfold(data []byte) []icsLine {
	var out []icsLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	no := 0
	for sc.Scan() {
		no++
		t := strings.TrimRight(sc.Text(), "\r")
		if (strings.HasPrefix(t, " ") || strings.HasPrefix(t, "\t")) && len(out) > 0 {
			out[len(out)-1].text += t[1:]
			continue
		}
		if t == "" {
			continue
		}
		out = append(out, icsLine{no: no, text: t})
	}
	return out
}

// splitProp splits "DTSTART;VALUE=DATE:20200101" into its name, parameters
// and value.
func splitProp(l string) (prop, params, value string) {
	head, value, _ := strings.Cut(l, ":")
	prop, params, _ = strings.Cut(head, ";")
	return strings.ToUpper(prop), strings.ToUpper(params), value
}

func unescapeText(s string) string {
	r := strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`)
	return strings.TrimSpace(r.Replace(s))
}

type icsEvent struct {
	line                            int
	summary, start, end             string
	startParams, endParams          string
	summaryLine, startLine, endLine int
}

func (ev icsEvent) entries(file string) ([]entry, error) {
	at := func(line int) string { return fmt.Sprintf("第 %d 行", line) }
	if ev.start == "" {
		return nil, &ImportError{File: file, Where: at(ev.line), Reason: "VEVENT 缺少 DTSTART"}
	}
	if ev.summary == "" {
		return nil, &ImportError{File: file, Where: at(ev.line), Reason: "VEVENT 缺少 SUMMARY（节日名称）"}
	}
	first, err := icsDate(ev.start)
	if err != nil {
		return nil, &ImportError{File: file, Where: at(ev.startLine), Reason: "DTSTART：" + err.Error()}
	}
	last := first
	if ev.end != "" {
		end, err := icsDate(ev.end)
		if err != nil {
			return nil, &ImportError{File: file, Where: at(ev.endLine), Reason: "DTEND：" + err.Error()}
		}
		if !end.After(first) {
			return nil, &ImportError{File: file, Where: at(ev.endLine),
				Reason: fmt.Sprintf("DTEND %s 不晚于 DTSTART %s（DTEND 是结束后的第一天）", ev.end, ev.start)}
		}
		if end.Sub(first) > 31 {
			return nil, &ImportError{File: file, Where: at(ev.endLine),
				Reason: fmt.Sprintf("DTSTART %s 至 DTEND %s 超过一个月，不像一次节假日安排", ev.start, ev.end)}
		}
		last = end.AddDays(-1)
	}
	name, off := summaryMeaning(ev.summary)
	var out []entry
	for d := first; !d.After(last); d = d.AddDays(1) {
		out = append(out, entry{ScheduleDay{Date: d, Name: name, Off: off}, at(ev.line)})
	}
	return out, nil
}

// icsDate reads a DATE value, YYYYMMDD.
func icsDate(v string) (Date, error) {
	if len(v) != 8 {
		if len(v) > 8 && v[8] == 'T' {
			return Date{}, fmt.Errorf("%q 带有时刻，应为全天日期 YYYYMMDD（VALUE=DATE）", v)
		}
		return Date{}, fmt.Errorf("%q 不是 YYYYMMDD 形式的日期", v)
	}
	d, err := ParseDate(v[0:4] + "-" + v[4:6] + "-" + v[6:8])
	if err != nil {
		return Date{}, fmt.Errorf("%q 不是有效日期", v)
	}
	return d, nil
}

// summaryMeaning reads "春节假期" as a day off of 春节 and
// "上班(补春节假期)" as a make-up workday of 春节.
func summaryMeaning(s string) (name string, off bool) {
	if strings.HasPrefix(s, "上班") || strings.HasPrefix(s, "补班") {
		rest := strings.TrimSpace(s[len("上班"):])
		rest = strings.TrimPrefix(rest, "(")
		rest = strings.TrimPrefix(rest, "（")
		rest = strings.TrimSuffix(rest, ")")
		rest = strings.TrimSuffix(rest, "）")
		rest = strings.TrimPrefix(rest, "补")
		rest = strings.TrimSuffix(rest, "假期")
		if rest == "" {
			rest = "调休"
		}
		return rest, false
	}
	return strings.TrimSuffix(s, "假期"), true
}
