//go:build !windows

package main

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// listenSocket listens on a Unix socket only its owner may open: made
// under a umask that leaves no one else any access, then checked.
func listenSocket(path string) (net.Listener, error) {
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// errNoSocket is the error of a system without a safe socket (Windows).
var errNoSocket = errors.New("no socket")
