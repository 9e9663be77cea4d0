package tracker

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// cores, when above 0, is how many cores the work spread here may take
// (SetCores); 0: all of them.
var cores atomic.Int32

// SetCores limits the work of the big jobs (reminder runs, checks,
// imports) to n cores, 0 for all: a server leaves a core to its
// requests, so that a job over a million events does not keep staff
// waiting behind it.
func SetCores(n int) { cores.Store(int32(max(0, n))) }

// Cores is how many cores the big jobs may take.
func Cores() int {
	n := runtime.GOMAXPROCS(0)
	if c := int(cores.Load()); c > 0 {
		n = min(n, c)
	}
	return n
}

// pace, when above 0, is the share (percent) of a core the big jobs'
// loops take while they run (SetPace); 0: all they can.
var pace atomic.Int32

// SetPace has the big jobs' loops rest, in turns, so that each takes at
// most percent of a core: a server's requests then find a core free
// even beside a job. 0 (or 100) lets them run flat out.
func SetPace(percent int) { pace.Store(int32(min(max(percent, 0), 100))) }

// Pacer is where a job's loop stands in its turn: call Step every few
// hundred items, from one goroutine. The zero Pacer is ready.
type Pacer struct {
	since time.Time
	steps int
}

// Step rests when the loop has worked its share since the last rest.
func (p *Pacer) Step() {
	if p.steps++; p.steps%256 != 0 {
		return
	}
	pct := time.Duration(pace.Load())
	if pct == 0 || pct == 100 {
		return
	}
	now := paceNow()
	if p.since.IsZero() {
		p.since = now
		return
	}
	if worked := now.Sub(p.since); worked >= 2*time.Millisecond {
		paceSleep(worked * (100 - pct) / pct)
		p.since = paceNow()
	}
}

// The pacer's clock: the machine's (tests give their own).
var (
	paceNow   = time.Now
	paceSleep = time.Sleep
)

// Spread calls fn(i) for every i in [0, n) on every core, the cores taking
// turns (the w-th takes w, w+cores, …), adding its goroutines to wg, whose
// Wait says when all are done. Fewer than 64 items a core stay on fewer
// cores: a goroutine is not worth less. fn must write only item i's.
func Spread(wg *sync.WaitGroup, n int, fn func(i int)) {
	workers := min(Cores(), (n+63)/64)
	for w := range workers {
		wg.Go(func() {
			var p Pacer
			for i := w; i < n; i += workers {
				fn(i)
				p.Step()
			}
		})
	}
}

// OnCores is Spread, returning once every item is done. Its items may
// read a database's mapped pages: a fault there (a page past the end of a
// truncated file) is a panic, not a crash, and a panic in an item panics
// again in the caller, where the store turns a fault into an error.
func OnCores(n int, fn func(i int)) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first any
	)
	Spread(&wg, n, func(i int) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if _, fault := p.(interface{ Addr() uintptr }); !fault {
				p = fmt.Sprintf("%v\n%s", p, debug.Stack()) // a bug: keep where it was
			}
			mu.Lock()
			if first == nil {
				first = p
			}
			mu.Unlock()
		}()
		fn(i)
	})
	wg.Wait()
	if first != nil {
		panic(first)
	}
}
