package boltstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
)

// Large message contents — a digest or a report with a workbook of every
// event, megabytes — are kept apart, in outbox_blobs, in chunks written
// each in a small transaction of its own before the transaction that
// queues the message: bbolt writes a value's bytes at commit, and a
// transaction that wrote ten megabytes would keep every other writer
// waiting for the disk. The content record then holds a reference:
//
//	0x02, the SHA-256 of the whole value (32 bytes), the number of chunks
//	(4 bytes, big-endian)
//
// The whole is a value as EncodeValue writes it. A chunk's key is the
// SHA-256 then its number (4 bytes). Chunks are content-addressed: writing
// them again writes the same; chunks of a message that was finally not
// queued (its plan went stale) stay, unreferenced, and harm nothing.
const tagBlob = 0x02

// blobFrom is the size from which a packed content is kept in chunks, and
// blobChunk the size of a chunk: a transaction writes at most that much.
const (
	blobFrom  = 256 << 10
	blobChunk = 1 << 20
)

var bucketBlobs = []byte("outbox_blobs")

func blobKey(sum [32]byte, n uint32) []byte {
	k := make([]byte, 36)
	copy(k, sum[:])
	binary.BigEndian.PutUint32(k[32:], n)
	return k
}

func blobRef(sum [32]byte, chunks uint32) []byte {
	ref := make([]byte, 37)
	ref[0] = tagBlob
	copy(ref[1:], sum[:])
	binary.BigEndian.PutUint32(ref[33:], chunks)
	return ref
}

// isBlobRef reports whether a stored value is a reference to chunks.
func isBlobRef(v []byte) bool { return len(v) == 37 && v[0] == tagBlob }

func parseBlobRef(v []byte) (sum [32]byte, chunks uint32) {
	copy(sum[:], v[1:33])
	return sum, binary.BigEndian.Uint32(v[33:])
}

// packContent encodes m's content; a large one is written in chunks, one
// transaction each through update, and m.Packed is then its reference.
func packContent(m *tracker.Message, update func(func(*bolt.Tx) error) error) error {
	enc, err := EncodeValue(contentOf(m))
	if err != nil {
		return err
	}
	if len(enc) < blobFrom {
		m.Packed = enc
		return nil
	}
	sum := sha256.Sum256(enc)
	n := uint32(0)
	for off := 0; off < len(enc); off += blobChunk {
		chunk := enc[off:min(off+blobChunk, len(enc))]
		key := blobKey(sum, n)
		if err := update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketBlobs)
			if err != nil {
				return err
			}
			return b.Put(key, chunk)
		}); err != nil {
			return err
		}
		n++
	}
	m.Packed = blobRef(sum, n)
	return nil
}

// resolve returns a stored value whole: the value itself, or the chunks a
// reference names, checked against its hash.
func resolve(tx *bolt.Tx, v []byte) ([]byte, error) {
	if !isBlobRef(v) {
		return v, nil
	}
	sum, n := parseBlobRef(v)
	b := tx.Bucket(bucketBlobs)
	if b == nil {
		return nil, errMissing
	}
	var whole bytes.Buffer
	for i := uint32(0); i < n; i++ {
		c := b.Get(blobKey(sum, i))
		if c == nil {
			return nil, fmt.Errorf("chunk %d of %d: %w", i+1, n, errMissing)
		}
		whole.Write(c)
	}
	if sha256.Sum256(whole.Bytes()) != sum {
		return nil, fmt.Errorf("chunks do not match their hash")
	}
	return whole.Bytes(), nil
}

// PackMessage encodes a message's content ahead of the transaction that
// stores it (tracker.Packer); a large one goes to outbox_blobs in chunks,
// a write transaction each.
func (s *Store) PackMessage(m *tracker.Message) error {
	return packContent(m, s.db.Update)
}

// PackMessage is Store.PackMessage on the file, opened for each chunk.
func (f *File) PackMessage(m *tracker.Message) error {
	return packContent(m, func(fn func(*bolt.Tx) error) error {
		o := f.Options
		o.ReadOnly = false
		s, err := Open(f.Path, o)
		if err != nil {
			return err
		}
		err = s.db.Update(fn)
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		return err
	})
}
