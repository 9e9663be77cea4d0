package boltstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
)

// Large message contents — a digest or a report with a workbook of every
// event, megabytes — are kept apart, in outbox_blobs, in chunks written
// each in a small transaction of its own before the transaction that
// queues the message: bbolt writes a value's bytes at commit, and a
// transaction that wrote ten megabytes would keep every other writer
// waiting for the disk.
//
// A large attachment's bytes are chunked as they are, not encoded: a
// workbook is a zip file already, which neither base64 in JSON nor
// deflate would do anything for but cost time, both when the message is
// queued and each time it is read to be sent. Its entry in the content
// record names its chunks (storedAttachment). Identical attachments (the
// same workbook to two recipients) share their chunks.
//
// A content record still too large without its attachments (written by
// earlier versions, or a long text) is chunked whole; the record then
// holds a reference:
//
//	0x02, the SHA-256 of the whole value (32 bytes), the number of chunks
//	(4 bytes, big-endian)
//
// The whole is a value as EncodeValue writes it. A chunk's key is the
// SHA-256 then its number (4 bytes). Chunks are content-addressed: chunks
// of a message that was finally not queued (its plan went stale) stay,
// unreferenced, and harm nothing.
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

// packContent encodes m's content; large attachments and a content still
// large without them are written in chunks, one transaction each through
// update, and m.Packed then refers to them.
func packContent(m *tracker.Message, update func(func(*bolt.Tx) error) error) error {
	packed, err := packStored(contentOf(m), update)
	m.Packed = packed
	return err
}

// packStored is packContent on a content as stored: what its record
// holds once its large parts are in chunks.
func packStored(c messageContent, update func(func(*bolt.Tx) error) error) ([]byte, error) {
	for i, a := range c.Attachments {
		if len(a.Data) < blobFrom {
			continue
		}
		sum, n, err := putChunks(a.Data, update)
		if err != nil {
			return nil, err
		}
		c.Attachments[i].Data, c.Attachments[i].Blob, c.Attachments[i].Chunks = nil, hex.EncodeToString(sum[:]), n
	}
	enc, err := EncodeValue(c)
	if err != nil || len(enc) < blobFrom {
		return enc, err
	}
	sum, n, err := putChunks(enc, update)
	if err != nil {
		return nil, err
	}
	return blobRef(sum, n), nil
}

// putChunks writes data in chunks, a transaction each, and returns its
// SHA-256 and number of chunks. A chunk already there is the same bytes
// (its key is their hash) and is not written again: a transaction passes
// over those, and one that finds nothing left to write is rolled back
// rather than committed (a commit is the disk's two syncs), so that a
// workbook another message has stored costs one look.
func putChunks(data []byte, update func(func(*bolt.Tx) error) error) ([32]byte, uint32, error) {
	sum := sha256.Sum256(data)
	n := uint32((len(data) + blobChunk - 1) / blobChunk)
	for next := uint32(0); next < n; {
		err := update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketBlobs)
			if err != nil {
				return err
			}
			for ; next < n; next++ {
				chunk := data[int(next)*blobChunk : min(int(next+1)*blobChunk, len(data))]
				key := blobKey(sum, next)
				if have := b.Get(key); len(have) != len(chunk) {
					next++
					return b.Put(key, chunk)
				}
			}
			return errNothingToWrite
		})
		if err != nil && !errors.Is(err, errNothingToWrite) {
			return sum, 0, err
		}
	}
	return sum, n, nil
}

// errNothingToWrite rolls back a transaction that found its work done.
var errNothingToWrite = errors.New("nothing to write")

// resolve returns a stored value whole: the value itself, or the chunks a
// reference names, checked against its hash.
func resolve(tx *bolt.Tx, v []byte) ([]byte, error) {
	if !isBlobRef(v) {
		return v, nil
	}
	sum, n := parseBlobRef(v)
	return readChunks(tx, sum, n)
}

// readChunks returns the n chunks of the value with the SHA-256 sum, whole.
func readChunks(tx *bolt.Tx, sum [32]byte, n uint32) ([]byte, error) {
	b := tx.Bucket(bucketBlobs)
	if b == nil {
		return nil, errMissing
	}
	var whole []byte
	for i := uint32(0); i < n; i++ {
		c := b.Get(blobKey(sum, i))
		if c == nil {
			return nil, fmt.Errorf("chunk %d of %d: %w", i+1, n, errMissing)
		}
		if whole == nil {
			whole = make([]byte, 0, int(n)*len(c))
		}
		whole = append(whole, c...)
	}
	if sha256.Sum256(whole) != sum {
		return nil, fmt.Errorf("chunks do not match their hash")
	}
	return whole, nil
}

// parseSum reads a SHA-256 written in hex.
func parseSum(s string) (sum [32]byte, err error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(sum) {
		return sum, fmt.Errorf("invalid SHA-256 %q", s)
	}
	copy(sum[:], b)
	return sum, nil
}

// PackMessage encodes a message's content ahead of the transaction that
// stores it (tracker.Packer); a large one goes to outbox_blobs in chunks,
// a write transaction each.
func (s *Store) PackMessage(m *tracker.Message) error {
	return packContent(m, s.update)
}

// PackMessage is Store.PackMessage on the file, opened for each chunk.
func (f *File) PackMessage(m *tracker.Message) error {
	return packContent(m, func(fn func(*bolt.Tx) error) error {
		s, err := f.writable()
		if err != nil {
			return err
		}
		err = s.update(fn)
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		return err
	})
}
