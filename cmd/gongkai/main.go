// Command gongkai keeps a government office's statutory disclosure
// deadlines: 20 working days on mainland China's official calendar from the
// day a matter's information is formed or changed.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

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
	if fd := int(os.Stdout.Fd()); term.IsTerminal(fd) {
		if w, _, err := term.GetSize(fd); err == nil {
			e.termWidth = w
		}
	}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		e.tty = os.Stderr // progress only where a person watches it
	}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		e.prompt = func(label string, secret bool) (string, error) {
			fmt.Fprint(os.Stderr, label)
			if secret {
				b, err := term.ReadPassword(fd)
				fmt.Fprintln(os.Stderr)
				return string(b), err
			}
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			return strings.TrimRight(line, "\r\n"), err
		}
	}
	os.Exit(run(os.Args[1:], e))
}
