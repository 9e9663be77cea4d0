package notify

import (
	"fmt"

	"gongkai/tracker"
)

// MaxBodyItems is how many events a digest lists in its body; the rest are
// in its attachment.
const MaxBodyItems = 100

// Renderer renders gongkai's messages in Chinese.
type Renderer struct {
	// PublicURL is where people reach the dashboard ([server]
	// public_url): the mails link each event to its page there; "": no
	// links.
	PublicURL string
}

var _ tracker.Renderer = Renderer{}

// Digest renders one recipient's reminders: plain text and the same as
// HTML, and, past MaxBodyItems events, every event in a workbook.
func (rd Renderer) Digest(d *tracker.Digest) (tracker.Content, error) {
	v := viewDigest(d, rd.PublicURL)
	html, err := execMail("digest.html", v)
	if err != nil {
		return tracker.Content{}, err
	}
	c := tracker.Content{Subject: v.Subject, Text: digestText(v), HTML: html}
	if len(d.Items) > MaxBodyItems {
		x, err := digestWorkbook(d)
		if err != nil {
			return tracker.Content{}, err
		}
		c.Attachments = append(c.Attachments, tracker.Attachment{
			Name:        fmt.Sprintf("政务公开提醒-%s.xlsx", d.Day),
			ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			Data:        x,
		})
	}
	return c, nil
}
