package tracker

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Audited actions on the server's accounts, sections and tokens, and its
// logins. Each entry names the account it concerns in its subject
// ("account zhangsan", "section 社保股") and says where the request came
// from; none holds a password, a hash or a token's secret.
const (
	AuditLogin           = "login"
	AuditLoginFailed     = "login_failed"
	AuditLocked          = "account_locked"
	AuditLogout          = "logout"
	AuditPasswordChanged = "password_changed"
	AuditPasswordReset   = "password_reset"
	AuditTokenIssued     = "token_issued"
	AuditTokenRevoked    = "token_revoked"
	AuditAccountCreated  = "account_created"
	AuditAccountChanged  = "account_changed"
	AuditAccountDisabled = "account_disabled"
	AuditAccountEnabled  = "account_enabled"
	AuditAccountUnlocked = "account_unlocked"
	AuditSectionCreated  = "section_created"
	AuditSectionChanged  = "section_changed"
)

var accountActionNames = map[string]string{
	AuditLogin: "登录", AuditLoginFailed: "登录失败", AuditLocked: "账号锁定", AuditLogout: "退出",
	AuditPasswordChanged: "修改密码", AuditPasswordReset: "重置密码",
	AuditTokenIssued: "签发凭据", AuditTokenRevoked: "撤销凭据",
	AuditAccountCreated: "新建账号", AuditAccountChanged: "修改账号", AuditAccountDisabled: "停用账号",
	AuditAccountEnabled: "启用账号", AuditAccountUnlocked: "解锁账号",
	AuditSectionCreated: "新建股室", AuditSectionChanged: "修改股室",
}

// LoginActions are the actions of the login history: what an auditor
// reads to see who came in from where, and who tried.
var LoginActions = []string{AuditLogin, AuditLoginFailed, AuditLocked, AuditLogout, AuditPasswordChanged,
	AuditTokenIssued, AuditTokenRevoked}

// Subjects of account entries.
const (
	subjectAccount = "account"
	subjectSection = "section"
)

// AccountSubject is the subject of an entry about an account.
func AccountSubject(name string) string { return subjectAccount + " " + name }

// SectionSubject is the subject of an entry about a section.
func SectionSubject(name string) string { return subjectSection + " " + name }

// AccountAudit is what an entry about an account, a section or a login
// records. Empty fields are left out.
type AccountAudit struct {
	Account   string   `json:"account,omitempty"`
	Source    string   `json:"source,omitempty"` // the address the request came from
	Display   string   `json:"display,omitempty"`
	Email     string   `json:"email,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	RoleNames string   `json:"role_names,omitempty"` // the roles as the office calls them
	Sections  []string `json:"sections,omitempty"`
	Level1    []string `json:"level1,omitempty"`
	Token     string   `json:"token,omitempty"` // a token's public id
	Kind      string   `json:"kind,omitempty"`  // cli or web
	Label     string   `json:"label,omitempty"`
	Failures  int      `json:"failures,omitempty"`
	Until     string   `json:"until,omitempty"` // a lock's end
	Reason    string   `json:"reason,omitempty"`
	Changes   []string `json:"changes,omitempty"` // what changed, for people
}

// AuditAccount appends an entry about an account, a section or a login.
func (o *Ops) AuditAccount(action, subject string, c AccountAudit) error {
	return o.audit(action, subject, c)
}

// accountText is AuditText for the actions of this file; ok is false for
// the others.
func accountText(a *AuditEntry) (string, bool) {
	if _, ok := accountActionNames[a.Action]; !ok {
		return "", false
	}
	var c AccountAudit
	if json.Unmarshal(a.Content, &c) != nil {
		return string(a.Content), true
	}
	from := ""
	if c.Source != "" {
		from = "（来自 " + c.Source + "）"
	}
	kind := "命令行凭据"
	if c.Kind == "web" {
		kind = "网页会话"
	}
	var s string
	switch a.Action {
	case AuditLogin:
		s = fmt.Sprintf("账号 %s 登录%s", c.Account, from)
	case AuditLoginFailed:
		s = fmt.Sprintf("账号 %s 登录失败%s", c.Account, from)
		if c.Reason != "" {
			s += "：" + c.Reason
		}
	case AuditLocked:
		s = fmt.Sprintf("账号 %s 连续 %d 次密码错误，锁定至 %s%s", c.Account, c.Failures, c.Until, from)
	case AuditLogout:
		s = fmt.Sprintf("账号 %s 退出%s", c.Account, from)
	case AuditPasswordChanged:
		s = fmt.Sprintf("账号 %s 修改了自己的密码%s", c.Account, from)
	case AuditPasswordReset:
		s = fmt.Sprintf("重置账号 %s 的密码（下次登录须修改）%s", c.Account, from)
	case AuditTokenIssued:
		s = fmt.Sprintf("为账号 %s 签发%s %s%s", c.Account, kind, c.Token, from)
		if c.Label != "" {
			s += "，用于 " + c.Label
		}
	case AuditTokenRevoked:
		s = fmt.Sprintf("撤销账号 %s 的%s %s%s", c.Account, kind, c.Token, from)
	case AuditAccountCreated:
		roles := c.RoleNames
		if roles == "" {
			roles = strings.Join(c.Roles, "、")
		}
		s = fmt.Sprintf("新建账号 %s%s，角色 %s", c.Account, named(c.Display), roles)
		if len(c.Sections) > 0 {
			s += "，股室 " + strings.Join(c.Sections, "、")
		}
		s += from
	case AuditAccountChanged:
		s = fmt.Sprintf("修改账号 %s：%s%s", c.Account, strings.Join(c.Changes, "；"), from)
	case AuditAccountDisabled:
		s = fmt.Sprintf("停用账号 %s，其登录凭据一并撤销%s", c.Account, from)
	case AuditAccountEnabled:
		s = fmt.Sprintf("启用账号 %s%s", c.Account, from)
	case AuditAccountUnlocked:
		s = fmt.Sprintf("解锁账号 %s%s", c.Account, from)
	case AuditSectionCreated:
		s = fmt.Sprintf("新建股室 %s，一级事项 %s%s", strings.TrimPrefix(a.Subject, subjectSection+" "), strings.Join(c.Level1, "、"), from)
	case AuditSectionChanged:
		s = fmt.Sprintf("修改股室 %s：%s%s", strings.TrimPrefix(a.Subject, subjectSection+" "), strings.Join(c.Changes, "；"), from)
	}
	return s, true
}

func named(display string) string {
	if display == "" {
		return ""
	}
	return "（" + display + "）"
}
