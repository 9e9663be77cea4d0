package tracker

import (
	"sync/atomic"
	"testing"
)

// Every item is done once, however many there are, and OnCores returns
// only after the last.
func TestOnCores(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 1000} {
		seen := make([]atomic.Int32, n)
		OnCores(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Errorf("n=%d: item %d done %d times", n, i, c)
			}
		}
	}
}
