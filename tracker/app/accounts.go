package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Accounts, sections, logins and tokens: the server's side of who acts.
// Every change is an audit entry naming who made it and from where; a
// password, its hash or a token's secret is never in one.

// AccountInput is a new account.
type AccountInput struct {
	Name     string        `json:"name"`
	Display  string        `json:"display,omitempty"`
	Email    string        `json:"email,omitempty"`
	Roles    []access.Role `json:"roles"`
	Sections []string      `json:"sections,omitempty"`
}

// AccountUpdate changes an account; nil leaves a value as it is.
type AccountUpdate struct {
	Name     string         `json:"name"`
	Display  *string        `json:"display,omitempty"`
	Email    *string        `json:"email,omitempty"`
	Roles    *[]access.Role `json:"roles,omitempty"`
	Sections *[]string      `json:"sections,omitempty"`
}

// AccountInfo is an account as it is shown: never its password's hash.
type AccountInfo struct {
	Name        string        `json:"name"`
	Display     string        `json:"display"`
	Email       string        `json:"email"`
	Roles       []access.Role `json:"roles"`
	RoleNames   string        `json:"role_names"`
	Sections    []string      `json:"sections"`
	MustChange  bool          `json:"must_change"`
	Disabled    bool          `json:"disabled"`
	LockedUntil time.Time     `json:"locked_until,omitzero"`
	Created     time.Time     `json:"created"`
}

// AccountPassword is an account with a one-time password, shown once.
type AccountPassword struct {
	Account  AccountInfo `json:"account"`
	Password string      `json:"password"`
}

// AccountList is every account.
type AccountList struct {
	Accounts []AccountInfo `json:"accounts"`
}

// AccountState disables, enables or unlocks an account.
type AccountState struct {
	Name   string `json:"name"`
	Action string `json:"action"` // disable, enable, unlock
}

// Actions of AccountState.
const (
	AccountDisable = "disable"
	AccountEnable  = "enable"
	AccountUnlock  = "unlock"
)

// SectionInput is a section to create (New) or change.
type SectionInput struct {
	Name   string   `json:"name"`
	Level1 []string `json:"level1"`
	New    bool     `json:"new"`
}

// SectionList is every section.
type SectionList struct {
	Sections []access.Section `json:"sections"`
}

// LoginInput is a login: a name and a password, and, for an account that
// must change its password, the new one.
type LoginInput struct {
	Account     string           `json:"account"`
	Password    string           `json:"password"`
	NewPassword string           `json:"new_password,omitempty"`
	Kind        access.TokenKind `json:"kind,omitempty"`  // cli (the default) or web
	Label       string           `json:"label,omitempty"` // the desk or browser, as it says
}

// LoginResult is a successful login: the token to keep (shown once).
type LoginResult struct {
	Token   string      `json:"token"`
	Expires time.Time   `json:"expires"`
	Account AccountInfo `json:"account"`
}

// PasswordChange is an account changing its own password.
type PasswordChange struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// TokenInfo is a token as it is listed: never its secret.
type TokenInfo struct {
	ID       string           `json:"id"`
	Kind     access.TokenKind `json:"kind"`
	Account  string           `json:"account"`
	Label    string           `json:"label"`
	Source   string           `json:"source"`
	Created  time.Time        `json:"created"`
	Expires  time.Time        `json:"expires"`
	LastUsed time.Time        `json:"last_used,omitzero"`
	Current  bool             `json:"current"` // the one this request came with
}

// TokenList is the tokens of one account, or of all.
type TokenList struct {
	Tokens []TokenInfo `json:"tokens"`
}

// TokenQuery names whose tokens to list: "" for the asker's own, "*" for
// every account's (administrators).
type TokenQuery struct {
	Account string `json:"account"`
}

// TokenRevoke revokes a token by its id.
type TokenRevoke struct {
	ID string `json:"id"`
}

