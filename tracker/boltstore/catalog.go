package boltstore

import (
	"bytes"
	"sync"

	"gongkai/tracker"
)

// catalogCache keeps the last catalogue decoded, by its stored bytes:
// decoding 81 matters costs about a millisecond, and every logging looks
// a matter up.
var catalogCache struct {
	sync.Mutex
	raw []byte
	c   *tracker.Catalog
}

// Catalog returns the catalogue in force, or nil before init. The caller
// must not change it: it is shared with later transactions.
func (t *Tx) Catalog() (*tracker.Catalog, error) {
	b := t.tx.Bucket(bucketCatalog)
	if b == nil {
		return nil, nil
	}
	v := b.Get(keyCatalog)
	if v == nil {
		return nil, nil
	}
	catalogCache.Lock()
	defer catalogCache.Unlock()
	if catalogCache.c != nil && bytes.Equal(catalogCache.raw, v) {
		return catalogCache.c, nil
	}
	var c tracker.Catalog
	if err := DecodeValue(v, &c); err != nil {
		return nil, damaged(tracker.FieldCatalog, "公开目录", "", err)
	}
	catalogCache.raw, catalogCache.c = bytes.Clone(v), &c
	return &c, nil
}

// PutCatalog replaces the catalogue in force.
func (t *Tx) PutCatalog(c *tracker.Catalog) error {
	v, err := EncodeValue(c)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bucketCatalog).Put(keyCatalog, v)
}
