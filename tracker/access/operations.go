package access

import (
	"slices"

	"gongkai/tracker"
)

// Operation is something a request asks of the application layer. Each
// is allowed to the roles listed in grants and to no one else: an
// operation missing from the table is refused to everybody.
type Operation string

// The operations, as the application layer offers them.
const (
	// Events.
	OpLog          Operation = "events.log"
	OpDisclose     Operation = "events.disclose"
	OpWaive        Operation = "events.waive"
	OpAmend        Operation = "events.amend"
	OpRetract      Operation = "events.retract"
	OpReopen       Operation = "events.reopen"
	OpCancel       Operation = "events.cancel"
	OpRestore      Operation = "events.restore"
	OpImportEvents Operation = "events.import"
	OpEvents       Operation = "events.list"
	OpEvent        Operation = "events.show"
	// The catalogue.
	OpMatters       Operation = "matters.list"
	OpImportCatalog Operation = "catalog.import"
	// The calendar.
	OpCalendar       Operation = "calendar.read"
	OpImportCalendar Operation = "calendar.import"
	// Reports and the outbox.
	OpWeeklyReport     Operation = "reports.weekly"
	OpSendWeeklyReport Operation = "reports.send"
	OpRemindRun        Operation = "reminders.run"
	OpOutbox           Operation = "outbox.list"
	OpFlushOutbox      Operation = "outbox.flush"
	OpRetryMessage     Operation = "outbox.retry"
	// The audit log.
	OpAudit       Operation = "audit.list"
	OpVerifyAudit Operation = "audit.verify"
	OpLogins      Operation = "audit.logins"
	// The system.
	OpAccounts Operation = "accounts.manage"
	OpSections Operation = "sections.manage"
	OpBackup   Operation = "system.backup"
	OpCheck    Operation = "system.check"
	OpStatus   Operation = "system.status"
	// Only on the server's machine, by whoever can open the database or
	// the server's socket: granted to no role.
	OpInit Operation = "system.init"
	OpDump Operation = "system.dump"
	OpJobs Operation = "system.jobs" // the daemon's own runs
	// Every account, on itself.
	OpOwnAccount Operation = "account.own" // who am I, change my password, my tokens
)

// grants is who may do what. Staff see and log the events of their
// sections only: the application layer narrows what they reach (Scope).
var grants = map[Operation][]Role{
	OpLog:          {Staff, Officer},
	OpDisclose:     {Officer},
	OpWaive:        {Officer},
	OpAmend:        {Officer},
	OpRetract:      {Officer},
	OpReopen:       {Officer},
	OpCancel:       {Officer},
	OpRestore:      {Officer},
	OpImportEvents: {Officer},
	OpEvents:       {Staff, Officer, Supervisor},
	OpEvent:        {Staff, Officer, Supervisor},

	OpMatters:       {Staff, Officer, Supervisor, Admin},
	OpImportCatalog: {Admin},

	OpCalendar:       {Staff, Officer, Supervisor, Admin},
	OpImportCalendar: {Admin},

	OpWeeklyReport:     {Officer, Supervisor},
	OpSendWeeklyReport: {Officer},
	OpRemindRun:        {Officer},
	OpOutbox:           {Officer, Admin},
	OpFlushOutbox:      {Officer, Admin},
	OpRetryMessage:     {Officer, Admin},

	OpAudit:       {Auditor},
	OpVerifyAudit: {Auditor, Admin},
	OpLogins:      {Auditor},

	OpAccounts: {Admin},
	OpSections: {Admin},
	OpBackup:   {Admin},
	OpCheck:    {Admin},
	OpStatus:   {Admin, Officer},

	OpOwnAccount: {Staff, Officer, Supervisor, Admin, Auditor},

	OpInit: {},
	OpDump: {},
	OpJobs: {},
}

// Operations are every operation the table knows, in a stable order.
func Operations() []Operation {
	var ops []Operation
	for op := range grants {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Allowed reports whether an account holding roles may do op. Roles no
// account may hold together (a record changed behind gongkai's back)
// allow nothing.
func Allowed(roles []Role, op Operation) bool {
	if CheckRoles(roles) != nil {
		return false
	}
	for _, r := range grants[op] {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// AllowedTo returns the roles that may do op, in their order.
func AllowedTo(op Operation) []Role {
	var out []Role
	for _, r := range Roles {
		if slices.Contains(grants[op], r) {
			out = append(out, r)
		}
	}
	return out
}

// Check returns nil when roles allow op, and otherwise an error saying
// which roles would (code "forbidden", field "role").
func Check(roles []Role, op Operation) error {
	if Allowed(roles, op) {
		return nil
	}
	need := AllowedTo(op)
	if len(need) == 0 {
		return tracker.FieldErrorf(tracker.EForbidden, tracker.FieldRole, "这项操作只能在服务器本机上进行（%s），任何账号都不能远程进行", op)
	}
	have := "没有角色"
	if len(roles) > 0 {
		have = "是" + RoleNames(roles)
	}
	return tracker.FieldErrorf(tracker.EForbidden, tracker.FieldRole, "这项操作需要%s的角色；当前账号%s", orNames(need), have)
}

// orNames names roles as alternatives: 经办人员或公开专员.
func orNames(rs []Role) string {
	s := ""
	for i, r := range rs {
		switch {
		case i == 0:
		case i == len(rs)-1:
			s += "或"
		default:
			s += "、"
		}
		s += r.Name()
	}
	return s
}
