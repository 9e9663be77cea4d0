package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gongkai/config"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// TransportFor returns how messages leave under cfg for the database db:
// by SMTP with [smtp], else as .eml files in the outbox folder; from is the
// sender's address. A problem in the mail settings, a password that cannot
// be read, or a CA file that holds no certificate, is a *config.Error
// naming the key.
func TransportFor(cfg *config.Config, db string, getenv func(string) string) (t Transport, from string, err error) {
	if err := cfg.MailErr(); err != nil {
		return nil, "", err
	}
	if cfg.SMTP == nil {
		return EMLDir{Dir: cfg.Outbox(db)}, EMLFrom, nil
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

// EMLFrom is the sender of the messages written as .eml files, with its
// name as mail programs show it.
const EMLFrom = "政务公开提醒 <gongkai@localhost>"

// DelivererFor returns the outbox's sender under cfg for the database db as the application
// layer takes it: it records each step in store, claims as who (a host
// and process), and gives up on a message after 30 attempts.
func DelivererFor(cfg *config.Config, db string, getenv func(string) string, store tracker.Store, now func() time.Time, who string) (app.Deliverer, error) {
	t, from, err := TransportFor(cfg, db, getenv)
	if err != nil {
		return nil, err
	}
	return deliverer{&Sender{Update: store.Update, View: store.View, Transport: t, From: from, Now: now, Who: who, MaxAttempts: 30}}, nil
}

// deliverer is a Sender as the application layer sees it.
type deliverer struct{ s *Sender }

func (d deliverer) Flush(ctx context.Context, all bool) (app.Delivery, error) {
	r, err := d.s.Flush(ctx, all)
	out := app.Delivery{Transport: d.s.Transport.Name(), Sent: r.Sent, Retrying: r.Retrying, Failed: r.Failed}
	for _, f := range r.Failures {
		out.Failures = append(out.Failures, app.DeliveryFailure{Message: f.ID, To: f.To, Error: f.Err, Permanent: f.Permanent})
	}
	return out, err
}

// ProbeFor connects to the mail server cfg names, negotiates TLS and
// authenticates, without sending, and says in Chinese what it verified.
// Without [smtp] there is nothing to probe: an EInvalid error on the
// recipients' setup.
func ProbeFor(ctx context.Context, cfg *config.Config, getenv func(string) string) (string, error) {
	t, _, err := TransportFor(cfg, "", getenv)
	if err != nil {
		return "", err
	}
	s, ok := t.(*SMTP)
	if !ok {
		return "", tracker.Errorf(tracker.EInvalid, "配置中没有 [smtp]，无从连接邮件服务器")
	}
	if err := s.Probe(ctx); err != nil {
		return "", tracker.Errorf(tracker.EUnavailable, "连接%s 失败：%v", s.Name(), Explain(err))
	}
	what := "TLS 协商和认证均成功"
	switch {
	case s.TLS == "none" && s.Username == "":
		what = "连接成功（未加密，未认证）"
	case s.TLS == "none":
		what = "认证成功（未加密）"
	case s.Username == "":
		what = "TLS 协商成功（未认证）"
	}
	return fmt.Sprintf("已连接%s：%s（未发信）", s.Name(), what), nil
}
