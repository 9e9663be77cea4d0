package tracker

import (
	"errors"
	"fmt"
)

// Error codes: what kind of failure an Error is. Every front end maps them
// in one table: the CLI to its exit status, the API to an HTTP status.
const (
	EInvalid     = "invalid"     // bad input: nothing was written
	ENotFound    = "not_found"   // no such matter, event, message or database
	EConflict    = "conflict"    // the record's state does not allow it (e.g. a closed event)
	EBusy        = "busy"        // the database stayed locked by another process; retry
	EUnavailable = "unavailable" // something the setup provides cannot be used: a mail server, a folder
	EDamaged     = "damaged"     // stored data cannot be read: restore from a backup
	EForbidden   = "forbidden"   // the account's roles do not allow it: nothing was done
	// A login refused: a wrong name or password (never said which), or
	// an account locked after too many.
	EUnauthenticated = "unauthenticated"
	ELocked          = "locked"
	// EMustChange: the account's password must be changed (the first
	// login, or after a reset) before anything else is done.
	EMustChange = "password_change_required"
)

// Fields an Error may concern. They are stable names: the CLI turns them
// into its flags and arguments, the API returns them as they are, the web
// puts the message beside the form field.
const (
	FieldKind        = "kind"         // formed or changed
	FieldSummary     = "summary"      // the event's summary
	FieldDate        = "date"         // the day of the event, or of a disclosure
	FieldRef         = "ref"          // 文号
	FieldMatter      = "matter"       // a 序号 or a name
	FieldEvent       = "event"        // an event id
	FieldChannel     = "channel"      // a disclosure channel
	FieldChannels    = "channels"     // the choice of channels as a whole
	FieldURL         = "url"          // a disclosure's evidence
	FieldNote        = "note"         // a disclosure's note
	FieldReason      = "reason"       // why a correction is made
	FieldAmendment   = "amendment"    // an amendment as a whole (nothing to amend)
	FieldMessage     = "message"      // an outbox message id
	FieldTo          = "to"           // a recipient address
	FieldAsOf        = "as_of"        // the day a question is asked as of
	FieldDateRange   = "date_range"   // a range of days as a whole (from after to)
	FieldDueWithin   = "due_within"   // a horizon in working days
	FieldFile        = "file"         // a file to import, or to write
	FieldDatabase    = "database"     // the database file
	FieldRecipients  = "recipients"   // who hears: the configuration's recipients
	FieldCatalog     = "catalog"      // the catalogue in force
	FieldBy          = "by"           // who acts: an account, or the name given
	FieldState       = "state"        // an event's state as a whole (cancelled or not)
	FieldStatus      = "status"       // a status asked for in a query
	FieldLevel1      = "level1"       // a 一级事项
	FieldText        = "text"         // text searched for
	FieldAction      = "action"       // an audited action asked for
	FieldActor       = "actor"        // who acted, asked for
	FieldForce       = "force"        // the confirmation of a change that needs one
	FieldAccount     = "account"      // an account's name
	FieldRole        = "role"         // an account's roles
	FieldPassword    = "password"     // a password, never shown
	FieldSection     = "section"      // a section (股室)
	FieldToken       = "token"        // a CLI token or a web session, never shown
	FieldNewPassword = "new_password" // the password that replaces one
	FieldEmail       = "email"        // an account's e-mail address
	FieldDisplay     = "display"      // an account's name as people read it
	FieldVersion     = "version"      // the version of a record a change was made against
)

// Error is a failure that any front end can render: a code, the field it
// concerns ("" when none), and a sentence in Chinese for people that names
// the value and no flag or command of any front end.
type Error struct {
	Code    string
	Field   string
	Message string
	// Err is the underlying failure, if any, for errors.Is and logs.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying failure.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code, no field, and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about a field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid *Error about a field.
func Invalid(field, format string, args ...any) *Error {
	return FieldErrorf(EInvalid, field, format, args...)
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorCode returns the code of the *Error in err's chain, or "".
func ErrorCode(err error) string {
	if e := AsError(err); e != nil {
		return e.Code
	}
	return ""
}

// ErrorField returns the field of the *Error in err's chain, or "".
func ErrorField(err error) string {
	if e := AsError(err); e != nil {
		return e.Field
	}
	return ""
}
