package app

import (
	"context"
	"io"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Service is every operation of gongkai, as front ends call it. Inputs and
// results are plain data (JSON-friendly), so that a remote client can
// implement it too. Who acts comes from the context (WithActor).
type Service interface {
	// Init sets up the database with the embedded catalogue; a database
	// that has one is left as it is.
	Init(ctx context.Context) (*InitResult, error)

	// Log records that a matter's information was formed or changed.
	Log(ctx context.Context, in LogInput) (*EventDetail, error)
	// Disclose records disclosures of an event.
	Disclose(ctx context.Context, in DiscloseInput) (*EventDetail, error)
	// Waive closes an event without disclosure, for a reason.
	Waive(ctx context.Context, in WaiveInput) (*EventDetail, error)
	// Amend corrects an event; its deadline and status follow.
	Amend(ctx context.Context, in AmendInput) (*EventDetail, error)
	// Retract voids an event's disclosures on a channel.
	Retract(ctx context.Context, in RetractInput) (*EventDetail, error)
	// Reopen reopens a closed event.
	Reopen(ctx context.Context, in ReopenInput) (*EventDetail, error)
	// ImportEvents adds the events of an office's ledger (台账), all or
	// none, or, dry, says what it would add.
	ImportEvents(ctx context.Context, in ImportEventsInput) (*ImportEventsResult, error)
	// Cancel voids an event logged by mistake (作废); Restore undoes it.
	Cancel(ctx context.Context, in ReasonInput) (*EventDetail, error)
	Restore(ctx context.Context, in ReasonInput) (*EventDetail, error)

	// Events lists the events a query selects, by id.
	Events(ctx context.Context, q EventQuery) (*EventList, error)
	// Event returns one event whole, as of a day.
	Event(ctx context.Context, q EventRef) (*EventDetail, error)
	// Overview is where the office stands as of a day: the dashboard's
	// figures, within what the asker reaches.
	Overview(ctx context.Context, q OverviewQuery) (*Overview, error)

	// Matters lists the catalogue's matters, or those whose names contain
	// a text.
	Matters(ctx context.Context, q MatterQuery) (*MatterList, error)
	// Matter finds one matter by its 序号 or a fragment of its name.
	Matter(ctx context.Context, query string) (*MatterDetail, error)
	// ImportCatalog replaces the catalogue in force, or, dry, says what
	// it would change. It refuses, unless forced, to remove matters that
	// have events or to change their 公开时限 (EConflict, field "force").
	ImportCatalog(ctx context.Context, in CatalogImportInput) (*CatalogImportResult, error)

	// Audit lists the audit log.
	Audit(ctx context.Context, q AuditQuery) (*AuditList, error)
	// VerifyAudit checks the audit log's chain and the stored events
	// against it, and lists the entries written under a simulated time; a
	// break, or events stored otherwise than the log says, is an EDamaged
	// error naming the entry or the events.
	VerifyAudit(ctx context.Context) (*AuditVerification, error)

	// Calendar returns the calendar in force.
	Calendar(ctx context.Context) (*calendar.Calendar, error)
	// ImportCalendar imports a year's schedule (or, dry, says what it
	// would change), and recomputes the deadlines it moves.
	ImportCalendar(ctx context.Context, in CalendarImportInput) (*CalendarImportResult, error)

	// RemindRun is one reminder run: the reminders due on a day, one
	// digest per recipient, queued and sent.
	RemindRun(ctx context.Context, in RemindInput) (*RemindResult, error)
	// WeeklyReport builds the weekly report as of a day, without
	// recording anything.
	WeeklyReport(ctx context.Context, in ReportInput) (*tracker.WeeklyReport, error)
	// SendWeeklyReport builds the weekly report as of a day, queues it for
	// the supervisors and officers (once per report day) and sends it.
	SendWeeklyReport(ctx context.Context, in ReportInput) (*ReportSent, error)
	// SentReports lists the weekly reports as they were queued to go out;
	// SentReportContent returns one whole, as it was.
	SentReports(ctx context.Context) (*SentReportList, error)
	SentReportContent(ctx context.Context, day calendar.Date) (*SentReport, error)
	// SendDueWeeklyReports queues the weekly reports that a schedule made
	// due up to now and that have not gone out: the daemon's job, which
	// also makes up reports missed while it was down and moves a report
	// due on a day off to the next working day.
	SendDueWeeklyReports(ctx context.Context, schedule Schedule) (*ReportSent, error)

	// Outbox lists the outbox's messages (without their content).
	Outbox(ctx context.Context) (*OutboxList, error)
	// FlushOutbox sends the messages that are due; with Now, those that
	// wait for a retry too (what failed was fixed).
	FlushOutbox(ctx context.Context, in FlushInput) (*Delivery, error)
	// RetryMessage requeues a failed message, to corrected addresses when
	// given, and sends what is due.
	RetryMessage(ctx context.Context, in RetryInput) (*Delivery, error)

	// Status says how the server stands: the database, the outbox, the
	// last backup.
	Status(ctx context.Context) (*SystemStatus, error)
	// Backup writes a consistent copy of the database to a new file.
	Backup(ctx context.Context, dst string) error
	// Check checks the database: its file, its records, its audit log,
	// and the stored events against the log.
	Check(ctx context.Context) (*CheckResult, error)
	// Dump writes every record of the database (of one bucket, when
	// bucket is not "") to w as a line of JSON each, from one read.
	Dump(ctx context.Context, bucket string, w io.Writer) error

	// Login checks an account's password and issues a token; Logout
	// revokes the one in use; Whoami is the account that acts;
	// ChangePassword changes its own password.
	Login(ctx context.Context, in LoginInput) (*LoginResult, error)
	Logout(ctx context.Context) error
	Whoami(ctx context.Context) (*AccountInfo, error)
	ChangePassword(ctx context.Context, in PasswordChange) error
	// Tokens lists tokens (one's own; an administrator's, anyone's);
	// RevokeToken revokes one, refused from then on.
	Tokens(ctx context.Context, q TokenQuery) (*TokenList, error)
	RevokeToken(ctx context.Context, in TokenRevoke) error

	// CreateAccount adds an account with a one-time password;
	// ResetPassword gives it a new one and revokes its tokens.
	CreateAccount(ctx context.Context, in AccountInput) (*AccountPassword, error)
	ResetPassword(ctx context.Context, name string) (*AccountPassword, error)
	Accounts(ctx context.Context) (*AccountList, error)
	UpdateAccount(ctx context.Context, in AccountUpdate) (*AccountInfo, error)
	// SetAccountState disables (revoking its tokens), enables or unlocks
	// an account.
	SetAccountState(ctx context.Context, in AccountState) (*AccountInfo, error)
	// PutSection creates or changes a section; Sections lists them.
	PutSection(ctx context.Context, in SectionInput) (*access.Section, error)
	Sections(ctx context.Context) (*SectionList, error)
}

// Schedule is when a job falls due; robfig/cron's schedules are ones.
type Schedule interface {
	Next(time.Time) time.Time
}

// InitResult says what Init found or did.
type InitResult struct {
	Created bool        `json:"created"` // the catalogue was loaded now
	Catalog CatalogInfo `json:"catalog"`
}

// CatalogInfo names a catalogue.
type CatalogInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Matters int    `json:"matters"`
}

