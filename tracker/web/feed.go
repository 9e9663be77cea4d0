package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

// feedInfo is the calendar page's box about the viewer's feed.
type feedInfo struct {
	*app.FeedInfo
	// URL is a feed just made, shown once.
	URL string
}

// base is the address people reach the dashboard at: [server]
// public_url, or the request's own.
func (s *Server) base(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if s.cfg.Secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// feedCreate is POST /calendar/feed: a new subscription address, shown
// once; the old one stops working.
func (s *Server) feedCreate(w http.ResponseWriter, q *request) error {
	if s.cfg.Feeds == nil {
		return tracker.FieldErrorf(tracker.EUnavailable, "", "这个服务器不提供日历订阅")
	}
	out, err := s.cfg.Feeds.CreateFeed(q.Context())
	if err != nil {
		return err
	}
	q.URL.RawQuery = ""
	return s.calendarWith(w, q, s.base(q.Request)+"/ical/"+out.Secret+".ics", "已生成新的订阅地址；原来的地址（如有）已停用。")
}

// feedRevoke is POST /calendar/feed/revoke.
func (s *Server) feedRevoke(w http.ResponseWriter, q *request) error {
	if s.cfg.Feeds == nil {
		return tracker.FieldErrorf(tracker.EUnavailable, "", "这个服务器不提供日历订阅")
	}
	if err := s.cfg.Feeds.RevokeFeed(q.Context()); err != nil {
		return err
	}
	s.redirect(w, q.Request, "/calendar?feed=revoked")
	return nil
}

// ical is GET /ical/{secret}.ics: the feed, as iCalendar (RFC 5545), for
// a calendar program; the secret is the only credential.
func (s *Server) ical(w http.ResponseWriter, q *request) error {
	if s.cfg.Feeds == nil {
		return tracker.FieldErrorf(tracker.ENotFound, "path", "没有这个页面")
	}
	secret := strings.TrimSuffix(q.PathValue("secret"), ".ics")
	f, err := s.cfg.Feeds.Feed(q.Context(), secret)
	if err != nil {
		return err
	}
	var b strings.Builder
	line := func(s string) { b.WriteString(foldLine(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//gongkai//政务公开期限//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icalText("政务公开期限（"+f.Account+"）"))
	line("X-WR-TIMEZONE:Asia/Shanghai")
	line("REFRESH-INTERVAL;VALUE=DURATION:PT1H")
	line("X-PUBLISHED-TTL:PT1H")
	stamp := s.cfg.Now().UTC().Format("20060102T150405Z")
	base := s.base(q.Request)
	for _, e := range f.Events {
		status := tracker.DeadlineStanding(f.AsOf, e.Deadline, derefInt(e.WorkdaysLeft))
		line("BEGIN:VEVENT")
		line("UID:gongkai-event-" + strconv.FormatUint(e.ID, 10) + "@" + icalText(hostOf(base)))
		line("DTSTAMP:" + stamp)
		line("DTSTART;VALUE=DATE:" + icalDate(e.Deadline))
		line("DTEND;VALUE=DATE:" + icalDate(e.Deadline.AddDays(1)))
		line("SUMMARY:" + icalText("公开期限："+e.Summary))
		desc := fmt.Sprintf("事项：%d. %s\n信息%s于 %s\n%s\n待公开：%s", e.Matter, e.MatterName, e.Kind.Name(), e.Date, status,
			tracker.ChannelNames(e.ChannelsPending))
		if e.Provisional {
			desc += "\n期限按暂定日历计算，可能变动"
		}
		line("DESCRIPTION:" + icalText(desc))
		line("URL:" + base + "/events/" + strconv.FormatUint(e.ID, 10))
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="gongkai.ics"`)
	w.Header().Set("Cache-Control", "private, max-age=600")
	w.Write([]byte(b.String()))
	return nil
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func hostOf(base string) string {
	h := base
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, ":/"); i >= 0 {
		h = h[:i]
	}
	return h
}

func icalDate(d calendar.Date) string { return strings.ReplaceAll(d.String(), "-", "") }

// icalText escapes a TEXT value (RFC 5545 3.3.11).
func icalText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", "").Replace(s)
}

// foldLine ends a content line with CRLF, folded at 75 octets without
// splitting a character (RFC 5545 3.1).
func foldLine(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	return b.String()
}
