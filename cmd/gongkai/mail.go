package main

import (
	"fmt"
	"os"
	"time"

	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// transport returns how messages leave under the configuration.
func (e *env) transport() (notify.Transport, string, error) {
	return notify.TransportFor(e.config(), e.getenv)
}

// sender delivers the outbox, recording each step in store.
func (e *env) sender(store tracker.Store, now func() time.Time) (app.Deliverer, error) {
	host, _ := os.Hostname()
	return notify.DelivererFor(e.config(), e.getenv, store, now, fmt.Sprintf("%s/%d", host, os.Getpid()))
}
