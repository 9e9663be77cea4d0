package calendar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	return s, append(w, completeness(s)...), nil
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
		s.Notices = append(s.Notices, Notice{URL: p})
	}
	return s, w, nil
}

// jsonError turns a decoding error into one that names the line.
func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &ImportError{File: name, Where: position(data, syn.Offset), Reason: "JSON 语法错误：" + syntaxNear(data, syn.Offset)}
	case errors.As(err, &typ):
		return &ImportError{File: name, Where: position(data, typ.Offset),
			Reason: fmt.Sprintf("字段 %s 的类型不对：应为%s，实为 JSON %s", typ.Field, goTypeName(typ.Type.Kind().String()), typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ImportError{File: name, Reason: "JSON 不完整：文件在括号或引号闭合之前就结束了"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &ImportError{File: name, Reason: "未知字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")}
	}
	return &ImportError{File: name, Reason: "JSON 无法读取：" + err.Error()}
}

// position names the line and column of a byte offset.
func position(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return fmt.Sprintf("第 %d 行第 %d 列", line, max(col, 1))
}

// syntaxNear quotes the text around a syntax error.
func syntaxNear(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	if offset == int64(len(data)) {
		return "文件意外结束"
	}
	lo := max(offset-12, 0)
	for lo > 0 && !utf8.RuneStart(data[lo]) {
		lo--
	}
	near := strings.TrimSpace(string(data[lo:offset]))
	return fmt.Sprintf("%q 附近有多余或缺少的符号（逗号、引号或括号）", near)
}

func goTypeName(kind string) string {
	switch kind {
	case "string":
		return "字符串"
	case "bool":
		return " true 或 false"
	case "int", "int64":
		return "整数"
	case "slice":
		return "数组"
	case "struct":
		return "对象"
	}
	return " " + kind
}