func accountInfo(a *access.Account, now time.Time) AccountInfo {
	info := AccountInfo{Name: a.Name, Display: a.Display, Email: a.Email, Roles: a.Roles, RoleNames: access.RoleNames(a.Roles),
		Sections: a.Sections, MustChange: a.MustChange, Disabled: a.Disabled, Created: a.Created.In(calendar.Shanghai)}
	if info.Sections == nil {
		info.Sections = []string{}
	}
	if a.Locked(now) {
		info.LockedUntil = a.LockedUntil.In(calendar.Shanghai)
	}
	return info
}

// accountsOf returns tx's accounts, sections and tokens.
func accountsOf(tx tracker.Tx) (access.Store, error) {
	s, ok := tx.(access.Store)
	if !ok {
		return nil, tracker.Errorf(tracker.EUnavailable, "这个数据库不能保存账号")
	}
	return s, nil
}

// hasher returns the password hasher, made on first use.
func (l *Local) hasher() (*access.Hasher, error) {
	l.hashOnce.Do(func() {
		if l.cfg.Hasher != nil {
			l.hash = l.cfg.Hasher
			return
		}
		l.hash, l.hashErr = access.NewHasher(access.DefaultParams, access.DefaultParallel)
	})
	return l.hash, l.hashErr
}

// hashState keeps the hasher of a Local.
type hashState struct {
	hashOnce sync.Once
	hash     *access.Hasher
	hashErr  error
}

// accountWrite runs fn in a write transaction with the store of accounts.
// Whatever it changes, the principals known are read again: a token
// revoked, an account disabled or given other roles counts at once.
func (l *Local) accountWrite(ctx context.Context, fn func(u *unit, s access.Store) error) error {
	defer l.forgetPrincipals()
	return l.accountWriteKeeping(ctx, fn)
}

// accountWriteKeeping is accountWrite for what changes nothing a known
// principal holds (a login's counts and its new token, a session's idle
// clock): those stay known.
func (l *Local) accountWriteKeeping(ctx context.Context, fn func(u *unit, s access.Store) error) error {
	return l.write(ctx, func(u *unit) error {
		s, err := accountsOf(u.Tx)
		if err != nil {
			return err
		}
		return fn(u, s)
	})
}

// accountRead runs fn in a read transaction with the store of accounts
// (no calendar: accounts need none).
func (l *Local) accountRead(fn func(tx tracker.Tx, s access.Store) error) error {
	return l.cfg.Store.View(func(tx tracker.Tx) error {
		s, err := accountsOf(tx)
		if err != nil {
			return err
		}
		return fn(tx, s)
	})
}

// checkSections checks that every section named exists.
func checkSections(s access.Store, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if _, err := s.Section(n); err != nil {
			if tracker.ErrorCode(err) == tracker.ENotFound {
				var have []string
				s.Sections(func(sec *access.Section) error { have = append(have, sec.Name); return nil })
				if len(have) == 0 {
					return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldSection, "股室 %q 不存在：还没有建立任何股室", n)
				}
				return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldSection, "股室 %q 不存在；已有的股室：%s", n, joinNames(have))
			}
			return nil, err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func checkProfile(display, email string) (string, string, error) {
	d, err := tracker.Line(tracker.FieldDisplay, "姓名", display, tracker.MaxName)
	if err != nil {
		return "", "", err
	}
	e := strings.TrimSpace(email)
	if e != "" {
		if e, err = tracker.Address(tracker.FieldEmail, e); err != nil {
			return "", "", err
		}
	}
	return d, e, nil
}

// oneTimePassword makes a new account's or a reset's password, and its
// hash, hashed before any transaction.
func (l *Local) oneTimePassword(ctx context.Context) (password, hash string, err error) {
	h, err := l.hasher()
	if err != nil {
		return "", "", err
	}
	password = access.NewPassword()
	hash, err = h.Hash(ctx, password)
	return password, hash, err
}

