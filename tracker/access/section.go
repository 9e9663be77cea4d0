package access

import (
	"slices"
	"strings"

	"gongkai/tracker"
)

// Section is a 股室: a name and the 一级事项 whose events its staff log
// and see.
type Section struct {
	Name   string   `json:"name"`
	Level1 []string `json:"level1"`
}

// CheckSection checks a section against the catalogue in force: a name
// of one line, and 一级事项 the catalogue has, each once.
func CheckSection(s *Section, cat *tracker.Catalog) error {
	name, err := tracker.Line(tracker.FieldSection, "股室名称", s.Name, tracker.MaxName)
	if err != nil {
		return err
	}
	if name == "" {
		return tracker.Invalid(tracker.FieldSection, "股室名称不能为空")
	}
	s.Name = name
	if len(s.Level1) == 0 {
		return tracker.Invalid(tracker.FieldLevel1, "股室 %s 没有指定一级事项：它的经办人员将无法登记任何事件", name)
	}
	have := cat.Level1s()
	var seen []string
	for _, l := range s.Level1 {
		l = strings.TrimSpace(l)
		if !slices.Contains(have, l) {
			return tracker.Invalid(tracker.FieldLevel1, "一级事项 %q 不在目录《%s》中；目录的一级事项有：%s", l, cat.Name, strings.Join(have, "、"))
		}
		if !slices.Contains(seen, l) {
			seen = append(seen, l)
		}
	}
	s.Level1 = seen
	return nil
}

// Scope is what part of the events an account reaches: All, or the
// events of the 一级事项 in Level1 (a staff member's sections'). The zero
// Scope reaches nothing.
type Scope struct {
	All    bool
	Level1 []string
}

// ScopeOf is the scope of an account holding roles and belonging to
// sections: an officer or a supervisor reaches every event; staff reach
// their sections' 一级事项, and nothing without a section; the other
// roles reach no event (an administrator who is also staff logs for the
// sections only).
func ScopeOf(roles []Role, sections []Section) Scope {
	if slices.Contains(roles, Officer) || slices.Contains(roles, Supervisor) {
		return Scope{All: true}
	}
	var s Scope
	if !slices.Contains(roles, Staff) {
		return s
	}
	for _, sec := range sections {
		for _, l := range sec.Level1 {
			if !slices.Contains(s.Level1, l) {
				s.Level1 = append(s.Level1, l)
			}
		}
	}
	return s
}

// Reaches reports whether the scope reaches a matter of 一级事项 level1.
func (s Scope) Reaches(level1 string) bool {
	return s.All || slices.Contains(s.Level1, level1)
}
