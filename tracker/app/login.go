package app

import (
	"context"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// errBadLogin is what every refused login says, whatever was wrong: the
// name, the password, or an account disabled.
func errBadLogin() error {
	return tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldPassword, "账号或密码错误")
}

// Login checks an account's password and issues a token (a CLI token, or
// a web session). An account that must change its password gets no token
// until the login names a new one (EMustChange, field new_password). Every
// attempt is an audit entry with the address it came from; five failures
// in a row lock the account (Config.Lockout). The password is hashed
// outside any transaction, so that writers never wait for it.
func (l *Local) Login(ctx context.Context, in LoginInput) (*LoginResult, error) {
	h, err := l.hasher()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(strings.TrimSpace(in.Account))
	switch {
	case name == "":
		return nil, tracker.Invalid(tracker.FieldAccount, "账号名不能为空")
	case in.Password == "":
		return nil, tracker.Invalid(tracker.FieldPassword, "密码不能为空")
	}
	if in.Kind == "" {
		in.Kind = access.CLIToken
	}
	if in.Kind != access.CLIToken && in.Kind != access.WebSession {
		return nil, tracker.Invalid(tracker.FieldToken, "凭据类型 %q 无效：应为 cli 或 web", in.Kind)
	}
	label, err := tracker.Line(tracker.FieldToken, "设备名称", in.Label, tracker.MaxName)
	if err != nil {
		return nil, err
	}
	from := source(ctx)
	// The records name who tried: the account, or, for a name no account
	// may have, not what was typed (it may be anything, of any length).
	actor := name
	if access.CheckName(name) != nil {
		actor = "（无效的账号名）"
	}
	ctx = WithPrincipal(ctx, &Principal{Account: actor, Source: from})

	// What the account is now, read without holding up writers.
	var stored *access.Account
	if access.CheckName(name) == nil {
		err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
			a, err := s.Account(name)
			if err == nil {
				stored = a
			} else if tracker.ErrorCode(err) != tracker.ENotFound {
				return err
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	now := l.cfg.Now()
	ok := false
	switch {
	case stored == nil || stored.Disabled || stored.Locked(now):
		// The same cost as a password checked, and the same answer but
		// for a lock, which the owner must hear of.
		if err := h.VerifyNone(ctx, in.Password); err != nil {
			return nil, err
		}
	default:
		if ok, err = h.Verify(ctx, stored.PasswordHash, in.Password); err != nil {
			if tracker.ErrorCode(err) == tracker.EBusy {
				return nil, err
			}
			ok = false // a hash that cannot be read lets nobody in
		}
	}
	// A new password, when the account must change its own: checked and
	// hashed before the transaction too.
	var newHash string
	if ok && stored.MustChange && in.NewPassword != "" {
		if err := checkNewPassword(name, in.Password, in.NewPassword); err != nil {
			return nil, err
		}
		if newHash, err = h.Hash(ctx, in.NewPassword); err != nil {
			return nil, err
		}
	}

	var out *LoginResult
	var refusal error
	// A login changes nothing a known principal holds: an account that
	// must change its password has no token to be known by.
	err = l.accountWriteKeeping(ctx, func(u *unit, s access.Store) error {
		if stored == nil {
			// A name no account has fails, and locks, as an account's
			// would: the answers tell no one which names exist.
			refusal = l.phantomAttempt(name, u.Clock.Now)
			return u.AuditAccount(tracker.AuditLoginFailed, tracker.AccountSubject(actor), tracker.AccountAudit{
				Account: actor, Source: from, Reason: "账号不存在"})
		}
		a, err := s.Account(name)
		if err != nil {
			return err
		}
		if a.PasswordHash != stored.PasswordHash {
			ok = false // changed meanwhile: the password checked was the old one
		}
		if a.Disabled {
			refusal = errBadLogin()
			return u.AuditAccount(tracker.AuditLoginFailed, tracker.AccountSubject(name), tracker.AccountAudit{
				Account: name, Source: from, Reason: "账号已停用"})
		}
		wasLocked := a.Locked(u.Clock.Now)
		if refusal = a.Attempt(u.Clock.Now, ok, l.cfg.Lockout); refusal != nil {
			if err := s.PutAccount(a); err != nil {
				return err
			}
			switch {
			case wasLocked:
				return u.AuditAccount(tracker.AuditLoginFailed, tracker.AccountSubject(name), tracker.AccountAudit{
					Account: name, Source: from, Reason: "账号锁定中"})
			case a.Locked(u.Clock.Now):
				return l.auditLock(u, a, from)
			}
			return u.AuditAccount(tracker.AuditLoginFailed, tracker.AccountSubject(name), tracker.AccountAudit{
				Account: name, Source: from, Reason: "密码错误", Failures: a.Failures})
		}
		if a.MustChange && newHash == "" {
			// The password was right; the failures are cleared, and no
			// token is issued before a new password.
			if err := s.PutAccount(a); err != nil {
				return err
			}
			refusal = tracker.FieldErrorf(tracker.EMustChange, tracker.FieldNewPassword,
				"账号 %s 须先修改密码（首次登录或密码被重置后）：请设置新密码", name)
			return nil
		}
		if err := u.AuditAccount(tracker.AuditLogin, tracker.AccountSubject(name), tracker.AccountAudit{Account: name, Source: from}); err != nil {
			return err
		}
		if newHash != "" {
			a.PasswordHash, a.MustChange = newHash, false
			if err := u.AuditAccount(tracker.AuditPasswordChanged, tracker.AccountSubject(name), tracker.AccountAudit{Account: name, Source: from}); err != nil {
				return err
			}
		}
		if err := s.PutAccount(a); err != nil {
			return err
		}
		secret, tok := access.NewTokenFor(in.Kind, name, label, from, u.Clock.Now)
		if err := s.PutToken(tok); err != nil {
			return err
		}
		if err := purgeExpired(s, u.Clock.Now); err != nil {
			return err
		}
		out = &LoginResult{Token: secret, Expires: tok.Expires.In(calendar.Shanghai), Account: accountInfo(a, u.Clock.Now)}
		return u.AuditAccount(tracker.AuditTokenIssued, tracker.AccountSubject(name), tracker.AccountAudit{
			Account: name, Source: from, Token: tok.ID(), Kind: string(tok.Kind), Label: label})
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return out, nil
}

// auditLock records that failures from source locked account a.
func (l *Local) auditLock(u *unit, a *access.Account, source string) error {
	return u.AuditAccount(tracker.AuditLocked, tracker.AccountSubject(a.Name), tracker.AccountAudit{Account: a.Name, Source: source,
		Failures: l.cfg.Lockout.OrDefault().After, Until: a.LockedUntil.In(calendar.Shanghai).Format("2006-01-02 15:04")})
}

// checkNewPassword checks a new password against the policy, and that it
// is not the current one.
func checkNewPassword(name, current, next string) error {
	if err := access.CheckPassword(name, next); err != nil {
		if e := tracker.AsError(err); e != nil && e.Field == tracker.FieldPassword {
			e.Field = tracker.FieldNewPassword
		}
		return err
	}
	if next == current {
		return tracker.Invalid(tracker.FieldNewPassword, "新密码不能与原密码相同")
	}
	return nil
}

// Authenticate returns who presents a token or a session's secret, as of
// now: the account with its roles and sections as they are. A token
// expired, revoked, or of an account disabled since is EUnauthenticated;
// so is one of no account. A session's idle clock is moved on, at most
// once a minute. A revocation (of the token, or of the account) that has
// returned before Authenticate does is never missed: an account's write
// meanwhile makes it read again.
func (l *Local) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	hash := access.TokenHash(secret)
	for tries := 0; ; tries++ {
		gen := l.principalGen.Load() // before reading: a write meanwhile makes what is read stale
		p, err := l.authenticate(ctx, hash, gen)
		if err != nil {
			return nil, err
		}
		if l.principalGen.Load() == gen || tries == 5 {
			p.Source = source(ctx)
			return p, nil
		}
	}
}

// authenticate is one reading of Authenticate's, from the principals
// known at generation gen or from the database; it returns a principal of
// its own, which the caller may change.
func (l *Local) authenticate(ctx context.Context, hash string, gen uint64) (*Principal, error) {
	now := l.cfg.Now()
	// Known already: the token and the account as they were read, kept
	// until an account, a section or a token is written (accountWrite
	// forgets them all).
	if k, ok := l.principals.Load(hash); ok {
		known := k.(*knownPrincipal)
		if known.gen == gen && known.token.Valid(now) == nil && !known.token.Stale(now) {
			p := *known.p
			return &p, nil
		}
	}
	gone := func(msg string) error {
		return tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldToken, "%s", msg)
	}
	var p *Principal
	var touch *access.Token
	var read access.Token
	err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
		t, err := s.Token(hash)
		if err != nil {
			return err
		}
		if t.Kind == access.FeedToken {
			// A calendar feed's secret reads its feed (Local.Feed) and
			// logs in to nothing.
			return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldToken, "not a login")
		}
		if err := t.Valid(now); err != nil {
			return err
		}
		a, err := s.Account(t.Account)
		if err != nil {
			return err
		}
		if a.Disabled {
			return tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldAccount, "账号 %s 已停用", a.Name)
		}
		p = &Principal{Account: a.Name, Display: a.Display, Roles: a.Roles, Token: hash, MustChange: a.MustChange}
		for _, name := range a.Sections {
			sec, err := s.Section(name)
			if err != nil {
				continue // a section gone reaches nothing
			}
			p.Sections = append(p.Sections, *sec)
		}
		read = *t
		if t.Touch(now) {
			touch = t
		}
		return nil
	})
	if err != nil {
		if c := tracker.ErrorCode(err); c == tracker.ENotFound || c == tracker.EUnauthenticated {
			msg := "登录凭据无效或已被撤销，请重新登录"
			if c == tracker.EUnauthenticated {
				msg = tracker.AsError(err).Message
			}
			return nil, gone(msg)
		}
		return nil, err
	}
	if touch != nil {
		// The idle clock only, no audit entry; a token revoked or an
		// account disabled meanwhile refuses the request.
		err := l.accountWriteKeeping(WithActor(ctx, p.Account), func(_ *unit, s access.Store) error {
			t, err := s.Token(hash)
			if err != nil {
				return gone("登录凭据已被撤销，请重新登录")
			}
			if a, err := s.Account(t.Account); err != nil || a.Disabled {
				return gone("账号已停用")
			}
			t.LastUsed = touch.LastUsed
			return s.PutToken(t)
		})
		if err != nil {
			return nil, err
		}
		read = *touch
	}
	kept := *p // the cache's own: the caller's may change
	l.principals.Store(hash, &knownPrincipal{p: &kept, token: read, gen: gen})
	return p, nil
}

