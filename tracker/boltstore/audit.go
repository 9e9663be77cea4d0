package boltstore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"gongkai/tracker"
)

// Audit appends an entry, chained to the last one.
func (t *Tx) Audit(a *tracker.AuditEntry) error {
	b := t.tx.Bucket(bucketAudit)
	if t.lastSeq == 0 {
		if k, v := b.Cursor().Last(); k != nil {
			var last tracker.AuditEntry
			if err := DecodeValue(v, &last); err != nil {
				return damaged("", "审计日志的最后一条记录", "", err)
			}
			t.lastSeq, t.lastHash = binary.BigEndian.Uint64(k), last.Hash
		}
	}
	a.Seq, a.Prev = t.lastSeq+1, t.lastHash
	if len(a.Content) == 0 {
		a.Content = json.RawMessage("null")
	}
	// Hash the content in the form it is stored in: encoding/json compacts
	// it and escapes <, > and & (as in a URL's query).
	if !a.Canonical {
		canon, err := json.Marshal(a.Content)
		if err != nil {
			return fmt.Errorf("audit content: %w", err)
		}
		a.Content = canon
	}
	// Likewise the strings: a name typed in another encoding (GBK, say)
	// is hashed as it is stored, with U+FFFD for each byte that is not
	// UTF-8.
	a.Actor, a.Action, a.Subject = jsonString(a.Actor), jsonString(a.Action), jsonString(a.Subject)
	a.Hash = a.ComputeHash()
	v, err := encodeAudit(a)
	if err != nil {
		return err
	}
	if err := b.Put(idKey(a.Seq), v); err != nil {
		return err
	}
	t.lastSeq, t.lastHash = a.Seq, a.Hash
	return nil
}

// AuditHead returns the last entry's sequence number and hash.
func (t *Tx) AuditHead() (tracker.AuditHead, error) {
	b := t.tx.Bucket(bucketAudit)
	if b == nil {
		return tracker.AuditHead{}, nil
	}
	k, v := b.Cursor().Last()
	if k == nil {
		return tracker.AuditHead{}, nil
	}
	var last tracker.AuditEntry
	if err := DecodeValue(v, &last); err != nil {
		return tracker.AuditHead{}, damaged("", "审计日志的最后一条记录", "", err)
	}
	return tracker.AuditHead{Count: binary.BigEndian.Uint64(k), Hash: last.Hash}, nil
}

// AuditEntries calls fn for every entry in storage order.
func (t *Tx) AuditEntries(fn func(key uint64, a *tracker.AuditEntry) error) error {
	b := t.tx.Bucket(bucketAudit)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var a tracker.AuditEntry
		key := binary.BigEndian.Uint64(k)
		if err := DecodeValue(v, &a); err != nil {
			return &tracker.AuditProblem{Key: key, Message: fmt.Sprintf("审计日志第 %d 个位置的记录无法读取：记录被改动", key)}
		}
		return fn(key, &a)
	})
}

// AuditEntriesAfter calls fn for every entry after the one numbered seq,
// in order: what was written since a read that saw seq entries.
func (t *Tx) AuditEntriesAfter(seq uint64, fn func(a *tracker.AuditEntry) error) error {
	b := t.tx.Bucket(bucketAudit)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.Seek(idKey(seq + 1)); k != nil; k, v = c.Next() {
		var a tracker.AuditEntry
		if err := DecodeValue(v, &a); err != nil {
			key := binary.BigEndian.Uint64(k)
			return &tracker.AuditProblem{Key: key, Message: fmt.Sprintf("审计日志第 %d 个位置的记录无法读取：记录被改动", key)}
		}
		if err := fn(&a); err != nil {
			return err
		}
	}
	return nil
}
