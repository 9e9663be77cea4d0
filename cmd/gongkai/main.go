// Command gongkai keeps a government office's statutory disclosure
// deadlines: 20 working days on mainland China's official calendar from the
// day a matter's information is formed or changed.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
	}))
}
