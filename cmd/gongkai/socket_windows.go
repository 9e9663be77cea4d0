package main

import (
	"errors"
	"net"
)

// listenSocket refuses on Windows: a Unix socket there takes its folder's
// permissions, which usually let every user of the machine in, and
// whoever opens the socket acts as the local administrator. The server
// runs without one; on its machine too, people log in.
func listenSocket(string) (net.Listener, error) {
	return nil, errNoSocket
}

var errNoSocket = errors.New("Windows 上不建立本机套接字")