// CreateAccount adds an account with a one-time password, to be changed
// at the first login.
func (l *Local) CreateAccount(ctx context.Context, in AccountInput) (*AccountPassword, error) {
	if _, err := authorize(ctx, access.OpAccounts); err != nil {
		return nil, err
	}
	if err := access.CheckName(in.Name); err != nil {
		return nil, err
	}
	if err := access.CheckRoles(in.Roles); err != nil {
		return nil, err
	}
	display, email, err := checkProfile(in.Display, in.Email)
	if err != nil {
		return nil, err
	}
	password, hash, err := l.oneTimePassword(ctx)
	if err != nil {
		return nil, err
	}
	var out AccountPassword
	err = l.accountWrite(ctx, func(u *unit, s access.Store) error {
		if _, err := s.Account(in.Name); err == nil {
			return tracker.FieldErrorf(tracker.EConflict, tracker.FieldAccount, "账号 %s 已存在", in.Name)
		} else if tracker.ErrorCode(err) != tracker.ENotFound {
			return err
		}
		sections, err := checkSections(s, in.Sections)
		if err != nil {
			return err
		}
		a := &access.Account{Name: in.Name, Display: display, Email: email, Roles: in.Roles, Sections: sections,
			PasswordHash: hash, MustChange: true, Created: u.Clock.Now}
		if err := s.PutAccount(a); err != nil {
			return err
		}
		out = AccountPassword{Account: accountInfo(a, u.Clock.Now), Password: password}
		return u.AuditAccount(tracker.AuditAccountCreated, tracker.AccountSubject(a.Name), tracker.AccountAudit{
			Account: a.Name, Display: a.Display, Email: a.Email, Roles: roleStrings(a.Roles), RoleNames: access.RoleNames(a.Roles), Sections: a.Sections, Source: source(ctx)})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func roleStrings(rs []access.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	return out
}

// Accounts lists every account.
func (l *Local) Accounts(ctx context.Context) (*AccountList, error) {
	if _, err := authorize(ctx, access.OpAccounts); err != nil {
		return nil, err
	}
	now := l.cfg.Now()
	out := &AccountList{Accounts: []AccountInfo{}}
	err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
		return s.Accounts(func(a *access.Account) error {
			out.Accounts = append(out.Accounts, accountInfo(a, now))
			return nil
		})
	})
	if noDatabase(err) {
		return out, nil
	}
	return out, err
}

// changeAccount changes account name in one write transaction: fn
// changes a and names the audited action (with what the entry says
// beyond the account and the source), or "" when nothing changed, and
// then nothing is written. It returns the account as it is after. The
// caller has authorised the change.
func (l *Local) changeAccount(ctx context.Context, name string, fn func(s access.Store, a *access.Account) (string, tracker.AccountAudit, error)) (*AccountInfo, error) {
	var out AccountInfo
	err := l.accountWrite(ctx, func(u *unit, s access.Store) error {
		a, err := s.Account(name)
		if err != nil {
			return err
		}
		action, c, err := fn(s, a)
		if err != nil {
			return err
		}
		out = accountInfo(a, u.Clock.Now)
		if action == "" {
			return errNothingChanged
		}
		if err := s.PutAccount(a); err != nil {
			return err
		}
		c.Account, c.Source = a.Name, source(ctx)
		return u.AuditAccount(action, tracker.AccountSubject(a.Name), c)
	})
	if errors.Is(err, errNothingChanged) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// errNothingChanged ends a write transaction that found nothing to write.
var errNothingChanged = errors.New("nothing changed")

// UpdateAccount changes an account's name as shown, address, roles or
// sections.
func (l *Local) UpdateAccount(ctx context.Context, in AccountUpdate) (*AccountInfo, error) {
	if _, err := authorize(ctx, access.OpAccounts); err != nil {
		return nil, err
	}
	return l.changeAccount(ctx, in.Name, func(s access.Store, a *access.Account) (string, tracker.AccountAudit, error) {
		var none tracker.AccountAudit
		var changes []string
		if in.Display != nil || in.Email != nil {
			display, email := a.Display, a.Email
			if in.Display != nil {
				display = *in.Display
			}
			if in.Email != nil {
				email = *in.Email
			}
			display, email, err := checkProfile(display, email)
			if err != nil {
				return "", none, err
			}
			if display != a.Display {
				changes = append(changes, "姓名 "+orNone(a.Display)+" → "+orNone(display))
			}
			if email != a.Email {
				changes = append(changes, "邮箱 "+orNone(a.Email)+" → "+orNone(email))
			}
			a.Display, a.Email = display, email
		}
		if in.Roles != nil {
			if err := access.CheckRoles(*in.Roles); err != nil {
				return "", none, err
			}
			if !slices.Equal(*in.Roles, a.Roles) {
				changes = append(changes, "角色 "+access.RoleNames(a.Roles)+" → "+access.RoleNames(*in.Roles))
				a.Roles = *in.Roles
			}
		}
		if in.Sections != nil {
			sections, err := checkSections(s, *in.Sections)
			if err != nil {
				return "", none, err
			}
			if !slices.Equal(sections, a.Sections) {
				changes = append(changes, "股室 "+orNone(joinNames(a.Sections))+" → "+orNone(joinNames(sections)))
				a.Sections = sections
			}
		}
		if len(changes) == 0 {
			return "", none, nil
		}
		return tracker.AuditAccountChanged, tracker.AccountAudit{Changes: changes}, nil
	})
}

func orNone(s string) string {
	if s == "" {
		return "（无）"
	}
	return s
}

// SetAccountState disables an account (its tokens revoked with it),
// enables it again, or lifts a lock before its time.
func (l *Local) SetAccountState(ctx context.Context, in AccountState) (*AccountInfo, error) {
	if _, err := authorize(ctx, access.OpAccounts); err != nil {
		return nil, err
	}
	return l.changeAccount(ctx, in.Name, func(s access.Store, a *access.Account) (string, tracker.AccountAudit, error) {
		var none tracker.AccountAudit
		switch in.Action {
		case AccountDisable:
			if a.Disabled {
				return "", none, nil
			}
			a.Disabled = true
			return tracker.AuditAccountDisabled, none, revokeAll(s, a.Name, "")
		case AccountEnable:
			if !a.Disabled {
				return "", none, nil
			}
			a.Disabled = false
			return tracker.AuditAccountEnabled, none, nil
		case AccountUnlock:
			a.Unlock()
			return tracker.AuditAccountUnlocked, none, nil
		}
		return "", none, tracker.Invalid(tracker.FieldAction, "操作 %q 无效：应为 disable、enable 或 unlock", in.Action)
	})
}

// revokeAll deletes every token of an account but the one whose hash is
// keep.
func revokeAll(s access.Store, account, keep string) error {
	return deleteTokens(s, func(t *access.Token) bool { return t.Account == account && t.Hash != keep })
}

// deleteTokens deletes the tokens gone says are gone, read first and
// deleted after (a bucket is not changed while it is read).
func deleteTokens(s access.Store, gone func(*access.Token) bool) error {
	var hashes []string
	if err := s.Tokens(func(t *access.Token) error {
		if gone(t) {
			hashes = append(hashes, t.Hash)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, h := range hashes {
		if err := s.DeleteToken(h); err != nil {
			return err
		}
	}
	return nil
}

// ResetPassword gives an account a new one-time password, to be changed
// at its next login, and revokes its tokens.
func (l *Local) ResetPassword(ctx context.Context, name string) (*AccountPassword, error) {
	if _, err := authorize(ctx, access.OpAccounts); err != nil {
		return nil, err
	}
	password, hash, err := l.oneTimePassword(ctx)
	if err != nil {
		return nil, err
	}
	info, err := l.changeAccount(ctx, name, func(s access.Store, a *access.Account) (string, tracker.AccountAudit, error) {
		a.PasswordHash, a.MustChange = hash, true
		a.Unlock()
		return tracker.AuditPasswordReset, tracker.AccountAudit{}, revokeAll(s, a.Name, "")
	})
	if err != nil {
		return nil, err
	}
	return &AccountPassword{Account: *info, Password: password}, nil
}

// PutSection creates a section (New) or changes its 一级事项.
func (l *Local) PutSection(ctx context.Context, in SectionInput) (*access.Section, error) {
	if _, err := authorize(ctx, access.OpSections); err != nil {
		return nil, err
	}
	sec := &access.Section{Name: in.Name, Level1: in.Level1}
	err := l.accountWrite(ctx, func(u *unit, s access.Store) error {
		cat, err := u.Tx.Catalog()
		if err != nil {
			return err
		}
		if err := access.CheckSection(sec, cat); err != nil {
			return err
		}
		old, err := s.Section(sec.Name)
		switch {
		case err == nil && in.New:
			return tracker.FieldErrorf(tracker.EConflict, tracker.FieldSection, "股室 %s 已存在", sec.Name)
		case err != nil && tracker.ErrorCode(err) != tracker.ENotFound:
			return err
		case err != nil && !in.New:
			return err
		}
		if err := s.PutSection(sec); err != nil {
			return err
		}
		if in.New {
			return u.AuditAccount(tracker.AuditSectionCreated, tracker.SectionSubject(sec.Name), tracker.AccountAudit{Level1: sec.Level1, Source: source(ctx)})
		}
		if slices.Equal(old.Level1, sec.Level1) {
			return errNothingChanged
		}
		return u.AuditAccount(tracker.AuditSectionChanged, tracker.SectionSubject(sec.Name), tracker.AccountAudit{
			Level1: sec.Level1, Changes: []string{"一级事项 " + joinNames(old.Level1) + " → " + joinNames(sec.Level1)}, Source: source(ctx)})
	})
	if errors.Is(err, errNothingChanged) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return sec, nil
}

// Sections lists every section.
func (l *Local) Sections(ctx context.Context) (*SectionList, error) {
	if _, err := authorize(ctx, access.OpMatters); err != nil { // every role that manages them reads the catalogue
		return nil, err
	}
	out := &SectionList{Sections: []access.Section{}}
	err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
		return s.Sections(func(sec *access.Section) error {
			out.Sections = append(out.Sections, *sec)
			return nil
		})
	})
	if noDatabase(err) {
		return out, nil
	}
	return out, err
}

// recipients are who hears about what: the configuration's [recipients]
// (mailboxes that are no account's, such as a shared 督查室 address),
// and the accounts with an address — officers with the officers,
// supervisors with the supervisors, staff with the owners of their
// sections' 一级事项. A disabled account hears nothing; an address is
// named once.
func (l *Local) recipients() (Recipients, error) {
	r := l.cfg.Settings.Recipients
	out := Recipients{Officers: slices.Clone(r.Officers), Supervisors: slices.Clone(r.Supervisors), Owners: slices.Clone(r.Owners)}
	err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
		sections := map[string]*access.Section{}
		if err := s.Sections(func(sec *access.Section) error {
			sections[sec.Name] = sec
			for _, l1 := range sec.Level1 {
				if out.Sections == nil {
					out.Sections = map[string][]string{}
				}
				out.Sections[l1] = append(out.Sections[l1], sec.Name)
			}
			return nil
		}); err != nil {
			return err
		}
		return s.Accounts(func(a *access.Account) error {
			if a.Disabled || a.Email == "" || access.CheckRoles(a.Roles) != nil {
				return nil
			}
			if slices.Contains(a.Roles, access.Officer) {
				out.Officers = addAddress(out.Officers, a.Email)
			}
			if slices.Contains(a.Roles, access.Supervisor) {
				out.Supervisors = addAddress(out.Supervisors, a.Email)
			}
			if slices.Contains(a.Roles, access.Staff) {
				for _, name := range a.Sections {
					if sec := sections[name]; sec != nil {
						for _, l1 := range sec.Level1 {
							out.Owners = append(out.Owners, tracker.Owner{Level1: l1, Emails: []string{a.Email}})
						}
					}
				}
			}
			return nil
		})
	})
	if noDatabase(err) {
		return out, nil
	}
	return out, err
}

// addAddress adds an address unless list names it already.
func addAddress(list []string, addr string) []string {
	for _, have := range list {
		if strings.EqualFold(tracker.AddressOf(have), tracker.AddressOf(addr)) {
			return list
		}
	}
	return append(list, addr)
}
