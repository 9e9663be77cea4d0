package tracker

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
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

// A paced loop rests, every 256 steps, as long as it takes its share of a
// core to have worked: at 60%, 6.4 ms of work earn 4.27 ms of rest;
// unpaced, it never rests.
func TestPacer(t *testing.T) {
	defer SetPace(0)
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var slept []time.Duration
	defer func(n func() time.Time, s func(time.Duration)) { paceNow, paceSleep = n, s }(paceNow, paceSleep)
	paceNow = func() time.Time { return clock }
	paceSleep = func(d time.Duration) { slept = append(slept, d); clock = clock.Add(d) }
	run := func() {
		var p Pacer
		for range 3 * 256 {
			p.Step()
			clock = clock.Add(25 * time.Microsecond)
		}
	}
	SetPace(60)
	run()
	if want := 6400 * time.Microsecond * 40 / 60; len(slept) != 2 || slept[0] != want {
		t.Errorf("at 60%%: rested %v, want twice %v", slept, want)
	}
	slept = nil
	SetPace(0)
	run()
	if len(slept) != 0 {
		t.Errorf("unpaced: rested %v", slept)
	}
}
