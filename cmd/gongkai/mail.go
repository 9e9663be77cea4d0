package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// transport returns how messages leave: by SMTP with [smtp], else as .eml
// files in outbox_dir.
func (e *env) transport() (notify.Transport, string, error) {
	cfg := e.config()
	if cfg.SMTP == nil {
		return notify.EMLDir{Dir: cfg.OutboxDir}, "gongkai@localhost", nil
	}
	s := cfg.SMTP
	pw, err := s.Password(e.getenv)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			ce.File = cfg.File
		}
		return nil, "", err
	}
	t := &notify.SMTP{Host: s.Host, Port: s.Port, TLS: s.TLS, Username: s.Username, Password: pw}
	if s.CAFile != "" {
		if t.RootCAs, err = notify.LoadCA(s.CAFile); err != nil {
			return nil, "", &config.Error{File: cfg.File, Key: "smtp.ca_file", Message: err.Error()}
		}
	}
	return t, s.From, nil
}

// sender delivers the outbox, recording each step through update.
func (e *env) sender(store tracker.Store, now func() time.Time) (app.Deliverer, error) {
	t, from, err := e.transport()
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return deliverer{&notify.Sender{
		Update:      store.Update,
		View:        store.View,
		Transport:   t,
		From:        from,
		Now:         now,
		Who:         fmt.Sprintf("%s/%d", host, os.Getpid()),
		MaxAttempts: 30,
	}}, nil
}

// deliverer is notify.Sender as the application layer sees it.
type deliverer struct{ s *notify.Sender }

func (d deliverer) Flush(ctx context.Context) (app.Delivery, error) {
	r, err := d.s.Flush(ctx)
	return app.Delivery{Transport: d.s.Transport.Name(), Sent: r.Sent, Retrying: r.Retrying, Failed: r.Failed}, err
}
