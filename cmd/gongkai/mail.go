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

// sender delivers the outbox, opening the database for each step alone.
func (e *env) sender() (*notify.Sender, error) {
	t, from, err := e.transport()
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return &notify.Sender{
		Update: func(fn func(tracker.Tx) error) error {
			s, err := e.openStore(false)
			if err != nil {
				return err
			}
			err = s.Update(fn)
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			return err
		},
		Transport:   t,
		From:        from,
		Now:         func() time.Time { now, _ := e.now(); return now },
		Who:         fmt.Sprintf("%s/%d", host, os.Getpid()),
		MaxAttempts: 30,
	}, nil
}

// flush sends what is waiting and says what happened.
func (e *env) flush(ctx context.Context) error {
	s, err := e.sender()
	if err != nil {
		return err
	}
	r, err := s.Flush(ctx)
	if r.Sent+r.Retrying+r.Failed > 0 {
		fmt.Fprintf(e.stdout, "投递（%s）：成功 %d 封", s.Transport.Name(), r.Sent)
		if r.Retrying > 0 {
			fmt.Fprintf(e.stdout, "，稍后重试 %d 封", r.Retrying)
		}
		if r.Failed > 0 {
			fmt.Fprintf(e.stdout, "，失败 %d 封（见 gongkai outbox）", r.Failed)
		}
		fmt.Fprintln(e.stdout, "。")
	}
	return err
}
