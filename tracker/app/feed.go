package app

import (
	"context"
	"slices"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

// Feeds are the calendar feeds: each account that sees events may have
// one, a secret address that a calendar program (Outlook, Foxmail)
// subscribes to, listing the deadlines the account reaches. The secret
// logs in to nothing; revoking it, or disabling the account, ends it.
type Feeds interface {
	// FeedOf says whether the asker has a feed.
	FeedOf(ctx context.Context) (*FeedInfo, error)
	// CreateFeed issues the asker a new feed, revoking the one it had; its
	// secret is shown this once.
	CreateFeed(ctx context.Context) (*FeedSecret, error)
	// RevokeFeed ends the asker's feed.
	RevokeFeed(ctx context.Context) error
	// Feed is the feed a secret opens: its account's open events, as of
	// today.
	Feed(ctx context.Context, secret string) (*Feed, error)
}

var _ Feeds = (*Local)(nil)

// FeedInfo is an account's feed, without its secret.
type FeedInfo struct {
	Exists   bool      `json:"exists"`
	Created  time.Time `json:"created,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// FeedSecret is a feed just made: its secret, shown once.
type FeedSecret struct {
	Secret  string    `json:"secret"`
	Created time.Time `json:"created"`
}

// Feed is what a feed lists.
type Feed struct {
	Account string              `json:"account"`
	AsOf    calendar.Date       `json:"as_of"`
	Events  []tracker.EventView `json:"events"`
}

// MaxFeedEvents bounds a feed: the open events due first.
const MaxFeedEvents = 2000

func (l *Local) feedToken(s access.Store, account string) (*access.Token, error) {
	var found *access.Token
	err := s.Tokens(func(t *access.Token) error {
		if t.Account == account && t.Kind == access.FeedToken {
			c := *t
			found = &c
		}
		return nil
	})
	return found, err
}

// FeedOf says whether the asker has a feed.
func (l *Local) FeedOf(ctx context.Context) (*FeedInfo, error) {
	p, err := authorize(ctx, access.OpEvents)
	if err != nil {
		return nil, err
	}
	out := &FeedInfo{}
	err = l.accountRead(func(_ tracker.Tx, s access.Store) error {
		t, err := l.feedToken(s, p.Account)
		if t != nil {
			out = &FeedInfo{Exists: true, Created: t.Created, LastUsed: t.LastUsed}
		}
		return err
	})
	return out, err
}

// CreateFeed issues the asker a new feed, revoking the one it had.
func (l *Local) CreateFeed(ctx context.Context) (*FeedSecret, error) {
	p, err := authorize(ctx, access.OpEvents)
	if err != nil {
		return nil, err
	}
	var out *FeedSecret
	err = l.accountWrite(ctx, func(u *unit, s access.Store) error {
		if err := deleteTokens(s, func(t *access.Token) bool { return t.Account == p.Account && t.Kind == access.FeedToken }); err != nil {
			return err
		}
		secret, tok := access.NewTokenFor(access.FeedToken, p.Account, "日历订阅", p.Source, u.Clock.Now)
		if err := s.PutToken(tok); err != nil {
			return err
		}
		out = &FeedSecret{Secret: secret, Created: tok.Created}
		return u.AuditAccount(tracker.AuditTokenIssued, tracker.AccountSubject(p.Account), tracker.AccountAudit{
			Account: p.Account, Source: p.Source, Token: tok.ID(), Kind: string(tok.Kind), Label: tok.Label})
	})
	return out, err
}

// RevokeFeed ends the asker's feed.
func (l *Local) RevokeFeed(ctx context.Context) error {
	p, err := authorize(ctx, access.OpEvents)
	if err != nil {
		return err
	}
	return l.accountWrite(ctx, func(u *unit, s access.Store) error {
		t, err := l.feedToken(s, p.Account)
		if err != nil || t == nil {
			return err
		}
		if err := s.DeleteToken(t.Hash); err != nil {
			return err
		}
		return u.AuditAccount(tracker.AuditTokenRevoked, tracker.AccountSubject(p.Account), tracker.AccountAudit{
			Account: p.Account, Source: p.Source, Token: t.ID(), Kind: string(t.Kind), Label: t.Label})
	})
}

// Feed is the feed a secret opens. An unknown, revoked or expired secret,
// or one of an account disabled or no longer seeing events, is
// ENotFound: a feed says nothing of why.
func (l *Local) Feed(ctx context.Context, secret string) (*Feed, error) {
	gone := tracker.FieldErrorf(tracker.ENotFound, tracker.FieldToken, "没有这个日历订阅地址，或它已被停用")
	if len(secret) == 0 || len(secret) > 200 {
		return nil, gone
	}
	hash := access.TokenHash(secret)
	now := l.cfg.Now()
	var p *Principal
	var touch bool
	err := l.accountRead(func(_ tracker.Tx, s access.Store) error {
		t, err := s.Token(hash)
		if err != nil || t.Kind != access.FeedToken || t.Valid(now) != nil {
			return gone
		}
		a, err := s.Account(t.Account)
		if err != nil || a.Disabled {
			return gone
		}
		p = &Principal{Account: a.Name, Roles: a.Roles, Token: hash, Source: source(ctx)}
		for _, name := range a.Sections {
			if sec, err := s.Section(name); err == nil {
				p.Sections = append(p.Sections, *sec)
			}
		}
		touch = now.Sub(t.LastUsed) >= time.Hour
		return nil
	})
	if noDatabase(err) || tracker.ErrorCode(err) == tracker.ENotFound {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	if !access.Allowed(p.Roles, access.OpEvents) {
		return nil, gone
	}
	if touch { // when it was last read, at most hourly: no audit entry
		_ = l.accountWriteKeeping(WithActor(ctx, p.Account), func(_ *unit, s access.Store) error {
			t, err := s.Token(hash)
			if err != nil {
				return nil
			}
			t.LastUsed = now
			return s.PutToken(t)
		})
	}
	list, err := l.Events(WithPrincipal(ctx, p), EventQuery{Open: true, Order: OrderDeadline, Limit: MaxFeedEvents})
	if err != nil {
		return nil, err
	}
	events := slices.Clone(list.Events)
	return &Feed{Account: p.Account, AsOf: list.AsOf, Events: events}, nil
}
