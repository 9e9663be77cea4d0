package notify

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"gongkai/tracker"
)

// Build renders a message as MIME: RFC 2047 subject and display names,
// UTF-8 bodies, attachments with Chinese file names, and the message's own
// Message-ID, so that every attempt carries the same one.
func Build(m *tracker.Message, from string, date time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("发件地址 %q 无效：%w", from, err)
	}
	var to []*gomail.Address
	for _, a := range m.To {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("收件地址 %q 无效：%w", a, err)
		}
		to = append(to, &gomail.Address{Name: addr.Name, Address: addr.Address})
	}
	var h gomail.Header
	h.SetDate(date)
	h.SetAddressList("From", []*gomail.Address{{Name: fromAddr.Name, Address: fromAddr.Address}})
	h.SetAddressList("To", to)
	h.SetSubject(m.Subject)
	h.SetMessageID(messageID(m.MessageID, fromAddr.Address))
	h.Set("X-Gongkai-Key", m.Key)
	// Sent by a program: out-of-office and other automatic replies are
	// not to answer it (RFC 3834; Exchange's own header).
	h.Set("Auto-Submitted", "auto-generated")
	h.Set("X-Auto-Response-Suppress", "All")

	// Sized once: base64 takes 4 bytes for 3, and a line break every 76.
	size := 4096 + 2*(len(m.Text)+len(m.HTML))
	for _, a := range m.Attachments {
		size += len(a.Data) * 4 / 3 * 78 / 76
	}
	var buf bytes.Buffer
	buf.Grow(size)
	w, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, err
	}
	if err := part(iw, "text/plain", m.Text); err != nil {
		return nil, err
	}
	if m.HTML != "" {
		if err := part(iw, "text/html", m.HTML); err != nil {
			return nil, err
		}
	}
	if err := iw.Close(); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		var ah gomail.AttachmentHeader
		// The name three ways, for every mail program: RFC 2231's
		// filename*, the quoted RFC 2047 form that Outlook and Foxmail
		// read, and the type's name.
		encoded := mime.BEncoding.Encode("utf-8", a.Name)
		ah.Set("Content-Type", a.ContentType+`; name="`+encoded+`"`)
		ah.Set("Content-Disposition", `attachment; filename*=UTF-8''`+url.PathEscape(a.Name)+`; filename="`+encoded+`"`)
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		if _, err := aw.Write(a.Data); err != nil {
			return nil, err
		}
		if err := aw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// messageID is a message's Message-ID with the sender's domain on its
// right, as mail servers expect of it; the left side, kept with the
// message, stays the same on every attempt.
func messageID(id, from string) string {
	id = strings.Trim(id, "<>")
	left, _, _ := strings.Cut(id, "@")
	if _, domain, ok := strings.Cut(from, "@"); ok && domain != "" {
		return left + "@" + domain
	}
	return id
}

func part(iw *gomail.InlineWriter, contentType, body string) error {
	var ph gomail.InlineHeader
	ph.Set("Content-Type", contentType+"; charset=utf-8")
	pw, err := iw.CreatePart(ph)
	if err != nil {
		return err
	}
	if _, err := pw.Write([]byte(body)); err != nil {
		return err
	}
	return pw.Close()
}
