package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	gosmtp "github.com/emersion/go-smtp"
	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
	"gongkai/tracker/boltstore"
)

// outboxDB is a bbolt database in a temporary folder, opened for each step
// alone, as the daemon and the CLI do.
func outboxDB(t *testing.T) func(fn func(tracker.Tx) error) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.db")
	return func(fn func(tracker.Tx) error) error {
		s, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Update(fn)
	}
}

func queue(t *testing.T, update func(func(tracker.Tx) error) error, n int, to string) {
	t.Helper()
	err := update(func(tx tracker.Tx) error {
		for i := 0; i < n; i++ {
			key := fmt.Sprintf("digest/2026-11-23/%s/%d", to, i)
			m := &tracker.Message{Key: key, MessageID: tracker.NewMessageID(key), To: []string{to},
				Subject: fmt.Sprintf("【政务公开提醒】第%d封", i), Text: "正文", State: tracker.Queued}
			if err := tx.PutMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func messageIDs(t *testing.T, rs []received) []string {
	var out []string
	for _, r := range rs {
		mr, err := gomail.CreateReader(strings.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := mr.Header.MessageID()
		out = append(out, id)
	}
	return out
}

// A server that is down (451) for a while loses nothing: the messages wait
// with backoff and go out once, each with the Message-ID it always had.
func TestOutageThenDelivery(t *testing.T) {
	ts := startServer(t)
	update := outboxDB(t)
	queue(t, update, 3, "officer@example.gov.cn")
	clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	s := &Sender{Update: update, Transport: client(ts), From: "政务公开提醒 <gongkai@example.gov.cn>", Now: clk.Now, Who: "test"}

	ts.setReply(451)
	for i := 0; i < 3; i++ { // three attempts over the outage
		r, err := s.Flush(context.Background(), false)
		if err != nil || r.Retrying != 3 || r.Sent != 0 {
			t.Fatalf("attempt %d during the outage: %+v %v", i+1, r, err)
		}
		// Nothing is due again before its backoff.
		if r, _ := s.Flush(context.Background(), false); !reflect.DeepEqual(r, Result{}) {
			t.Fatalf("retried before the backoff: %+v", r)
		}
		clk.Add(Backoff(i+1) + time.Second)
	}
	ts.setReply(0)
	r, err := s.Flush(context.Background(), false)
	if err != nil || r.Sent != 3 {
		t.Fatalf("after the outage: %+v %v", r, err)
	}
	if r, _ := s.Flush(context.Background(), false); !reflect.DeepEqual(r, Result{}) {
		t.Fatalf("sent again: %+v", r)
	}
	got := messageIDs(t, ts.messages())
	if len(got) != 3 || got[0] == got[1] || got[0] != strings.Replace(strings.Trim(tracker.NewMessageID("digest/2026-11-23/officer@example.gov.cn/0"), "<>"), "@gongkai", "@example.gov.cn", 1) {
		t.Errorf("message ids %v", got)
	}
	update(func(tx tracker.Tx) error {
		return tx.Messages(func(m *tracker.Message) error {
			if m.State != tracker.Sent || m.Attempts != 4 || m.LastError != "" {
				t.Errorf("message %d: %s after %d attempts (%q)", m.ID, m.State, m.Attempts, m.LastError)
			}
			return nil
		})
	})
}

// A permanent refusal is recorded as failed with its reason, not retried,
// and can be requeued.
func TestPermanentFailure(t *testing.T) {
	ts := startServer(t)
	update := outboxDB(t)
	queue(t, update, 1, "nobody@example.gov.cn")
	clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	s := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: clk.Now, Who: "test"}
	r, err := s.Flush(context.Background(), false)
	if err != nil || r.Failed != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	clk.Add(24 * time.Hour)
	if r, _ := s.Flush(context.Background(), false); !reflect.DeepEqual(r, Result{}) {
		t.Fatalf("a failed message was retried: %+v", r)
	}
	update(func(tx tracker.Tx) error {
		m, _ := tx.Message(1)
		if m.State != tracker.Failed || !strings.Contains(m.LastError, "550") {
			t.Errorf("%s %q", m.State, m.LastError)
		}
		return nil
	})
}

// Two senders (the daemon and a CLI run) racing on one outbox send each
// message exactly once.
func TestRacingSenders(t *testing.T) {
	ts := startServer(t)
	update := outboxDB(t)
	queue(t, update, 20, "officer@example.gov.cn")
	now := func() time.Time { return time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) }
	var wg sync.WaitGroup
	results := make([]Result, 2)
	for i := range 2 {
		s := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: now, Who: fmt.Sprint("sender", i)}
		wg.Go(func() {
			r, err := s.Flush(context.Background(), false)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	ids := messageIDs(t, ts.messages())
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s sent twice", id)
		}
		seen[id] = true
	}
	if len(ids) != 20 || results[0].Sent+results[1].Sent != 20 {
		t.Errorf("%d delivered; results %+v", len(ids), results)
	}
}

// A sender that died after claiming a message (perhaps after the server
// accepted it) leaves it "sending"; once the claim is stale, another sender
// sends it again with the same Message-ID.
func TestCrashedSenderIsTakenOver(t *testing.T) {
	ts := startServer(t)
	update := outboxDB(t)
	queue(t, update, 1, "officer@example.gov.cn")
	clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	dead := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: clk.Now, Who: "dead"}
	m, err := dead.claim(false, nil)
	if err != nil || m == nil {
		t.Fatal(m, err)
	}
	s := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: clk.Now, Who: "alive", StaleClaim: 10 * time.Minute}
	if r, _ := s.Flush(context.Background(), false); !reflect.DeepEqual(r, Result{}) {
		t.Fatalf("took over a fresh claim: %+v", r)
	}
	clk.Add(11 * time.Minute)
	if r, err := s.Flush(context.Background(), false); err != nil || r.Sent != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	// The same Message-ID: its left side kept, the sender's domain on
	// its right.
	if ids := messageIDs(t, ts.messages()); len(ids) != 1 || "<"+strings.Replace(ids[0], "@example.gov.cn", "@gongkai", 1)+">" != m.MessageID {
		t.Errorf("ids %v, want %s", ids, m.MessageID)
	}
}

// The MIME form: Chinese subject, display names and attachment names
// survive a round trip through a MIME reader.
func TestBuild(t *testing.T) {
	m := &tracker.Message{Key: "k", MessageID: "<abc@gongkai>", To: []string{"专员 <officer@example.gov.cn>"},
		Subject: "【政务公开提醒】1项已逾期、3项即将到期", Text: "正文：第一行\n第二行",
		Attachments: []tracker.Attachment{{Name: "政务公开提醒-2026-11-23.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: []byte("PK\x03\x04")}}}
	raw, err := Build(m, "政务公开提醒 <gongkai@example.gov.cn>", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if strings.HasPrefix(line, "--") || line == "" {
			continue
		}
		for _, r := range line {
			if r > 127 {
				t.Fatalf("raw 8-bit text in %q", line)
			}
		}
	}
	mr, err := gomail.CreateReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := mr.Header.Subject()
	from, _ := mr.Header.AddressList("From")
	to, _ := mr.Header.AddressList("To")
	id, _ := mr.Header.MessageID()
	if subject != m.Subject || from[0].Name != "政务公开提醒" || to[0].Name != "专员" || id != "abc@example.gov.cn" {
		t.Errorf("header: %q %v %v %q", subject, from, to, id)
	}
	// No out-of-office reply to a program's message.
	if mr.Header.Get("Auto-Submitted") != "auto-generated" || mr.Header.Get("X-Auto-Response-Suppress") != "All" {
		t.Errorf("automatic replies not suppressed: %q %q", mr.Header.Get("Auto-Submitted"), mr.Header.Get("X-Auto-Response-Suppress"))
	}
	// The attachment's name both in RFC 2231 and in the quoted RFC 2047
	// form, and as the type's name.
	for _, want := range []string{"filename*=UTF-8''%E6%94%BF", `filename="=?utf-8?b?`, `; name="=?utf-8?b?`} {
		if !strings.Contains(strings.ReplaceAll(string(raw), "\r\n ", " "), want) {
			t.Errorf("no %s in the attachment's header", want)
		}
	}
	var text, file string
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		body := new(strings.Builder)
		fmt.Fprint(body, readAll(p.Body))
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			text = body.String()
		case *gomail.AttachmentHeader:
			file, _ = h.Filename()
		}
	}
	if strings.ReplaceAll(text, "\r\n", "\n") != m.Text || file != "政务公开提醒-2026-11-23.xlsx" {
		t.Errorf("body %q, attachment %q", text, file)
	}
}

func readAll(r interface{ Read([]byte) (int, error) }) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// A message whose content is gone (a damaged file) is not sent blank: it
// fails for good, to be reported, and nothing reaches the server.
func TestMissingContentIsNotSentBlank(t *testing.T) {
	ts := startServer(t)
	path := filepath.Join(t.TempDir(), "g.db")
	update := func(fn func(tracker.Tx) error) error {
		s, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Update(fn)
	}
	queue(t, update, 1, "officer@example.gov.cn")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		var k [8]byte
		k[7] = 1
		return tx.Bucket([]byte("outbox_content")).Delete(k[:])
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	s := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: clk.Now, Who: "test"}
	if _, err := s.Flush(context.Background(), false); tracker.ErrorCode(err) != tracker.EDamaged {
		t.Errorf("flush: %v, want the damage said", err)
	}
	if got := ts.messages(); len(got) != 0 {
		t.Errorf("%d messages reached the server", len(got))
	}
	update(func(tx tracker.Tx) error {
		m, _ := tx.MessageState(1)
		if m.State != tracker.Failed {
			t.Errorf("state %s, want failed", m.State)
		}
		return nil
	})
}

// counting counts the messages handed to a transport.
type counting struct {
	Transport
	mu sync.Mutex
	n  int
}

func (c *counting) Send(ctx context.Context, m Outgoing) error {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.Transport.Send(ctx, m)
}

// A fault of the setup stops a pass at the first message, which waits, its
// try not counted; however long it lasts, no message fails for it; once
// fixed, everything goes out.
func TestSetupFaultStopsThePass(t *testing.T) {
	ts := startServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)

	for _, tc := range []struct {
		name   string
		broken func() Transport
		says   string
	}{
		{"connection refused", func() Transport { c := client(ts); c.Port = closedPort; return c }, "对方拒绝连接"},
		{"login refused", func() Transport { c := client(ts); c.Password = "wrong"; return c }, "用户名和密码"},
		{"certificate", func() Transport { c := client(ts); c.RootCAs = nil; return c }, "证书"},
		{"folder", func() Transport { return EMLDir{Dir: filepath.Join(file, "outbox")} }, "路径中有一段是文件"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update := outboxDB(t)
			queue(t, update, 20, "officer@example.gov.cn")
			clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
			broken := &counting{Transport: tc.broken()}
			s := &Sender{Update: update, Transport: broken, From: "gongkai@example.gov.cn", Now: clk.Now, Who: "test", MaxAttempts: 3}
			for pass := 0; pass < 5; pass++ { // more passes than MaxAttempts
				r, err := s.Flush(context.Background(), false)
				if tracker.ErrorCode(err) != tracker.EUnavailable || !strings.Contains(err.Error(), tc.says) ||
					!strings.Contains(err.Error(), "20 封邮件在等待") || r.Sent+r.Failed+r.Retrying != 0 {
					t.Fatalf("pass %d: %+v %v", pass, r, err)
				}
				clk.Add(time.Hour)
			}
			if broken.n != 5 {
				t.Errorf("%d tries in 5 passes, want one each", broken.n)
			}
			update(func(tx tracker.Tx) error {
				return tx.Messages(func(m *tracker.Message) error {
					if m.State != tracker.Queued || m.Attempts != 0 || m.ID == 1 && (!m.Held || !strings.Contains(m.LastError, tc.says)) {
						t.Errorf("message %d: %s, %d attempts, held %v (%q)", m.ID, m.State, m.Attempts, m.Held, m.LastError)
					}
					return nil
				})
			})
			s.Transport = client(ts)
			if tc.name == "folder" {
				s.Transport = EMLDir{Dir: t.TempDir()}
			}
			r, err := s.Flush(context.Background(), false)
			if err != nil || r.Sent != 20 {
				t.Fatalf("once fixed: %+v %v", r, err)
			}
			update(func(tx tracker.Tx) error {
				m, _ := tx.MessageState(1)
				if m.Held || m.State != tracker.Sent || m.LastError != "" {
					t.Errorf("after delivery: %+v", m)
				}
				return nil
			})
		})
	}
}

