package access

import (
	"fmt"
	"time"
	"unicode/utf8"

	"gongkai/tracker"
)

// Account is a person's account on the server.
type Account struct {
	Name     string   `json:"name"`              // what they log in with: a-z, 0-9, ".", "_", "-"
	Display  string   `json:"display,omitempty"` // 张三
	Email    string   `json:"email,omitempty"`
	Roles    []Role   `json:"roles"`
	Sections []string `json:"sections,omitempty"` // the 股室 a staff member logs for
	// PasswordHash is the argon2id hash (Hasher); MustChange asks for a
	// new password at the next login (the first, and after a reset).
	PasswordHash string `json:"password_hash"`
	MustChange   bool   `json:"must_change"`
	Disabled     bool   `json:"disabled,omitempty"`
	// Failures counts the failed logins since the last good one;
	// LockedUntil is when a lock after too many ends.
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Created     time.Time `json:"created"`
}

// MaxAccountName is the longest account name, in characters.
const MaxAccountName = 32

// CheckName checks an account name: 1 to 32 characters, lower-case
// letters, digits, ".", "_" and "-", starting with a letter, as people
// type it at a login prompt on any keyboard.
func CheckName(name string) error {
	if name == "" {
		return tracker.Invalid(tracker.FieldAccount, "账号名不能为空")
	}
	if n := utf8.RuneCountInString(name); n > MaxAccountName {
		return tracker.Invalid(tracker.FieldAccount, "账号名太长：%d 个字符，至多 %d 个", n, MaxAccountName)
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'):
		default:
			return tracker.Invalid(tracker.FieldAccount, "账号名 %q 无效：只能用小写字母、数字和 . _ -，并以字母开头（如 zhangsan）", name)
		}
	}
	return nil
}

// Lockout is how many failed logins in a row lock an account, and for
// how long.
type Lockout struct {
	After int
	For   time.Duration
}

// DefaultLockout: five failures lock the account for 15 minutes.
var DefaultLockout = Lockout{After: 5, For: 15 * time.Minute}

// OrDefault is l, or DefaultLockout when l is not set.
func (l Lockout) OrDefault() Lockout {
	if l.After < 1 || l.For <= 0 {
		return DefaultLockout
	}
	return l
}

// Locked reports whether the account is locked at now.
func (a *Account) Locked(now time.Time) bool { return now.Before(a.LockedUntil) }

// Attempt records a login attempt at now whose password was right (ok)
// or not, and returns nil when the login may go on. A locked account is
// refused whatever the password (ELocked), and the attempt not counted;
// the caller asks Locked before it hashes anything (Hasher.VerifyNone
// keeps the time the same) and keeps the account's record in the same
// transaction as its check, so that parallel guesses all count. Five
// failures in a row (l) lock the account for l.For.
func (a *Account) Attempt(now time.Time, ok bool, l Lockout) error {
	l = l.OrDefault()
	if a.Locked(now) {
		return tracker.FieldErrorf(ELocked, tracker.FieldAccount, "账号 %s 因多次密码错误已锁定，%s后可再试（或请系统管理员解锁）",
			a.Name, minutes(a.LockedUntil.Sub(now)))
	}
	if ok {
		a.Failures, a.LockedUntil = 0, time.Time{}
		return nil
	}
	a.Failures++
	if a.Failures >= l.After {
		a.Failures, a.LockedUntil = 0, now.Add(l.For)
		return tracker.FieldErrorf(ELocked, tracker.FieldAccount, "账号 %s 连续 %d 次密码错误，已锁定%s", a.Name, l.After, minutes(l.For))
	}
	return tracker.FieldErrorf(EBadLogin, tracker.FieldPassword, "账号或密码错误")
}

// Error codes of a login (tracker's).
const (
	EBadLogin = tracker.EUnauthenticated
	ELocked   = tracker.ELocked
)

// Unlock lifts a lock before its time (an administrator's doing).
func (a *Account) Unlock() { a.Failures, a.LockedUntil = 0, time.Time{} }

// minutes says a duration in whole minutes, rounded up: " 15 分钟".
func minutes(d time.Duration) string {
	return fmt.Sprintf(" %d 分钟", int((d+time.Minute-1)/time.Minute))
}
