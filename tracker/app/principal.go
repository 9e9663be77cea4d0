package app

import (
	"context"
	"strings"

	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Principal is who acts in a request: an account of the server, with the
// roles and sections it holds at the time, or someone on the server's own
// machine (Local), who may do everything, as the CLI always could.
type Principal struct {
	// Account is the account's name, or, for Local, who the records name
	// (--by, the operating-system user, "local:<user>").
	Account  string
	Display  string
	Roles    []access.Role
	Sections []access.Section
	// Local: direct access to the file, or the server's socket on its own
	// machine; no role is checked.
	Local bool
	// Source is where the request came from (an address), for the audit
	// log; Token the hash of the token or session it came with.
	Source string
	Token  string
	// MustChange: the account must change its password before anything
	// else.
	MustChange bool
}

type principalKey struct{}

// WithPrincipal returns a context whose operations are done by p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalOf returns who acts in ctx, or nil when nobody was named.
func PrincipalOf(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// WithActor returns a context whose operations are done on the server's
// machine (Local) and recorded as done by actor: --by, or the
// operating-system user.
func WithActor(ctx context.Context, actor string) context.Context {
	return WithPrincipal(ctx, &Principal{Account: actor, Local: true})
}

// WithSource returns a context that says where a request without an
// account yet (a login) came from.
func WithSource(ctx context.Context, source string) context.Context {
	return WithPrincipal(ctx, &Principal{Source: source})
}

// Actor returns who acts in ctx, "unknown" when nobody was named.
func Actor(ctx context.Context) string {
	if p := PrincipalOf(ctx); p != nil && p.Account != "" {
		return p.Account
	}
	return "unknown"
}

// source returns where ctx's request came from ("" on the machine).
func source(ctx context.Context) string {
	if p := PrincipalOf(ctx); p != nil {
		return p.Source
	}
	return ""
}

// authorize returns who acts in ctx when they may do op: deny by default,
// so a context that names nobody may do nothing.
func authorize(ctx context.Context, op access.Operation) (*Principal, error) {
	p := PrincipalOf(ctx)
	switch {
	case p == nil || (!p.Local && p.Account == ""):
		return nil, tracker.FieldErrorf(tracker.EUnauthenticated, tracker.FieldAccount, "未登录：请先登录")
	case p.Local:
		return p, nil
	case p.MustChange && op != access.OpOwnAccount:
		return nil, tracker.FieldErrorf(tracker.EMustChange, tracker.FieldNewPassword, "账号 %s 须先修改密码，才能进行其他操作", p.Account)
	}
	return p, access.Check(p.Roles, op)
}

// scope is what part of the events p reaches: everything on the machine.
func (p *Principal) scope() access.Scope {
	if p.Local {
		return access.Scope{All: true}
	}
	return access.ScopeOf(p.Roles, p.Sections)
}

// reach refuses a matter of 一级事项 level1 that p does not reach.
func (p *Principal) reach(level1 string) error {
	s := p.scope()
	if s.Reaches(level1) {
		return nil
	}
	if len(s.Level1) == 0 {
		return tracker.FieldErrorf(tracker.EForbidden, tracker.FieldSection, "账号 %s 还没有所属股室，不能登记或查看事件：请系统管理员为它指定股室", p.Account)
	}
	return tracker.FieldErrorf(tracker.EForbidden, tracker.FieldMatter, "一级事项“%s”不属于账号 %s 所在股室（其一级事项：%s）", level1, p.Account, joinNames(s.Level1))
}

func joinNames(names []string) string { return strings.Join(names, "、") }
