package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
)

// The official schedules, one file a year; schedules/README.md documents
// the format.
//
//go:embed schedules/*.json
var embeddedFS embed.FS

// scheduleFile is the format of schedules/*.json.
type scheduleFile struct {
	Year     int      `json:"year"`
	Notices  []Notice `json:"notices"`
	Holidays []struct {
		Name string   `json:"name"`
		Off  []string `json:"off"`
		Work []string `json:"work"`
	} `json:"holidays"`
}

// ParseScheduleFile reads a schedule in gongkai's own format (see
// schedules/README.md): a year, its notices, and per holiday the days off
// and make-up workdays, each a date or an inclusive range a..b.
func ParseScheduleFile(name string, data []byte) (Schedule, error) {
	var f scheduleFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Schedule{}, jsonError(name, data, err)
	}
	if len(f.Notices) == 0 {
		return Schedule{}, &ImportError{File: name, Where: "notices", Reason: "没有列出所依据的通知"}
	}
	var entries []entry
	for i, h := range f.Holidays {
		for kind, list := range map[string][]string{"off": h.Off, "work": h.Work} {
			for j, s := range list {
				where := fmt.Sprintf("holidays[%d].%s[%d]", i, kind, j)
				first, last, err := parseRange(s)
				if err != nil {
					return Schedule{}, &ImportError{File: name, Where: where, Reason: err.Error()}
				}
				for d := first; !d.After(last); d = d.AddDays(1) {
					entries = append(entries, entry{ScheduleDay{Date: d, Name: h.Name, Off: kind == "off"}, where})
				}
			}
		}
	}
	s, _, err := validate(name, f.Year, entries)
	if err != nil {
		return Schedule{}, err
	}
	s.Notices = f.Notices
	return s, nil
}

// parseRange parses "2026-01-01" or "2026-01-01..2026-01-03".
func parseRange(s string) (first, last Date, err error) {
	a, b, isRange := strings.Cut(s, "..")
	if first, err = ParseDate(a); err != nil {
		return
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = ParseDate(b); err != nil {
		return
	}
	if last.Before(first) || last.Sub(first) > 31 {
		err = fmt.Errorf("日期范围 %q 无效：结束日须在开始日之后，且不超过一个月", s)
	}
	return
}

var embedded = sync.OnceValues(func() ([]Schedule, error) {
	names, err := fs.Glob(embeddedFS, "schedules/*.json")
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(names))
	for _, name := range names {
		data, err := embeddedFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s, err := ParseScheduleFile(name, data)
		if err != nil {
			return nil, err
		}
		s.Origin = OriginEmbedded
		out = append(out, s)
	}
	return out, nil
})

// Embedded returns the official schedules built into gongkai, oldest first.
func Embedded() []Schedule {
	s, err := embedded()
	if err != nil {
		// The files are part of the binary and checked by the tests.
		panic("calendar: embedded schedules: " + err.Error())
	}
	return s
}
