package notify

import (
	"context"
	"errors"
	"time"

	"gongkai/config"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// TransportFor returns how messages leave under cfg: by SMTP with [smtp],
// else as .eml files in outbox_dir; from is the sender's address. A
// password that cannot be read, or a CA file that holds no certificate, is
// a *config.Error naming the key.
func TransportFor(cfg *config.Config, getenv func(string) string) (t Transport, from string, err error) {
	if cfg.SMTP == nil {
		return EMLDir{Dir: cfg.OutboxDir}, "gongkai@localhost", nil
	}
	s := cfg.SMTP
	pw, err := s.Password(getenv)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			ce.File = cfg.File
		}
		return nil, "", err
	}
	smtp := &SMTP{Host: s.Host, Port: s.Port, TLS: s.TLS, Username: s.Username, Password: pw}
	if s.CAFile != "" {
		if smtp.RootCAs, err = LoadCA(s.CAFile); err != nil {
			return nil, "", &config.Error{File: cfg.File, Key: "smtp.ca_file", Message: err.Error()}
		}
	}
	return smtp, s.From, nil
}

// DelivererFor returns the outbox's sender under cfg as the application
// layer takes it: it records each step in store, claims as who (a host
// and process), and gives up on a message after 30 attempts.
func DelivererFor(cfg *config.Config, getenv func(string) string, store tracker.Store, now func() time.Time, who string) (app.Deliverer, error) {
	t, from, err := TransportFor(cfg, getenv)
	if err != nil {
		return nil, err
	}
	return deliverer{&Sender{Update: store.Update, View: store.View, Transport: t, From: from, Now: now, Who: who, MaxAttempts: 30}}, nil
}

// deliverer is a Sender as the application layer sees it.
type deliverer struct{ s *Sender }

func (d deliverer) Flush(ctx context.Context) (app.Delivery, error) {
	r, err := d.s.Flush(ctx)
	return app.Delivery{Transport: d.s.Transport.Name(), Sent: r.Sent, Retrying: r.Retrying, Failed: r.Failed}, err
}
