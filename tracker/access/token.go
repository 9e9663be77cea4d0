package access

import (
	"fmt"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
)

// TokenKind says what a token is for.
type TokenKind string

const (
	// CLIToken is what `gongkai login` stores on a desk: valid for
	// CLITokenLife from its issue, whatever its use.
	CLIToken TokenKind = "cli"
	// WebSession is a browser's session cookie: it ends after
	// SessionIdle without use, and SessionLife after its start.
	WebSession TokenKind = "web"
	// FeedToken is the secret of an account's calendar feed (an address
	// to subscribe to in Outlook or Foxmail): it reads the account's
	// deadlines and nothing else, and lasts FeedLife unless revoked.
	FeedToken TokenKind = "feed"
)

// Lifetimes of tokens and sessions.
const (
	CLITokenLife = 90 * 24 * time.Hour
	SessionIdle  = 30 * time.Minute
	SessionLife  = 12 * time.Hour
	FeedLife     = 5 * 365 * 24 * time.Hour
	// touchEvery: a session's last use is stored again only when it is
	// older than this, so that reading a page is not a write.
	touchEvery = time.Minute
)

// Token is a CLI token or a web session, kept by the hash of its secret
// (TokenHash): the secret itself is shown once, to whoever logged in,
// and never stored.
type Token struct {
	Hash     string    `json:"hash"`
	Kind     TokenKind `json:"kind"`
	Account  string    `json:"account"`
	Label    string    `json:"label,omitempty"`  // the desk or browser it was issued to, as it said
	Source   string    `json:"source,omitempty"` // the address it was issued to
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// IDLength is the length of a token's public id.
const IDLength = 12

// ID names the token in lists and for revocation: the first characters of
// its hash, which say nothing of the secret.
func (t *Token) ID() string {
	if len(t.Hash) < IDLength {
		return t.Hash
	}
	return t.Hash[:IDLength]
}

// NewTokenFor issues a token of a kind to an account at now: the secret
// to hand over once, and the record to keep.
func NewTokenFor(kind TokenKind, account, label, source string, now time.Time) (secret string, t *Token) {
	secret, hash := NewToken()
	t = &Token{Hash: hash, Kind: kind, Account: account, Label: label, Source: source, Created: now, LastUsed: now}
	switch kind {
	case WebSession:
		t.Expires = now.Add(SessionLife)
	case FeedToken:
		t.Expires = now.Add(FeedLife)
	default:
		t.Expires = now.Add(CLITokenLife)
	}
	return secret, t
}

// Valid returns nil when the token may be used at now, and otherwise an
// EUnauthenticated error saying why: expired, or a session idle too long.
func (t *Token) Valid(now time.Time) error {
	if !now.Before(t.Expires) {
		if t.Kind == WebSession {
			return tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "会话已超过 %s，请重新登录", hours(SessionLife))
		}
		return tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "登录凭据已于 %s 过期，请重新登录",
			t.Expires.In(calendar.Shanghai).Format("2006-01-02 15:04"))
	}
	if t.Kind == WebSession && !now.Before(t.LastUsed.Add(SessionIdle)) {
		return tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "超过 %d 分钟未操作，已自动退出，请重新登录", int(SessionIdle/time.Minute))
	}
	return nil
}

// Touch records a use at now, and reports whether the record changed
// enough to be stored again (a session's idle clock).
func (t *Token) Touch(now time.Time) bool {
	if !t.Stale(now) {
		return false
	}
	t.LastUsed = now
	return true
}

// Stale reports whether the record's last use is old enough at now to
// be stored again: kept copies of it are read afresh then.
func (t *Token) Stale(now time.Time) bool { return now.Sub(t.LastUsed) >= touchEvery }

func hours(d time.Duration) string {
	return fmt.Sprintf("%d 小时", int(d/time.Hour))
}

// Store is where accounts, sections and tokens are kept: a transaction of
// the database. Lookups of what does not exist are tracker.ENotFound
// errors naming the field.
type Store interface {
	Account(name string) (*Account, error)
	PutAccount(*Account) error
	// Accounts calls fn for every account in name order.
	Accounts(fn func(*Account) error) error

	Section(name string) (*Section, error)
	PutSection(*Section) error
	// Sections calls fn for every section in name order.
	Sections(fn func(*Section) error) error

	// Token returns the token with a hash (TokenHash of its secret).
	Token(hash string) (*Token, error)
	PutToken(*Token) error
	DeleteToken(hash string) error
	// Tokens calls fn for every token in hash order; fn must not store.
	Tokens(fn func(*Token) error) error
}
