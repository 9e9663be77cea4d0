// Package access says who may do what on the office's server: the roles
// an account holds, the operations each role allows (deny by default),
// the password policy and how passwords and tokens are kept. It knows no
// storage and no transport; the application layer asks it, the server
// and the command line show its answers.
package access

import (
	"slices"
	"strings"

	"gongkai/tracker"
)

// Role is what an account may do. An account holds one or more.
type Role string

const (
	Staff      Role = "staff"      // 经办人员: logs the events of its sections' matters, sees those events
	Officer    Role = "officer"    // 公开专员: every event operation, all events, the outbox
	Supervisor Role = "supervisor" // 领导: reads everything and the reports; changes nothing
	Admin      Role = "admin"      // 系统管理员: accounts, sections, imports, backup, system status
	Auditor    Role = "auditor"    // 审计员: the audit log, its verification, the login history
)

// Roles are the roles in the order they are shown.
var Roles = []Role{Staff, Officer, Supervisor, Admin, Auditor}

var roleNames = map[Role]string{
	Staff:      "经办人员",
	Officer:    "公开专员",
	Supervisor: "领导",
	Admin:      "系统管理员",
	Auditor:    "审计员",
}

// Name is the role as the office calls it.
func (r Role) Name() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// ParseRoles reads roles written with commas (either width) or 、, by
// code or by Chinese name: "staff,officer", "经办人员、公开专员". It
// refuses an unknown role, none at all, and admin with auditor on one
// account: the system administrator and the auditor are different
// people (三员分立).
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, ok := roleOf(part)
		if !ok {
			return nil, tracker.Invalid(tracker.FieldRole, "角色 %q 无效：应为 %s", part, roleList())
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if err := CheckRoles(out); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Role) int { return slices.Index(Roles, a) - slices.Index(Roles, b) })
	return out, nil
}

// CheckRoles refuses a set of roles one account may not hold: none, an
// unknown one, or admin with auditor.
func CheckRoles(rs []Role) error {
	if len(rs) == 0 {
		return tracker.Invalid(tracker.FieldRole, "没有指定角色：应为 %s 中的一个或几个", roleList())
	}
	for _, r := range rs {
		if _, ok := roleNames[r]; !ok {
			return tracker.Invalid(tracker.FieldRole, "角色 %q 无效：应为 %s", string(r), roleList())
		}
	}
	if slices.Contains(rs, Admin) && slices.Contains(rs, Auditor) {
		return tracker.Invalid(tracker.FieldRole, "系统管理员（admin）和审计员（auditor）不能是同一个账号（三员分立）：请分别建两个账号")
	}
	return nil
}

func roleOf(s string) (Role, bool) {
	for _, r := range Roles {
		if strings.EqualFold(s, string(r)) || s == r.Name() {
			return r, true
		}
	}
	return "", false
}

func roleList() string {
	var parts []string
	for _, r := range Roles {
		parts = append(parts, string(r)+"（"+r.Name()+"）")
	}
	return strings.Join(parts, "、")
}

// RoleNames names roles for people: 经办人员、公开专员.
func RoleNames(rs []Role) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Name())
	}
	return strings.Join(parts, "、")
}
