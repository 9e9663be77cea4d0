package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testServer is a real SMTP server on 127.0.0.1 speaking STARTTLS and AUTH
// PLAIN, whose answer to DATA the test sets.
type testServer struct {
	Addr  string
	Port  int
	Roots *x509.CertPool

	mu       sync.Mutex
	reply    int // 0: accept; else the SMTP code to answer DATA with
	received []received
}

type received struct {
	From string
	To   []string
	Data string
}

func (s *testServer) setReply(code int) { s.mu.Lock(); s.reply = code; s.mu.Unlock() }

func (s *testServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *testServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv  *testServer
	auth bool
	msg  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "gongkai" || pass != "s3cret" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.auth = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.reply != 0 {
		return &smtp.SMTPError{Code: s.srv.reply, Message: "try later or never"}
	}
	s.msg.Data = string(b)
	s.srv.received = append(s.srv.received, s.msg)
	return nil
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }

// startServer serves SMTP with STARTTLS on a loopback port, with a
// certificate from a CA of the test's own.
func startServer(t *testing.T) *testServer {
	t.Helper()
	cert, roots := selfSigned(t)
	ts := &testServer{Roots: roots}
	srv := smtp.NewServer(ts)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Addr = l.Addr().String()
	ts.Port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "gongkai test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func client(ts *testServer) *SMTP {
	return &SMTP{Host: "127.0.0.1", Port: ts.Port, TLS: "starttls", RootCAs: ts.Roots, Username: "gongkai", Password: "s3cret", HelloName: "gongkai.test", Timeout: 5 * time.Second}
}

func outgoing(to ...string) Outgoing {
	return Outgoing{ID: 1, Key: "k", From: "政务公开提醒 <gongkai@example.gov.cn>", To: to, Raw: []byte("Subject: x\r\n\r\nhello\r\n")}
}

func TestSMTPDelivers(t *testing.T) {
	ts := startServer(t)
	if err := client(ts).Send(context.Background(), outgoing("专员 <officer@example.gov.cn>")); err != nil {
		t.Fatal(err)
	}
	got := ts.messages()
	if len(got) != 1 || got[0].From != "gongkai@example.gov.cn" || got[0].To[0] != "officer@example.gov.cn" || !strings.Contains(got[0].Data, "hello") {
		t.Fatalf("received %+v", got)
	}
	if err := client(ts).Probe(context.Background()); err != nil {
		t.Errorf("probe: %v", err)
	}
}

func TestSMTPFailures(t *testing.T) {
	ts := startServer(t)
	var se *SendError

	// 451: try again later.
	ts.setReply(451)
	err := client(ts).Send(context.Background(), outgoing("officer@example.gov.cn"))
	if !errors.As(err, &se) || se.Permanent || !strings.Contains(err.Error(), "451") {
		t.Errorf("451: %v (permanent %v)", err, se != nil && se.Permanent)
	}
	// 550: never.
	ts.setReply(550)
	err = client(ts).Send(context.Background(), outgoing("officer@example.gov.cn"))
	if !errors.As(err, &se) || !se.Permanent || !strings.Contains(err.Error(), "550") {
		t.Errorf("550: %v", err)
	}
	ts.setReply(0)
	// A refused recipient is permanent.
	err = client(ts).Send(context.Background(), outgoing("nobody@example.gov.cn"))
	if !errors.As(err, &se) || !se.Permanent {
		t.Errorf("bad address: %v", err)
	}
	// A wrong password (535) is no message's fault: retried, and said so.
	c := client(ts)
	c.Password = "wrong"
	if err := c.Send(context.Background(), outgoing("officer@example.gov.cn")); !errors.As(err, &se) || se.Permanent || !strings.Contains(err.Error(), "用户名和密码") {
		t.Errorf("bad password: %v", err)
	}
	// Likewise a certificate that does not verify.
	c = client(ts)
	c.RootCAs = nil
	if err := c.Send(context.Background(), outgoing("officer@example.gov.cn")); !errors.As(err, &se) || se.Permanent || !strings.Contains(err.Error(), "证书") {
		t.Errorf("untrusted certificate: %v", err)
	}
	// Nobody listening: a network error, retried.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c = client(ts)
	c.Port = port
	if err := c.Send(context.Background(), outgoing("officer@example.gov.cn")); !errors.As(err, &se) || se.Permanent {
		t.Errorf("connection refused: %v", err)
	}
	if n := len(ts.messages()); n != 0 {
		t.Errorf("%d messages got through", n)
	}
}
