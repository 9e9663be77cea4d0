package main

import "net"

// listenSocket listens on a Unix socket; Windows keeps it to its owner
// through the folder's permissions.
func listenSocket(path string) (net.Listener, error) { return net.Listen("unix", path) }
