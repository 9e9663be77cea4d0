package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"gongkai/tracker"
)

// SMTP delivers messages to a mail server, with certificate verification
// (against RootCAs when the server's certificate comes from a private CA)
// and AUTH PLAIN or LOGIN.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // starttls | tls | none
	RootCAs  *x509.CertPool
	Username string
	Password string
	// HelloName is the name given in EHLO; the machine's host name by
	// default.
	HelloName string
	Timeout   time.Duration
}

var _ Transport = (*SMTP)(nil)

// LoadCA reads a PEM file of CA certificates.
func LoadCA(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s 中没有 PEM 格式的证书", file)
	}
	return pool, nil
}

// Name says where messages go.
func (t *SMTP) Name() string { return fmt.Sprintf("邮件服务器 %s:%d", t.Host, t.Port) }

// Send delivers one message, classifying failures.
func (t *SMTP) Send(ctx context.Context, m Outgoing) error {
	c, err := t.dial(ctx)
	if err != nil {
		// Before any message was named, every failure is the setup's or
		// the server's: the pass stops, the message waits.
		err = classify(err)
		var se *SendError
		if errors.As(err, &se) && !se.Setup {
			se = &SendError{Setup: true, Err: se.Err}
			err = se
		}
		return err
	}
	defer c.Close()
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("发件地址 %q 无效", m.From)}
	}
	var to []string
	for _, a := range m.To {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return &SendError{Permanent: true, Err: fmt.Errorf("收件地址 %q 无效", a)}
		}
		to = append(to, addr.Address)
	}
	if err := c.SendMail(from.Address, to, bytes.NewReader(m.Raw)); err != nil {
		return afterConnect(err)
	}
	c.Quit()
	return nil
}

// Probe connects, negotiates TLS and authenticates, sending nothing.
func (t *SMTP) Probe(ctx context.Context) error {
	c, err := t.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Quit()
}

func (t *SMTP) dial(ctx context.Context) (*smtp.Client, error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	addr := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	tlsConfig := &tls.Config{ServerName: t.Host, RootCAs: t.RootCAs, MinVersion: tls.VersionTLS12}
	d := &net.Dialer{Timeout: timeout}
	var c *smtp.Client
	switch t.TLS {
	case "tls":
		conn, err := (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		c = smtp.NewClient(conn)
	case "none":
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		c = smtp.NewClient(conn)
	default: // starttls: the handshake happens here, so a bad certificate is an error now
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			conn.Close()
			return nil, err
		}
	}
	c.CommandTimeout, c.SubmissionTimeout = timeout, timeout
	name := t.HelloName
	if name == "" {
		name, _ = os.Hostname()
	}
	if name == "" {
		name = "localhost"
	}
	if err := c.Hello(name); err != nil {
		c.Close()
		return nil, err
	}
	if t.Username != "" {
		var a sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			a = sasl.NewPlainClient("", t.Username, t.Password)
		case c.SupportsAuth(sasl.Login):
			a = sasl.NewLoginClient(t.Username, t.Password)
		default:
			c.Close()
			return nil, &SendError{Setup: true, Err: errors.New("邮件服务器不支持 AUTH PLAIN 或 LOGIN 认证（请向邮件管理员确认认证方式，或删去 [smtp] 的 username）")}
		}
		if err := c.Auth(a); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Explain turns a connection error into a sentence for people.
func Explain(err error) error { return classify(err) }

// classify tells the faults of the setup (the server cannot be reached or
// will not take a login, a certificate, a connection) from the failures of
// one message: permanent ones (5xx) and passing ones (4xx).
func classify(err error) error {
	var se *SendError
	if errors.As(err, &se) {
		return err
	}
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		msg := fmt.Errorf("邮件服务器回复 %d %s", smtpErr.Code, smtpErr.Message)
		switch {
		case smtpErr.Code == 530 && strings.Contains(strings.ToUpper(smtpErr.Message), "STARTTLS"):
			return &SendError{Setup: true, Err: fmt.Errorf("%w（服务器要求先加密：请把 [smtp] 的 tls 设为 starttls（587、25 端口）或 tls（465 端口））", msg)}
		case smtpErr.Code == 530, smtpErr.Code == 534, smtpErr.Code == 535, smtpErr.Code == 538:
			// Login refused: the server's or the configuration's problem,
			// not the message's. It waits until it is fixed.
			return &SendError{Setup: true, Err: fmt.Errorf("%w（登录被拒绝：请检查 [smtp] 的用户名和密码）", msg)}
		case smtpErr.Code == 421:
			return &SendError{Setup: true, Err: fmt.Errorf("%w（服务器暂停服务）", msg)}
		}
		return &SendError{Permanent: smtpErr.Code >= 500, Err: msg}
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		// Likewise a certificate that does not verify: no message is at fault.
		return &SendError{Setup: true, Err: fmt.Errorf("邮件服务器的证书无法验证：%s（如由单位自建 CA 签发，请在 [smtp] 设 ca_file）", tracker.OSProblem(certErr.Err))}
	}
	// The network: the server cannot be reached, or went away.
	return &SendError{Setup: true, Err: fmt.Errorf("无法连接邮件服务器：%s", tracker.OSProblem(err))}
}

// afterConnect classifies a failure once the server took the connection
// and the login: the message's, to retry later (a connection cut while a
// large report is sent, a server's 4xx), unless the server refuses the
// login after all; a fault of the setup would stop the pass at this
// message every time, and hold every later one behind it.
func afterConnect(err error) error {
	var smtpErr *smtp.SMTPError
	var se *SendError
	switch {
	case errors.As(err, &smtpErr) && smtpErr.Code == 421:
		return &SendError{Err: fmt.Errorf("邮件服务器回复 %d %s（服务器暂停服务，稍后重试）", smtpErr.Code, smtpErr.Message)}
	case errors.As(err, &smtpErr), errors.As(err, &se):
		return classify(err) // a login refused after all is the setup's; 4xx retried, 5xx final
	}
	return &SendError{Err: fmt.Errorf("发送时与邮件服务器的连接出错：%s（稍后重试）", tracker.OSProblem(err))}
}
