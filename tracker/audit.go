package tracker

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one change in the append-only audit log. Each entry's hash
// covers its content and the previous entry's hash, so that an edited,
// removed or reordered entry breaks the chain.
type AuditEntry struct {
	Seq     uint64          `json:"seq"`     // 1, 2, 3, …
	At      time.Time       `json:"at"`      // the operation's time (GONGKAI_NOW when set)
	Clock   time.Time       `json:"clock"`   // the machine's clock when it was written
	Actor   string          `json:"actor"`   // --by, else the operating-system user
	Action  string          `json:"action"`  // init, logged, disclosed, …
	Subject string          `json:"subject"` // "event 12", "calendar 2028", "catalog …"
	Content json.RawMessage `json:"content"` // what changed, as JSON
	Prev    string          `json:"prev"`    // the previous entry's hash, hex; "" for the first
	Hash    string          `json:"hash"`    // this entry's hash, hex
	// Canonical says that Content is already as encoding/json writes it
	// (compact, <, > and & escaped), so the store takes it as it is. Not
	// stored.
	Canonical bool `json:"-"`
}

// ComputeHash returns the entry's hash: SHA-256 over every field but Hash,
// each length-prefixed so that no two entries share an encoding.
func (a *AuditEntry) ComputeHash() string {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	put([]byte("gongkai-audit-v1"))
	binary.BigEndian.PutUint64(n[:], a.Seq)
	put(n[:])
	put([]byte(a.At.UTC().Format(time.RFC3339Nano)))
	put([]byte(a.Clock.UTC().Format(time.RFC3339Nano)))
	put([]byte(a.Actor))
	put([]byte(a.Action))
	put([]byte(a.Subject))
	put(a.Content)
	put([]byte(a.Prev))
	return hex.EncodeToString(h.Sum(nil))
}

// Simulated reports whether the entry was written under a simulated
// time: its operation time is more than SimulatedAfter from the clock.
func (a *AuditEntry) Simulated() bool { return Simulated(a.At, a.Clock) }

// AuditHead is the chain's head: a copy of it kept elsewhere later exposes
// a log cut short.
type AuditHead struct {
	Count uint64 `json:"count"`
	Hash  string `json:"hash"`
}

func (h AuditHead) String() string {
	if h.Count == 0 {
		return "0 条记录"
	}
	return fmt.Sprintf("%d 条记录，末条哈希 %s", h.Count, h.Hash)
}

// Sound says, for people, how the stored events compare with the audit log
// when none is damaged: how many are bound, and which are unbound.
func (r *EventBinding) Sound() string {
	if len(r.Unbound) == 0 {
		return fmt.Sprintf("%d 个事件均与审计日志所记相符。", r.Bound)
	}
	return fmt.Sprintf("%d 个事件与审计日志所记相符；%d 个未绑定（写于审计日志记录事件哈希之前，尚未建立基线），内容无从核对：事件 %s。",
		r.Bound, len(r.Unbound), IDList(r.Unbound))
}

// AuditProblem is a break in the chain, found by VerifyAudit.
type AuditProblem struct {
	Key     uint64 // the storage key of the entry where the break shows
	Message string
}

func (p *AuditProblem) Error() string { return p.Message }

// AuditChecker verifies a chain one entry at a time, in storage order.
type AuditChecker struct {
	head AuditHead
}

// Next checks the entry stored under key; it returns the first break found.
func (c *AuditChecker) Next(key uint64, a *AuditEntry) *AuditProblem {
	return c.NextHashed(key, a, a.ComputeHash())
}

// NextHashed is Next with the entry's ComputeHash computed by the caller
// (on another core, say).
func (c *AuditChecker) NextHashed(key uint64, a *AuditEntry, computed string) *AuditProblem {
	want := c.head.Count + 1
	switch {
	case a.Seq != key:
		return &AuditProblem{key, fmt.Sprintf("审计日志第 %d 个位置上存放的是第 %d 条记录：记录被调换了顺序或被挪动", key, a.Seq)}
	case key != want:
		return &AuditProblem{key, fmt.Sprintf("审计日志缺少第 %d 至第 %d 条记录：记录被删除", want, key-1)}
	case computed != a.Hash:
		return &AuditProblem{key, fmt.Sprintf("审计日志第 %d 条记录（%s，%s）的内容与其哈希不符：记录被改动", key, AuditActionName(a.Action), AuditSubjectName(a.Subject))}
	case a.Prev != c.head.Hash:
		return &AuditProblem{key, fmt.Sprintf("审计日志第 %d 条记录所记的上一条哈希与第 %d 条不符：前面的记录被改动、删除或调换", key, key-1)}
	}
	c.head = AuditHead{Count: key, Hash: a.Hash}
	return nil
}

// Head returns the head of the entries checked so far.
func (c *AuditChecker) Head() AuditHead { return c.head }

// Audited actions besides an event's (ActLogged, ActDisclosed, …).
const (
	AuditInit           = "init"
	AuditCatalogImport  = "catalog_import"
	AuditCalendarImport = "calendar_import"
	AuditRemind         = "remind"
	AuditRequeue        = "requeue"
	AuditReport         = "report"
	// AuditBaseline binds the events written before audit entries carried
	// their hashes (Ops.AuditBaseline).
	AuditBaseline = "baseline"
	// AuditBackup is a copy of the whole database taken (a file, or a
	// download): passwords' hashes included, so the auditors see who.
	AuditBackup = "backup"
)

var auditActionNames = map[string]string{
	AuditInit: "初始化", AuditCatalogImport: "导入目录", AuditCalendarImport: "导入放假安排",
	AuditRemind: "提醒", AuditRequeue: "重发邮件", AuditReport: "周报", AuditBaseline: "建立基线",
	AuditBackup: "备份数据库",
}

