package api

import (
	"fmt"
	"testing"
	"time"
)

// The login limiter: ten attempts a minute per key; refused attempts are
// not kept; keys with nothing in the window are swept; a flood of new keys
// is refused, not remembered.
func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now })
	for i := range 15 {
		if got, want := l.allow("account:zhao", "source:10.0.0.1"), i < loginBurst; got != want {
			t.Fatalf("attempt %d: allowed %v", i+1, got)
		}
	}
	if n := len(l.hit["account:zhao"]); n != loginBurst {
		t.Errorf("%d attempts kept, want %d (refused ones are not)", n, loginBurst)
	}
	now = now.Add(loginWindow)
	if !l.allow("account:zhao", "source:10.0.0.1") {
		t.Error("refused after the window")
	}
	// A flood of names from many addresses: bounded.
	for i := range maxKeys + 5000 {
		l.allow(fmt.Sprint("account:x", i), fmt.Sprint("source:", i))
	}
	if len(l.hit) > maxKeys+2 {
		t.Errorf("%d keys kept, bound %d", len(l.hit), maxKeys)
	}
	now = now.Add(2 * loginWindow)
	for i := range 1024 {
		l.allow("account:zhao", fmt.Sprint("source:late", i%5))
	}
	if len(l.hit) > 10 {
		t.Errorf("%d keys kept after the window passed", len(l.hit))
	}
}
