package boltstore

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The finder agrees with bytes.Contains, whatever the needle and the
// record.
func TestFinder(t *testing.T) {
	alphabet := []string{"第", "号", "缴", "费", "基", "数", "1", "2", "a", "Z", "\\n", "〔", "〕", "章", "人", "社"}
	r := rand.New(rand.NewPCG(1, 2))
	text := func(n int) []byte {
		var b bytes.Buffer
		for range n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.Bytes()
	}
	for range 20000 {
		h, needle := text(r.IntN(30)), text(r.IntN(4))
		if got, want := newFinder(needle).in(h), bytes.Contains(h, needle); got != want {
			t.Fatalf("%q in %q: %v, want %v", needle, h, got, want)
		}
	}
}