// knownPrincipal is a principal as Authenticate read it, with its token.
type knownPrincipal struct {
	p     *Principal
	token access.Token
	gen   uint64
}

// forgetPrincipals drops the principals known: accounts, sections or
// tokens have been written.
func (l *Local) forgetPrincipals() {
	l.principalGen.Add(1)
	l.principals.Clear()
}

// Logout revokes the token or session the request came with.
func (l *Local) Logout(ctx context.Context) error {
	p, err := authorize(ctx, access.OpOwnAccount)
	if err != nil {
		return err
	}
	if p.Token == "" {
		return tracker.FieldErrorf(tracker.EInvalid, tracker.FieldToken, "没有登录凭据可以撤销")
	}
	return l.accountWrite(ctx, func(u *unit, s access.Store) error {
		t, err := s.Token(p.Token)
		if err != nil {
			return err
		}
		if err := s.DeleteToken(p.Token); err != nil {
			return err
		}
		return u.AuditAccount(tracker.AuditLogout, tracker.AccountSubject(p.Account), tracker.AccountAudit{
			Account: p.Account, Source: p.Source, Token: t.ID(), Kind: string(t.Kind)})
	})
}

// Whoami returns the account that acts.
func (l *Local) Whoami(ctx context.Context) (*AccountInfo, error) {
	p, err := authorize(ctx, access.OpOwnAccount)
	if err != nil {
		return nil, err
	}
	if p.Local {
		return &AccountInfo{Name: p.Account, Display: "本机", Roles: []access.Role{}, RoleNames: "本机管理员（可进行全部操作）", Sections: []string{}}, nil
	}
	var out AccountInfo
	err = l.accountRead(func(_ tracker.Tx, s access.Store) error {
		a, err := s.Account(p.Account)
		if err != nil {
			return err
		}
		out = accountInfo(a, l.cfg.Now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ChangePassword changes the acting account's own password, given its
// current one; the account's other tokens are revoked.
func (l *Local) ChangePassword(ctx context.Context, in PasswordChange) error {
	p, err := authorize(ctx, access.OpOwnAccount)
	if err != nil {
		return err
	}
	if p.Local {
		return tracker.FieldErrorf(tracker.EInvalid, tracker.FieldAccount, "本机操作没有账号，没有密码可改")
	}
	h, err := l.hasher()
	if err != nil {
		return err
	}
	var stored string
	locked := false
	if err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
		a, err := s.Account(p.Account)
		if err == nil {
			stored, locked = a.PasswordHash, a.Locked(l.cfg.Now())
		}
		return err
	}); err != nil {
		return err
	}
	ok := false
	if locked {
		err = h.VerifyNone(ctx, in.Current)
	} else {
		ok, err = h.Verify(ctx, stored, in.Current)
	}
	if err != nil && tracker.ErrorCode(err) == tracker.EBusy {
		return err
	}
	if !ok {
		// A wrong current password counts as a failed login: a token
		// taken from a desk does not let its holder guess the password
		// at leisure.
		var refusal error
		err := l.accountWrite(ctx, func(u *unit, s access.Store) error {
			a, err := s.Account(p.Account)
			if err != nil {
				return err
			}
			wasLocked := a.Locked(u.Clock.Now)
			refusal = a.Attempt(u.Clock.Now, false, l.cfg.Lockout)
			if err := s.PutAccount(a); err != nil {
				return err
			}
			c := tracker.AccountAudit{Account: a.Name, Source: p.Source, Reason: "修改密码时原密码错误", Failures: a.Failures}
			if !wasLocked && a.Locked(u.Clock.Now) {
				return l.auditLock(u, a, p.Source)
			}
			return u.AuditAccount(tracker.AuditLoginFailed, tracker.AccountSubject(a.Name), c)
		})
		if err != nil {
			return err
		}
		if tracker.ErrorCode(refusal) == tracker.ELocked {
			return refusal
		}
		return tracker.Invalid(tracker.FieldPassword, "原密码不对")
	}
	if err := checkNewPassword(p.Account, in.Current, in.New); err != nil {
		return err
	}
	hash, err := h.Hash(ctx, in.New)
	if err != nil {
		return err
	}
	return l.accountWrite(ctx, func(u *unit, s access.Store) error {
		a, err := s.Account(p.Account)
		if err != nil {
			return err
		}
		if a.PasswordHash != stored {
			return tracker.FieldErrorf(tracker.EConflict, tracker.FieldPassword, "密码刚被修改过，请重新登录后再试")
		}
		a.PasswordHash, a.MustChange = hash, false
		if err := s.PutAccount(a); err != nil {
			return err
		}
		if err := revokeAll(s, a.Name, p.Token); err != nil {
			return err
		}
		return u.AuditAccount(tracker.AuditPasswordChanged, tracker.AccountSubject(a.Name), tracker.AccountAudit{Account: a.Name, Source: p.Source})
	})
}

// Tokens lists tokens: the asker's own, or, for administrators and on the
// machine, one account's or ("*") every account's.
func (l *Local) Tokens(ctx context.Context, q TokenQuery) (*TokenList, error) {
	p, err := authorize(ctx, access.OpOwnAccount)
	if err != nil {
		return nil, err
	}
	account := q.Account
	if account == "" {
		account = p.Account
	}
	if account != p.Account {
		if _, err := authorize(ctx, access.OpAccounts); err != nil {
			return nil, err
		}
	}
	now := l.cfg.Now()
	out := &TokenList{Tokens: []TokenInfo{}}
	err = l.accountRead(func(_ tracker.Tx, s access.Store) error {
		return s.Tokens(func(t *access.Token) error {
			if account != "*" && t.Account != account || t.Valid(now) != nil {
				return nil
			}
			sh := calendar.Shanghai
			out.Tokens = append(out.Tokens, TokenInfo{ID: t.ID(), Kind: t.Kind, Account: t.Account, Label: t.Label, Source: t.Source,
				Created: t.Created.In(sh), Expires: t.Expires.In(sh), LastUsed: t.LastUsed.In(sh), Current: t.Hash == p.Token})
			return nil
		})
	})
	if noDatabase(err) {
		return out, nil
	}
	return out, err
}

// RevokeToken revokes a token by its id: one's own, or, for
// administrators and on the machine, anyone's. It is refused at once.
func (l *Local) RevokeToken(ctx context.Context, in TokenRevoke) error {
	p, err := authorize(ctx, access.OpOwnAccount)
	if err != nil {
		return err
	}
	_, aerr := authorize(ctx, access.OpAccounts) // on the machine too
	admin := aerr == nil
	id := strings.ToLower(strings.TrimSpace(in.ID))
	if len(id) != access.IDLength {
		return tracker.Invalid(tracker.FieldToken, "凭据编号 %q 无效：应为 %d 位，见凭据列表", in.ID, access.IDLength)
	}
	return l.accountWrite(ctx, func(u *unit, s access.Store) error {
		var found *access.Token
		err := s.Tokens(func(t *access.Token) error {
			if t.ID() == id && (admin || t.Account == p.Account) {
				found = t
			}
			return nil
		})
		if err != nil {
			return err
		}
		if found == nil {
			return tracker.FieldErrorf(tracker.ENotFound, tracker.FieldToken, "凭据 %s 不存在（或不属于你的账号）", id)
		}
		if err := s.DeleteToken(found.Hash); err != nil {
			return err
		}
		return u.AuditAccount(tracker.AuditTokenRevoked, tracker.AccountSubject(found.Account), tracker.AccountAudit{
			Account: found.Account, Source: p.Source, Token: found.ID(), Kind: string(found.Kind)})
	})
}

// phantomAttempt counts a failed login to a name no account has, as
// Account.Attempt counts an account's: the fifth in a row answers that
// the "account" is locked. Kept in memory, at most maxPhantoms names.
func (l *Local) phantomAttempt(name string, now time.Time) error {
	l.phantomMu.Lock()
	defer l.phantomMu.Unlock()
	if l.phantoms == nil {
		l.phantoms = map[string]*access.Account{}
	}
	a := l.phantoms[name]
	if a == nil {
		if len(l.phantoms) >= maxPhantoms {
			for k, p := range l.phantoms {
				if !p.Locked(now) {
					delete(l.phantoms, k)
				}
			}
			if len(l.phantoms) >= maxPhantoms {
				clear(l.phantoms)
			}
		}
		a = &access.Account{Name: name}
		l.phantoms[name] = a
	}
	err := a.Attempt(now, false, l.cfg.Lockout)
	if tracker.ErrorCode(err) == tracker.ELocked {
		return err
	}
	return errBadLogin()
}

// maxPhantoms bounds the names without an account whose failures are
// counted.
const maxPhantoms = 10_000

// purgeExpired deletes the tokens and sessions that can no longer be used,
// every account's: a login's chore, so that the bucket keeps only what
// counts.
func purgeExpired(s access.Store, now time.Time) error {
	return deleteTokens(s, func(t *access.Token) bool { return t.Valid(now) != nil })
}
