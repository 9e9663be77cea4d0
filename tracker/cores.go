package tracker

import (
	"runtime"
	"sync"
)

// Spread calls fn(i) for every i in [0, n) on every core, the cores taking
// turns (the w-th takes w, w+cores, …), adding its goroutines to wg, whose
// Wait says when all are done. Fewer than 64 items a core stay on fewer
// cores: a goroutine is not worth less. fn must write only item i's.
func Spread(wg *sync.WaitGroup, n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
}

// OnCores is Spread, returning once every item is done.
func OnCores(n int, fn func(i int)) {
	var wg sync.WaitGroup
	Spread(&wg, n, fn)
	wg.Wait()
}
