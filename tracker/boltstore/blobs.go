package boltstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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
// large without them are written in chunks through w, and m.Packed then
// refers to them.
func packContent(m *tracker.Message, w chunkWriter) error {
	packed, err := packStored(contentOf(m), w)
	m.Packed = packed
	return err
}

// chunkWriter is how chunks reach the file: view looks for those already
// there, write puts one, in a transaction it may share with other writers
// (bbolt's Batch, on a server: a chunk then rides along with the commit of
// the events logged meanwhile instead of taking a commit, two syncs of
// the disk, of its own while they wait). write's function may run more
// than once.
type chunkWriter struct {
	view, write func(func(*bolt.Tx) error) error
}

// inTx is a chunkWriter inside the transaction tx (a migration).
func inTx(tx *bolt.Tx) chunkWriter {
	in := func(fn func(*bolt.Tx) error) error { return fn(tx) }
	return chunkWriter{view: in, write: in}
}

// packStored is packContent on a content as stored: what its record
// holds once its large parts are in chunks.
func packStored(c messageContent, w chunkWriter) ([]byte, error) {
	for i, a := range c.Attachments {
		if len(a.Data) < blobFrom {
			continue
		}
		sum, n, err := putChunks(a.Data, w)
		if err != nil {
			return nil, err
		}
		c.Attachments[i].Data, c.Attachments[i].Blob, c.Attachments[i].Chunks = nil, hex.EncodeToString(sum[:]), n
	}
	enc, err := EncodeValue(c)
	if err != nil || len(enc) < blobFrom {
		return enc, err
	}
	sum, n, err := putChunks(enc, w)
	if err != nil {
		return nil, err
	}
	return blobRef(sum, n), nil
}

// putChunks writes data in chunks, a write each, and returns its SHA-256
// and number of chunks. A chunk already there is the same bytes (its key
// is their hash) and is not written again: one look in a read transaction
// finds those, so that a workbook another message has stored costs no
// write at all.
func putChunks(data []byte, w chunkWriter) ([32]byte, uint32, error) {
	sum := sha256.Sum256(data)
	n := uint32((len(data) + blobChunk - 1) / blobChunk)
	chunk := func(i uint32) []byte { return data[int(i)*blobChunk : min(int(i+1)*blobChunk, len(data))] }
	var missing []uint32
	err := w.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		for i := range n {
			if b == nil || len(b.Get(blobKey(sum, i))) != len(chunk(i)) {
				missing = append(missing, i)
			}
		}
		return nil
	})
	if err != nil {
		return sum, 0, err
	}
	for _, i := range missing {
		err := w.write(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketBlobs)
			if err != nil {
				return err
			}
			return b.Put(blobKey(sum, i), chunk(i))
		})
		if err != nil {
			return sum, 0, err
		}
	}
	return sum, n, nil
}

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
// each shared with the commit of other writers (chunkWriter).
func (s *Store) PackMessage(m *tracker.Message) error {
	return packContent(m, chunkWriter{view: s.view, write: s.batch})
}

// PackMessage is Store.PackMessage on the file, opened for each chunk.
func (f *File) PackMessage(m *tracker.Message) error {
	open := func(run func(*Store, func(*bolt.Tx) error) error) func(func(*bolt.Tx) error) error {
		return func(fn func(*bolt.Tx) error) error {
			s, err := f.writable()
			if err != nil {
				return err
			}
			err = run(s, fn)
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			return err
		}
	}
	return packContent(m, chunkWriter{view: open((*Store).view), write: open((*Store).update)})
}
