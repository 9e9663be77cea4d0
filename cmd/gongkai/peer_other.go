//go:build !linux

package main

import "net"

// peerUser names the user at the other end of a Unix socket where the
// system does not say: "" (the socket's mode lets only the server's user
// open it, so that user is assumed).
func peerUser(net.Conn) string { return "" }