// AuditActionName names an audited action in Chinese; an unknown one (from
// a newer version) as it is.
func AuditActionName(a string) string {
	if n, ok := auditActionNames[a]; ok {
		return n
	}
	if n, ok := accountActionNames[a]; ok {
		return n
	}
	if n := ActionName(a); n != "" {
		return n
	}
	return a
}

// Subjects of audit entries: a kind alone ("catalog", "outbox", "events")
// or a kind and a number ("event 12", "message 3", "calendar 2028").
const (
	subjectCatalog  = "catalog"
	subjectOutbox   = "outbox"
	subjectEvents   = "events" // many events at once: a baseline
	subjectEvent    = "event"
	subjectMessage  = "message"
	subjectCalendar = "calendar"
	subjectDatabase = "database"
)

func subject(kind string, n uint64) string { return kind + " " + strconv.FormatUint(n, 10) }

// AuditSubjectName names what an audit entry is about in Chinese.
func AuditSubjectName(s string) string {
	kind, n, _ := strings.Cut(s, " ")
	switch kind {
	case subjectCatalog:
		return "公开目录"
	case subjectOutbox:
		return "发件箱"
	case subjectEvents:
		return "各事件"
	case subjectEvent:
		return "事件 " + n
	case subjectMessage:
		return "邮件 " + n
	case subjectCalendar:
		return n + " 年日历"
	case subjectDatabase:
		return "数据库"
	case subjectAccount:
		return "账号 " + n
	case subjectSection:
		return "股室 " + n
	}
	return s
}

// AuditText shows an entry's content for people: an event change's detail
// and reason, else the JSON itself.
func AuditText(a *AuditEntry) string {
	if s, ok := accountText(a); ok {
		return s
	}
	var c struct {
		Detail string `json:"detail"`
		Reason string `json:"reason"`
		// The other actions' fields.
		Name, Version, File, Day      string
		Matters, Year, Days, Messages int
		Stages, Overdue               int
		Changed                       int      `json:"changed_days"`
		Failures                      int      `json:"failures_reported"`
		Message                       uint64   `json:"message"`
		To                            []string `json:"to"`
		Error                         string   `json:"last_error"`
	}
	if json.Unmarshal(a.Content, &c) != nil {
		return string(a.Content)
	}
	if c.Detail != "" {
		if c.Reason != "" {
			return c.Detail + "（原因：" + c.Reason + "）"
		}
		return c.Detail
	}
	switch a.Action {
	case AuditInit:
		return fmt.Sprintf("启用公开目录《%s》（版本 %s，%d 个事项）", c.Name, c.Version, c.Matters)
	case AuditCatalogImport:
		return fmt.Sprintf("从文件 %s 导入公开目录《%s》（版本 %s，%d 个事项），取代现行目录", c.File, c.Name, c.Version, c.Matters)
	case AuditCalendarImport:
		return fmt.Sprintf("从文件 %s 导入 %d 年放假安排（%d 个日期，%d 天的判定因此改变）", c.File, c.Year, c.Days, c.Changed)
	case AuditRemind:
		text := fmt.Sprintf("%s 的提醒：排入 %d 封邮件，记下 %d 个提醒", c.Day, c.Messages, c.Stages)
		if c.Failures > 0 {
			text += fmt.Sprintf("，向专员报告 %d 封投递失败或延迟的邮件", c.Failures)
		}
		return text
	case AuditRequeue:
		text := fmt.Sprintf("邮件 %d 重新排入待发，收件人 %s", c.Message, strings.Join(c.To, "、"))
		if c.Error != "" {
			text += "（此前的错误：" + c.Error + "）"
		}
		return text
	case AuditReport:
		return fmt.Sprintf("%s 的周报：排入 %d 封邮件，当时逾期 %d 项", c.Day, c.Messages, c.Overdue)
	case AuditBackup:
		return "备份整个数据库（含账号的密码校验值），写到 " + c.File
	}
	return string(a.Content)
}

// AuditConcerns reports whether entry a concerns event id: it changed the
// event, or bound it in a baseline.
func AuditConcerns(a *AuditEntry, id uint64) bool {
	if a.Subject == subject(subjectEvent, id) {
		return true
	}
	if a.Action != AuditBaseline {
		return false
	}
	var c baselineContent
	if json.Unmarshal(a.Content, &c) != nil {
		return false
	}
	for _, b := range c.Events {
		if b.Event == id {
			return true
		}
	}
	return false
}

// AuditAction reads an action as people write it: its code (cancelled) or
// its Chinese name (作废); ok is false for neither.
func AuditAction(s string) (action string, ok bool) {
	s = strings.TrimSpace(s)
	for _, a := range AuditActions() {
		if s == a || s == AuditActionName(a) {
			return a, true
		}
	}
	return "", false
}

// AuditActions lists every action the audit log records.
func AuditActions() []string {
	return []string{AuditInit, ActLogged, ActImported, ActDisclosed, ActWaived, ActAmended, ActRetracted, ActReopened,
		ActCancelled, ActRestored, ActRecomputed, AuditCatalogImport, AuditCalendarImport, AuditRemind,
		AuditRequeue, AuditReport, AuditBaseline, AuditBackup, AuditLogin, AuditLoginFailed, AuditLocked, AuditLogout,
		AuditPasswordChanged, AuditPasswordReset, AuditTokenIssued, AuditTokenRevoked, AuditAccountCreated,
		AuditAccountChanged, AuditAccountDisabled, AuditAccountEnabled, AuditAccountUnlocked,
		AuditSectionCreated, AuditSectionChanged}
}