// Flush with all sends what waits for its retry time: once the server is
// back, nobody has to wait up to two hours.
func TestFlushAllSkipsTheBackoff(t *testing.T) {
	ts := startServer(t)
	update := outboxDB(t)
	queue(t, update, 2, "officer@example.gov.cn")
	clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	s := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: clk.Now, Who: "test"}
	ts.setReply(451)
	if r, err := s.Flush(context.Background(), false); err != nil || r.Retrying != 2 || len(r.Failures) != 2 || !strings.Contains(r.Failures[0].Err, "451") {
		t.Fatalf("%+v %v", r, err)
	}
	ts.setReply(0)
	if r, _ := s.Flush(context.Background(), false); !reflect.DeepEqual(r, Result{}) {
		t.Fatalf("sent before the retry time: %+v", r)
	}
	if r, err := s.Flush(context.Background(), true); err != nil || r.Sent != 2 {
		t.Fatalf("all: %+v %v", r, err)
	}
}

// "530 Must issue a STARTTLS command first" is about tls, not the password.
func TestStartTLSRequiredPointsAtTLS(t *testing.T) {
	err := classify(&gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"})
	var se *SendError
	if !errors.As(err, &se) || !se.Setup || !strings.Contains(err.Error(), "tls 设为 starttls") || strings.Contains(err.Error(), "密码") {
		t.Errorf("530 STARTTLS: %v", err)
	}
	err = classify(&gosmtp.SMTPError{Code: 535, Message: "Authentication credentials invalid"})
	if !errors.As(err, &se) || !se.Setup || !strings.Contains(err.Error(), "用户名和密码") {
		t.Errorf("535: %v", err)
	}
}

// With all, a pass tries each message once: a server still answering 451
// does not use up a message's tries in one go.
func TestFlushAllTriesEachOnce(t *testing.T) {
	ts := startServer(t)
	update := outboxDB(t)
	queue(t, update, 3, "officer@example.gov.cn")
	clk := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	s := &Sender{Update: update, Transport: client(ts), From: "gongkai@example.gov.cn", Now: clk.Now, Who: "test", MaxAttempts: 30}
	ts.setReply(451)
	for pass := 1; pass <= 2; pass++ {
		r, err := s.Flush(context.Background(), true)
		if err != nil || r.Retrying != 3 || r.Failed != 0 {
			t.Fatalf("pass %d: %+v %v", pass, r, err)
		}
	}
	update(func(tx tracker.Tx) error {
		return tx.Messages(func(m *tracker.Message) error {
			if m.Attempts != 2 || m.State != tracker.Queued {
				t.Errorf("message %d: %d attempts, %s", m.ID, m.Attempts, m.State)
			}
			return nil
		})
	})
}

// Once the server took the connection and the login, a failure is the
// message's: retried later, never a fault of the setup that would hold
// every later message behind it.
func TestFailureAfterConnect(t *testing.T) {
	for _, tc := range []struct {
		err          error
		setup, final bool
		says         string
	}{
		{io.ErrUnexpectedEOF, false, false, "发送时与邮件服务器的连接出错"},
		{&gosmtp.SMTPError{Code: 421, Message: "closing"}, false, false, "服务器暂停服务"},
		{&gosmtp.SMTPError{Code: 451, Message: "later"}, false, false, "451"},
		{&gosmtp.SMTPError{Code: 552, Message: "too big"}, false, true, "552"},
		{&gosmtp.SMTPError{Code: 530, Message: "Authentication required"}, true, false, "用户名和密码"},
	} {
		err := afterConnect(tc.err)
		var se *SendError
		if !errors.As(err, &se) || se.Setup != tc.setup || se.Permanent != tc.final || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("afterConnect(%v) = %v (setup %v, final %v)", tc.err, err, se != nil && se.Setup, se != nil && se.Permanent)
		}
	}
}
