package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/rogpeppe/go-internal/testscript"
)

// refusingSMTP is a mail server on a loopback port that takes every
// connection and answers each message's DATA with code: 451 (try again
// later) or 550 (never), failures of the message, not of the setup.
func refusingSMTP(t *testing.T, code int) int {
	t.Helper()
	port, stop, err := startRefusingSMTP(code)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return port
}

func startRefusingSMTP(code int) (port int, stop func(), err error) {
	srv := smtp.NewServer(refusingBackend(code))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	go srv.Serve(l)
	return l.Addr().(*net.TCPAddr).Port, func() { srv.Close() }, nil
}

// smtpd is the scripts' command "smtpd CODE FILE": a refusingSMTP
// answering CODE for the rest of the script, named in an [smtp] section
// appended to the configuration FILE.
func smtpd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: smtpd CODE FILE")
	}
	code, err := strconv.Atoi(args[0])
	ts.Check(err)
	port, stop, err := startRefusingSMTP(code)
	ts.Check(err)
	ts.Defer(stop)
	f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_APPEND|os.O_WRONLY, 0)
	ts.Check(err)
	defer f.Close()
	_, err = fmt.Fprintf(f, "\n[smtp]\nhost = \"127.0.0.1\"\nport = %d\ntls = \"none\"\nfrom = \"gongkai@example.gov.cn\"\n", port)
	ts.Check(err)
}

type refusingBackend int

func (b refusingBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return refusing(b), nil }

type refusing int

func (refusing) Mail(string, *smtp.MailOptions) error { return nil }
func (refusing) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (r refusing) Data(rd io.Reader) error {
	io.Copy(io.Discard, rd)
	return &smtp.SMTPError{Code: int(r), Message: "refused by the test"}
}
func (refusing) Reset()        {}
func (refusing) Logout() error { return nil }
