// Command gongkai keeps a government office's statutory disclosure
// deadlines: 20 working days on mainland China's official calendar from the
// day a matter's information is formed or changed.
package main

import (
	"os"
	"runtime/debug"

	"golang.org/x/term"
)

// memoryLimit is the soft limit of the heap (GOMEMLIMIT, unless set): a
// reminder run over a hundred thousand open events keeps a few hundred
// megabytes alive for a moment, and the collector, told the limit, works
// harder near it instead of letting the heap double.
const memoryLimit = 256 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		e.tty = os.Stderr // progress only where a person watches it
	}
	os.Exit(run(os.Args[1:], e))
}
