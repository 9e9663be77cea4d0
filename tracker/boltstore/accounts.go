package boltstore

import (
	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
	"gongkai/tracker/access"
)

// The server's accounts, sections and tokens: small buckets keyed by name
// (or by a token's hash, as hex), each value deflated JSON.

var _ access.Store = (*Tx)(nil)

// Account returns the account with a name, or ENotFound.
func (t *Tx) Account(name string) (*access.Account, error) {
	var a access.Account
	if err := t.getNamed(bucketAccounts, name, &a, tracker.FieldAccount, "账号"); err != nil {
		return nil, err
	}
	return &a, nil
}

// PutAccount stores an account under its name.
func (t *Tx) PutAccount(a *access.Account) error {
	return t.putNamed(bucketAccounts, a.Name, a)
}

// Accounts calls fn for every account in name order.
func (t *Tx) Accounts(fn func(*access.Account) error) error {
	return eachNamed(t, bucketAccounts, tracker.FieldAccount, "账号", fn)
}

// Section returns the section with a name, or ENotFound.
func (t *Tx) Section(name string) (*access.Section, error) {
	var s access.Section
	if err := t.getNamed(bucketSections, name, &s, tracker.FieldSection, "股室"); err != nil {
		return nil, err
	}
	return &s, nil
}

// PutSection stores a section under its name.
func (t *Tx) PutSection(s *access.Section) error {
	return t.putNamed(bucketSections, s.Name, s)
}

// Sections calls fn for every section in name order.
func (t *Tx) Sections(fn func(*access.Section) error) error {
	return eachNamed(t, bucketSections, tracker.FieldSection, "股室", fn)
}

// Token returns the token with a hash, or ENotFound.
func (t *Tx) Token(hash string) (*access.Token, error) {
	var tok access.Token
	if !validTokenHash(hash) {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldToken, "登录凭据无效")
	}
	if err := t.getNamed(bucketTokens, hash, &tok, tracker.FieldToken, "登录凭据"); err != nil {
		return nil, err
	}
	return &tok, nil
}

// PutToken stores a token under its hash.
func (t *Tx) PutToken(tok *access.Token) error {
	if !validTokenHash(tok.Hash) {
		return tracker.Errorf(tracker.EInvalid, "登录凭据的哈希 %q 格式不对", tok.Hash)
	}
	return t.putNamed(bucketTokens, tok.Hash, tok)
}

// DeleteToken removes a token; removing one that is gone is no error.
func (t *Tx) DeleteToken(hash string) error {
	b, err := t.bucket(bucketTokens)
	if err != nil {
		return err
	}
	return b.Delete([]byte(hash))
}

// Tokens calls fn for every token in hash order.
func (t *Tx) Tokens(fn func(*access.Token) error) error {
	return eachNamed(t, bucketTokens, tracker.FieldToken, "登录凭据", fn)
}

// validTokenHash: a SHA-256 in lower-case hex.
func validTokenHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// bucket returns a bucket of tx, or an error saying the file has none
// (an older file read before its upgrade).
func (t *Tx) bucket(name []byte) (*bolt.Bucket, error) {
	if b := t.tx.Bucket(name); b != nil {
		return b, nil
	}
	if !t.tx.Writable() {
		return nil, nil
	}
	return nil, tracker.Errorf(tracker.EInvalid, "数据库缺少桶 %s：请先运行一次 gongkai init 升级数据库", name)
}

func (t *Tx) getNamed(bucket []byte, name string, v any, field, what string) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	var raw []byte
	if b != nil && name != "" {
		raw = b.Get([]byte(name))
	}
	if raw == nil {
		if field == tracker.FieldToken {
			return tracker.FieldErrorf(tracker.ENotFound, field, "登录凭据无效或已被撤销")
		}
		return tracker.FieldErrorf(tracker.ENotFound, field, "%s %q 不存在", what, name)
	}
	if err := DecodeValue(raw, v); err != nil {
		return damaged(field, what, name, err)
	}
	return nil
}

func (t *Tx) putNamed(bucket []byte, name string, v any) error {
	if name == "" {
		return tracker.Errorf(tracker.EInvalid, "名称不能为空")
	}
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	raw, err := EncodeValue(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(name), raw)
}

func eachNamed[T any](t *Tx, bucket []byte, field, what string, fn func(*T) error) error {
	b, err := t.bucket(bucket)
	if err != nil || b == nil {
		return err
	}
	return b.ForEach(func(k, raw []byte) error {
		v := new(T)
		if err := DecodeValue(raw, v); err != nil {
			return damaged(field, what, string(k), err)
		}
		return fn(v)
	})
}
