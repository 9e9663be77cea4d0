package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
)

// ReminderState returns how far event id's reminders have gone.
//
// A read transaction looks the marks up with a cursor that moves forward: a
// reminder run reads those of every open event, in id order, mostly a
// step or two apart, where a lookup from the root each time took a
// tenth of a second at a hundred thousand.
func (t *Tx) ReminderState(id uint64) (tracker.ReminderState, error) {
	var st tracker.ReminderState
	if t.marks == nil {
		b := t.tx.Bucket(bucketRemind)
		if b == nil {
			return st, nil
		}
		if !t.tx.Writable() { // a write's puts would move a cursor under it
			t.marks = &lookupCursor{cur: b.Cursor()}
		}
	}
	var v []byte
	if t.marks != nil {
		if k, kv := t.marks.seek(idKey(id)); bytes.Equal(k, idKey(id)) {
			v = kv
		}
	} else {
		v = t.tx.Bucket(bucketRemind).Get(idKey(id))
	}
	if v != nil {
		st, err := decodeMarks(v)
		if err != nil {
			return st, damaged(tracker.FieldEvent, "事件的提醒记录", id, err)
		}
		return st, nil
	}
	return st, nil
}

// PutReminderState records how far event id's reminders have gone.
func (t *Tx) PutReminderState(id uint64, st tracker.ReminderState) error {
	return t.tx.Bucket(bucketRemind).Put(idKey(id), encodeMarks(st))
}

// messageContent is what a message says, stored apart from its state, once:
// a sender changes the state of a message several times, and a report's
// content runs to megabytes, a digest's list of stages to a line per event.
type messageContent struct {
	Text        string             `json:"text"`
	HTML        string             `json:"html,omitempty"`
	Attachments []storedAttachment `json:"attachments,omitempty"`
	Stages      []string           `json:"stages,omitempty"`
}

// storedAttachment is an attachment as a content record holds it: its
// bytes inline, or those of a large one in outbox_blobs (blobs.go), by
// their SHA-256 and number of chunks.
type storedAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data,omitempty"`
	Blob        string `json:"blob,omitempty"`
	Chunks      uint32 `json:"chunks,omitempty"`
}

