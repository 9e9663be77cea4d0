package tracker

import (
	"runtime"
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

// A server's jobs leave a core to its requests: Spread then runs on the
// cores it is given, one goroutine each.
func TestSetCores(t *testing.T) {
	defer SetCores(0)
	SetCores(1)
	if Cores() != 1 {
		t.Fatalf("Cores() = %d after SetCores(1)", Cores())
	}
	var running, most atomic.Int32
	OnCores(10_000, func(int) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		running.Add(-1)
	})
	if most.Load() != 1 {
		t.Errorf("%d items at once on one core", most.Load())
	}
	SetCores(0)
	if Cores() != runtime.GOMAXPROCS(0) {
		t.Errorf("Cores() = %d, GOMAXPROCS %d", Cores(), runtime.GOMAXPROCS(0))
	}
}
