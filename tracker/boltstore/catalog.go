package boltstore

import (
	"fmt"

	"gongkai/tracker"
)

// Catalog returns the catalogue in force, or nil before init.
func (t *Tx) Catalog() (*tracker.Catalog, error) {
	b := t.tx.Bucket(bucketCatalog)
	if b == nil {
		return nil, nil
	}
	v := b.Get(keyCatalog)
	if v == nil {
		return nil, nil
	}
	var c tracker.Catalog
	if err := DecodeValue(v, &c); err != nil {
		return nil, fmt.Errorf("stored catalogue: %w", err)
	}
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