// LogInput is what a member of staff says when logging an event.
type LogInput struct {
	Matter  string        `json:"matter"` // a 序号 or a fragment of a name
	Kind    tracker.Kind  `json:"kind"`
	Date    calendar.Date `json:"date"` // zero: today
	Summary string        `json:"summary"`
	Ref     string        `json:"ref"`
	// DryRun checks the input and returns the event it would log (id 0,
	// its deadline computed), writing nothing: a form's preview.
	DryRun bool `json:"dry_run,omitempty"`
}

// DiscloseInput records disclosures of an event.
type DiscloseInput struct {
	Event uint64 `json:"event"`
	// Version, when not 0, is the version of the event the change was
	// made against (EventDetail.Version): changed since, it is refused.
	Version  int               `json:"version,omitempty"`
	Channels []tracker.Channel `json:"channels"`
	All      bool              `json:"all"`  // every channel still pending, instead of Channels
	Date     calendar.Date     `json:"date"` // zero: today
	URL      string            `json:"url"`
	Note     string            `json:"note"`
}

// WaiveInput closes an event without disclosure.
type WaiveInput struct {
	Event uint64 `json:"event"`
	// Version, when not 0, is the version of the event the change was
	// made against (EventDetail.Version): changed since, it is refused.
	Version int    `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

// AmendInput corrects an event; nil or "" leaves a value as it is.
type AmendInput struct {
	Event uint64 `json:"event"`
	// Version, when not 0, is the version of the event the change was
	// made against (EventDetail.Version): changed since, it is refused.
	Version int            `json:"version,omitempty"`
	Date    *calendar.Date `json:"date,omitempty"`
	Matter  string         `json:"matter,omitempty"`
	Summary *string        `json:"summary,omitempty"`
	Ref     *string        `json:"ref,omitempty"`
	Reason  string         `json:"reason"`
}

// RetractInput voids an event's disclosures on a channel.
type RetractInput struct {
	Event uint64 `json:"event"`
	// Version, when not 0, is the version of the event the change was
	// made against (EventDetail.Version): changed since, it is refused.
	Version int             `json:"version,omitempty"`
	Channel tracker.Channel `json:"channel"`
	Reason  string          `json:"reason"`
}

// ReopenInput reopens a closed event.
type ReopenInput = ReasonInput

// ReasonInput names an event and why it is changed.
type ReasonInput struct {
	Event uint64 `json:"event"`
	// Version, when not 0, is the version of the event the change was
	// made against (EventDetail.Version): changed since, it is refused.
	Version int    `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

// EventRef names an event, seen as of a day (zero: today).
type EventRef struct {
	ID   uint64        `json:"id"`
	AsOf calendar.Date `json:"as_of"`
}

// EventDetail is one event as of a day: its view, and the whole record
// (disclosures and history).
type EventDetail struct {
	AsOf  calendar.Date     `json:"as_of"`
	View  tracker.EventView `json:"view"`
	Event *tracker.Event    `json:"event"`
	// LateAfter is the working days after which a logging is late, to
	// explain the 补登 flag.
	LateAfter int `json:"late_after"`
	// Version counts the event's changes: a change made against it
	// (If-Match) is refused once another has been made.
	Version int `json:"version"`
}

// EventQuery selects events. Zero values select everything.
type EventQuery struct {
	Open    bool `json:"open"`    // open, overdue included
	Overdue bool `json:"overdue"` // open and past the deadline
	// DueWithin, when not nil, selects open events not overdue that fall
	// due within that many working days.
	DueWithin *int          `json:"due_within,omitempty"`
	Matter    string        `json:"matter,omitempty"` // a 序号 or a fragment of a name
	From      calendar.Date `json:"from"`             // the event's date, inclusive
	To        calendar.Date `json:"to"`
	AsOf      calendar.Date `json:"as_of"` // zero: today
	// Status selects events in any of these statuses as of AsOf; none
	// means every status but cancelled (作废), which only asking lists.
	Status []tracker.Status `json:"status,omitempty"`
	// Level1 selects the events of a 一级事项: its name, or a fragment
	// of it.
	Level1 string `json:"level1,omitempty"`
	// Section selects the events of a section's (股室) 一级事项.
	Section string `json:"section,omitempty"`
	// Text selects events whose summary or 文号 contains it.
	Text string `json:"text,omitempty"`
	// By selects the events logged by that person (登记人).
	By string `json:"by,omitempty"`
	// DueFrom and DueTo, when both are set, select the events whose
	// deadline falls between them, inclusive (read from the index of
	// deadlines).
	DueFrom calendar.Date `json:"due_from"`
	DueTo   calendar.Date `json:"due_to"`
	// Order is the list's order: OrderID (the default) or OrderDeadline
	// (deadline, then id).
	Order string `json:"order,omitempty"`
	// Offset and Limit, when Limit > 0, select a page of the list: read
	// in id order, the reading stops once the page is full.
	Offset int `json:"offset,omitempty"`
	Limit  int `json:"limit,omitempty"`
}

// Orders of an event list.
const (
	OrderID       = "id"
	OrderDeadline = "deadline"
)

// EventList is the events a query selected, as of a day.
type EventList struct {
	AsOf   calendar.Date       `json:"as_of"`
	Events []tracker.EventView `json:"events"`
	// Office is the catalogue's 公开主体, whom an export is from.
	Office string `json:"office,omitempty"`
	// More: a page (EventQuery.Limit) has events after it.
	More bool `json:"more,omitempty"`
}

// MatterQuery selects matters.
type MatterQuery struct {
	Search string `json:"search"` // a fragment of the name; "" for all
}

// MatterList is the matters a query selected.
type MatterList struct {
	Catalog CatalogInfo      `json:"catalog"`
	Matters []tracker.Matter `json:"matters"`
}

// MatterDetail is one matter and its catalogue.
type MatterDetail struct {
	Catalog CatalogInfo    `json:"catalog"`
	Matter  tracker.Matter `json:"matter"`
}

// FileInput is a file given to an import: its name (for the record and
// messages) and its content.
type FileInput struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// AuditQuery selects audit entries by the day of the operation.
type AuditQuery struct {
	From calendar.Date `json:"from"`
	To   calendar.Date `json:"to"`
	// Event, when not 0, selects the entries about that event.
	Event uint64 `json:"event,omitempty"`
	// Actor selects the entries of whoever acted (操作人).
	Actor string `json:"actor,omitempty"`
	// Action selects one action: its code or its Chinese name.
	Action string `json:"action,omitempty"`
	// Logins selects the login history: logins, failures, locks,
	// logouts, password changes, tokens issued and revoked.
	Logins bool `json:"logins,omitempty"`
}

// AuditList is the audit entries a query selected.
type AuditList struct {
	Entries []AuditView `json:"entries"`
}

// AuditView is an audit entry as people read it.
type AuditView struct {
	tracker.AuditEntry
	ActionName  string `json:"action_name"`
	SubjectName string `json:"subject_name"`
	Text        string `json:"text"`
	// Simulated: At, the operation's time, was simulated (GONGKAI_NOW):
	// it is more than a minute from Clock, the machine's.
	Simulated bool `json:"simulated"`
}

// MaxSimulated is how many entries written under a simulated time an
// AuditVerification lists.
const MaxSimulated = 100

// AuditVerification is the result of a verified chain.
type AuditVerification struct {
	Head tracker.AuditHead `json:"head"`
	// Simulated are the first MaxSimulated entries written under a
	// simulated time, in order; SimulatedCount counts them all (a replayed
	// database may be simulated throughout).
	Simulated      []AuditView `json:"simulated"`
	SimulatedCount int         `json:"simulated_count"`
	// EventBinding compares the stored events with the log: bound,
	// unbound, mismatched, unaudited, missing. A verification returned
	// without an error has none mismatched, unaudited or missing.
	tracker.EventBinding
}

// CatalogImportInput imports a catalogue.
type CatalogImportInput struct {
	FileInput
	// DryRun says what the import would change, and changes nothing.
	DryRun bool `json:"dry_run"`
	// Force imports even when matters that have events are removed or
	// their 公开时限 changes (their events keep what they were logged
	// with).
	Force bool `json:"force"`
}

// CatalogImportResult says what an import of a catalogue changed, or
// would change.
type CatalogImportResult struct {
	Before  CatalogInfo         `json:"before"`
	After   CatalogInfo         `json:"after"`
	Diff    tracker.CatalogDiff `json:"diff"`
	Kept    []KeptEvents        `json:"kept"`
	DryRun  bool                `json:"dry_run"`
	Applied bool                `json:"applied"`
}

// KeptEvents are the events of a matter the import removes or whose 公开时限
// it changes: they keep the matter's name, channels and 公开时限 as they were
// logged, and their deadlines.
type KeptEvents struct {
	Matter int    `json:"matter"`
	Name   string `json:"name"`
	// Why says what the import does to the matter, in Chinese.
	Why    string   `json:"why"`
	Events []uint64 `json:"events"`
}

// CalendarImportInput imports a year's schedule.
type CalendarImportInput struct {
	FileInput
	DryRun bool `json:"dry_run"`
}

// CalendarImportResult says what an import changed, or would change.
type CalendarImportResult struct {
	Year     int      `json:"year"`
	File     string   `json:"file"`
	DaysOff  int      `json:"days_off"`
	Makeup   int      `json:"makeup_days"`
	Warnings []string `json:"warnings"`
	// Changes are the days whose kind or name the import changes.
	Changes []DayChange `json:"changes"`
	// Settled counts the days that only stop being provisional.
	Settled int `json:"settled"`
	// Recomputed are the events whose deadline moved (none on a dry run).
	Recomputed []Recomputed `json:"recomputed"`
	DryRun     bool         `json:"dry_run"`
}

// DayChange is a day before and after an import.
type DayChange struct {
	Before calendar.Day `json:"before"`
	After  calendar.Day `json:"after"`
}

// Recomputed is an event whose deadline a calendar import moved.
type Recomputed struct {
	Event  tracker.EventView `json:"event"`
	Before calendar.Date     `json:"before"`
}

// RemindInput is one reminder run.
type RemindInput struct {
	Day    calendar.Date `json:"day"` // zero: today; a past day makes up a missed run
	DryRun bool          `json:"dry_run"`
}

// RemindResult says what a reminder run did.
type RemindResult struct {
	Day     calendar.Date `json:"day"`
	Workday bool          `json:"workday"` // false: a day off, nothing done
	// Queued are the messages queued (on a dry run: that would be),
	// content included.
	Queued   []*tracker.Message `json:"queued"`
	Delivery *Delivery          `json:"delivery,omitempty"`
}

// ReportInput names a report day (zero: today).
type ReportInput struct {
	Day calendar.Date `json:"day"`
}

// ReportSent says what sending reports did.
type ReportSent struct {
	Report   *tracker.WeeklyReport `json:"report,omitempty"`
	Queued   int                   `json:"queued"`
	Delivery *Delivery             `json:"delivery,omitempty"`
}

// OutboxList is the outbox.
type OutboxList struct {
	Messages []*tracker.Message `json:"messages"`
}

// RetryInput requeues a failed message.
type RetryInput struct {
	ID uint64   `json:"id"`
	To []string `json:"to,omitempty"`
}

// FlushInput says which messages a pass over the outbox sends.
type FlushInput struct {
	// Now: also those waiting for their retry time.
	Now bool `json:"now,omitempty"`
}

// Delivery counts what a pass over the outbox did, and says why each
// message it could not send was not sent.
type Delivery struct {
	Transport string            `json:"transport"`
	Sent      int               `json:"sent"`
	Retrying  int               `json:"retrying"`
	Failed    int               `json:"failed"`
	Failures  []DeliveryFailure `json:"failures,omitempty"`
}

// DeliveryFailure is a message a pass could not send: retried later, or
// (Permanent) failed for good.
type DeliveryFailure struct {
	Message   uint64   `json:"message"`
	To        []string `json:"to"`
	Error     string   `json:"error"`
	Permanent bool     `json:"permanent,omitempty"`
}

// CheckResult is what Check found: a database it returns is sound;
// damage is an EDamaged error.
type CheckResult struct {
	Path          string            `json:"path"`
	FileProblems  []string          `json:"file_problems,omitempty"`
	SchemaVersion int               `json:"schema_version"`
	Current       int               `json:"current_schema_version"`
	Outdated      bool              `json:"outdated"` // the next use upgrades it
	Catalog       *CatalogInfo      `json:"catalog,omitempty"`
	Events        int               `json:"events"`
	Open          int               `json:"open"`
	Audit         tracker.AuditHead `json:"audit"`
	// EventBinding compares the stored events with the audit log, as
	// VerifyAudit does.
	tracker.EventBinding
}