func contentOf(m *tracker.Message) messageContent {
	c := messageContent{Text: m.Text, HTML: m.HTML, Stages: m.Stages}
	for _, a := range m.Attachments {
		c.Attachments = append(c.Attachments, storedAttachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	return c
}

// attachments returns the content's attachments, with the bytes of those
// kept in chunks.
func (c *messageContent) attachments(tx *bolt.Tx) ([]tracker.Attachment, error) {
	var as []tracker.Attachment
	for i, a := range c.Attachments {
		data := a.Data
		if a.Blob != "" {
			sum, err := parseSum(a.Blob)
			if err != nil {
				return nil, fmt.Errorf("attachment %d: %w", i+1, err)
			}
			if data, err = readChunks(tx, sum, a.Chunks); err != nil {
				return nil, fmt.Errorf("attachment %d: %w", i+1, err)
			}
		}
		as = append(as, tracker.Attachment{Name: a.Name, ContentType: a.ContentType, Data: data})
	}
	return as, nil
}

// PutMessage stores a message; a new one gets the next id, and its key
// must be free. The content (text, HTML, attachments) of a new message is
// stored once; later puts store the state alone.
func (t *Tx) PutMessage(m *tracker.Message) error {
	isNew := m.ID == 0
	b, keys := t.tx.Bucket(bucketOutbox), t.tx.Bucket(bucketOutKeys)
	if m.ID == 0 {
		if keys.Get([]byte(m.Key)) != nil {
			return fmt.Errorf("outbox key %q is taken", m.Key)
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		m.ID = id
		if err := keys.Put([]byte(m.Key), idKey(id)); err != nil {
			return err
		}
	}
	if isNew && m.ContentOf == 0 {
		cv := m.Packed
		if cv == nil {
			var err error
			if cv, err = EncodeValue(contentOf(m)); err != nil {
				return err
			}
		}
		if err := t.tx.Bucket(bucketContent).Put(idKey(m.ID), cv); err != nil {
			return err
		}
	}
	state := *m
	state.Text, state.HTML, state.Attachments, state.Stages = "", "", nil, nil
	v, err := EncodeValue(&state)
	if err != nil {
		return err
	}
	if err := b.Put(idKey(m.ID), v); err != nil {
		return err
	}
	// The indexes of what senders and digests look for.
	for _, ix := range []struct {
		bucket []byte
		in     bool
	}{
		{bucketPending, m.State == tracker.Queued || m.State == tracker.Sending},
		{bucketFailed, m.Unreported()},
	} {
		var err error
		if ix.in {
			err = t.tx.Bucket(ix.bucket).Put(idKey(m.ID), nil)
		} else {
			err = t.tx.Bucket(ix.bucket).Delete(idKey(m.ID))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// PendingMessages calls fn for every message queued or being sent.
func (t *Tx) PendingMessages(fn func(*tracker.Message) error) error {
	return t.indexed(bucketPending, fn)
}

// UnreportedFailures calls fn for every failed message not yet reported.
func (t *Tx) UnreportedFailures(fn func(*tracker.Message) error) error {
	return t.indexed(bucketFailed, fn)
}

func (t *Tx) indexed(index []byte, fn func(*tracker.Message) error) error {
	ix := t.tx.Bucket(index)
	if ix == nil {
		return nil
	}
	var ids []uint64
	if err := ix.ForEach(func(k, _ []byte) error {
		ids = append(ids, binary.BigEndian.Uint64(k))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		m, err := t.MessageState(id)
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// Message returns the message with the id, content included.
func (t *Tx) Message(id uint64) (*tracker.Message, error) {
	m, err := t.MessageState(id)
	if err != nil {
		return nil, err
	}
	from := id
	if m.ContentOf != 0 {
		from = m.ContentOf
	}
	v := t.tx.Bucket(bucketContent).Get(idKey(from))
	if v == nil {
		// Every message is stored with its content (migrations moved older
		// ones there): without it, it would go out blank.
		return nil, damaged(tracker.FieldMessage, "邮件的内容", id, errMissing)
	}
	v, err = resolve(t.tx, v)
	if err != nil {
		return nil, damaged(tracker.FieldMessage, "邮件的内容", id, err)
	}
	var c messageContent
	if err := DecodeValue(v, &c); err != nil {
		return nil, damaged(tracker.FieldMessage, "邮件的内容", id, err)
	}
	as, err := c.attachments(t.tx)
	if err != nil {
		return nil, damaged(tracker.FieldMessage, "邮件的附件", id, err)
	}
	m.Text, m.HTML, m.Attachments = c.Text, c.HTML, as
	if m.ContentOf == 0 {
		m.Stages = c.Stages // a shared report's content carries none
	}
	return m, nil
}

// MessageState returns the message with the id, without its content.
func (t *Tx) MessageState(id uint64) (*tracker.Message, error) {
	b := t.tx.Bucket(bucketOutbox)
	var v []byte
	if b != nil {
		v = b.Get(idKey(id))
	}
	if v == nil {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldMessage, "发件箱中没有编号为 %d 的邮件", id)
	}
	var m tracker.Message
	if err := DecodeValue(v, &m); err != nil {
		return nil, damaged(tracker.FieldMessage, "邮件", id, err)
	}
	return &m, nil
}

// MessageByKey returns the message with the key, or nil.
func (t *Tx) MessageByKey(key string) (*tracker.Message, error) {
	keys := t.tx.Bucket(bucketOutKeys)
	if keys == nil {
		return nil, nil
	}
	k := keys.Get([]byte(key))
	if k == nil {
		return nil, nil
	}
	return t.MessageState(binary.BigEndian.Uint64(k))
}

// Messages calls fn for every message in id order.
func (t *Tx) Messages(fn func(*tracker.Message) error) error {
	b := t.tx.Bucket(bucketOutbox)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var m tracker.Message
		if err := DecodeValue(v, &m); err != nil {
			return damaged(tracker.FieldMessage, "邮件", binary.BigEndian.Uint64(k), err)
		}
		return fn(&m)
	})
}