// ParseICS reads an iCalendar file of all-day events: each VEVENT's
// DTSTART;VALUE=DATE to DTEND (exclusive; one day when absent) is a run of
// days; a SUMMARY beginning 上班 or 补班 marks make-up workdays, any other
// marks days off and names the holiday ("春节假期" → 春节). The year is the
// latest year among the dates. Places are named by line.
func ParseICS(name string, data []byte) (Schedule, []Warning, error) {
	at := func(line int) string { return fmt.Sprintf("第 %d 行", line) }
	fail := func(line int, format string, args ...any) (Schedule, []Warning, error) {
		return Schedule{}, nil, &ImportError{File: name, Where: at(line), Reason: fmt.Sprintf(format, args...)}
	}
	var (
		entries  []entry
		warnings []Warning
		ev       icsEvent
		stack    []icsLine // open components: BEGIN lines, values upper-cased
	)
	for _, l := range unfold(data) {
		if !utf8.ValidString(l.text) {
			return fail(l.no, "不是 UTF-8 编码的文字")
		}
		prop, value := splitProp(l.text)
		inEvent := len(stack) > 0 && stack[len(stack)-1].text == "VEVENT"
		switch prop {
		case "BEGIN":
			comp := strings.ToUpper(strings.TrimSpace(value))
			if comp == "VEVENT" {
				for _, open := range stack {
					if open.text == "VEVENT" {
						return fail(l.no, "第 %d 行的 VEVENT 尚未以 END:VEVENT 结束，又开始了新的 VEVENT", open.no)
					}
				}
				ev = icsEvent{line: l.no}
			}
			stack = append(stack, icsLine{no: l.no, text: comp})
			continue
		case "END":
			comp := strings.ToUpper(strings.TrimSpace(value))
			if len(stack) == 0 || stack[len(stack)-1].text != comp {
				return fail(l.no, "END:%s 与之前的 BEGIN 不对应", value)
			}
			stack = stack[:len(stack)-1]
			if comp == "VEVENT" {
				es, w, err := ev.entries(name)
				if err != nil {
					return Schedule{}, nil, err
				}
				entries = append(entries, es...)
				warnings = append(warnings, w...)
			}
			continue
		}
		if !inEvent {
			continue // calendar properties, or those of an alarm inside an event
		}
		switch prop {
		case "SUMMARY":
			if ev.summaryLine != 0 {
				return fail(l.no, "同一个 VEVENT 有两个 SUMMARY（另见第 %d 行）", ev.summaryLine)
			}
			ev.summary, ev.summaryLine = unescapeText(value), l.no
		case "DTSTART":
			if ev.startLine != 0 {
				return fail(l.no, "同一个 VEVENT 有两个 DTSTART（另见第 %d 行）", ev.startLine)
			}
			ev.start, ev.startLine = value, l.no
		case "DTEND":
			if ev.endLine != 0 {
				return fail(l.no, "同一个 VEVENT 有两个 DTEND（另见第 %d 行）", ev.endLine)
			}
			ev.end, ev.endLine = value, l.no
		case "DURATION", "RRULE", "RDATE":
			return fail(l.no, "不支持 %s：请用 DTSTART 和 DTEND 写明日期", prop)
		}
	}
	if len(stack) > 0 {
		open := stack[len(stack)-1]
		return fail(open.no, "BEGIN:%s 没有以 END:%s 结束", open.text, open.text)
	}
	s, w, err := validate(name, 0, entries)
	return s, append(warnings, w...), err
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

// splitProp splits "DTSTART;VALUE=DATE:20200101" into its name, upper-cased,
// and its value; the parameters are not needed, since the value shows
// whether it is a date.
func splitProp(l string) (prop, value string) {
	head, value, _ := strings.Cut(l, ":")
	prop, _, _ = strings.Cut(head, ";")
	return strings.ToUpper(strings.TrimSpace(prop)), value
}

func unescapeText(s string) string {
	r := strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`)
	return strings.TrimSpace(r.Replace(s))
}

type icsEvent struct {
	line                            int
	summary, start, end             string
	summaryLine, startLine, endLine int
}

func (ev icsEvent) entries(file string) ([]entry, []Warning, error) {
	at := func(line int) string { return fmt.Sprintf("第 %d 行", line) }
	if ev.start == "" {
		return nil, nil, &ImportError{File: file, Where: at(ev.line), Reason: "VEVENT 缺少 DTSTART"}
	}
	if ev.summary == "" {
		return nil, nil, &ImportError{File: file, Where: at(ev.line), Reason: "VEVENT 缺少 SUMMARY（节日名称）"}
	}
	first, err := icsDate(ev.start)
	if err != nil {
		return nil, nil, &ImportError{File: file, Where: at(ev.startLine), Reason: "DTSTART：" + err.Error()}
	}
	last := first
	if ev.end != "" {
		end, err := icsDate(ev.end)
		if err != nil {
			return nil, nil, &ImportError{File: file, Where: at(ev.endLine), Reason: "DTEND：" + err.Error()}
		}
		if !end.After(first) {
			return nil, nil, &ImportError{File: file, Where: at(ev.endLine),
				Reason: fmt.Sprintf("DTEND %s 不晚于 DTSTART %s（DTEND 是结束后的第一天）", ev.end, ev.start)}
		}
		if end.Sub(first) > 31 {
			return nil, nil, &ImportError{File: file, Where: at(ev.endLine),
				Reason: fmt.Sprintf("DTSTART %s 至 DTEND %s 超过一个月，不像一次节假日安排", ev.start, ev.end)}
		}
		last = end.AddDays(-1)
	}
	name, off := summaryMeaning(ev.summary)
	var warnings []Warning
	if off && strings.Contains(ev.summary, "班") {
		warnings = append(warnings, Warning{Where: at(ev.summaryLine), Message: fmt.Sprintf(
			"SUMMARY %q 含“班”字但不以“上班”或“补班”开头，按放假日导入；若是调休上班日，请改为以“上班”开头", ev.summary)})
	}
	var out []entry
	for d := first; !d.After(last); d = d.AddDays(1) {
		out = append(out, entry{ScheduleDay{Date: d, Name: name, Off: off}, at(ev.line)})
	}
	return out, warnings, nil
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
