package tracker

import (
	"errors"
	"fmt"
)

// Error codes: what kind of failure an Error is, for the exit status.
const (
	EInvalid  = "invalid"   // bad input: nothing was written
	ENotFound = "not_found" // no such matter or event
	EConflict = "conflict"  // the event's state does not allow it (e.g. closed)
)

// Error is a failure of the domain, with a sentence for people (in Chinese)
// that names the field and the value.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
