package notify

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./notify -update after review):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func sampleEvents() []*tracker.Event {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, calendar.Shanghai)
	return []*tracker.Event{
		{ID: 12, Matter: 71, MatterName: "工伤保险服务 › 供养亲属抚恤金申领", Kind: tracker.Formed, Date: day("2026-10-20"),
			Summary: "2026年抚恤金标准调整", Deadline: day("2026-11-17"), State: tracker.Open, LoggedAt: at,
			Channels: []tracker.Channel{tracker.Web, tracker.Center, tracker.Grassroots}},
		{ID: 13, Matter: 3, MatterName: "社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记", Kind: tracker.Changed,
			Date: day("2026-11-02"), Summary: "调整参保登记办理材料", Deadline: day("2026-11-30"), State: tracker.Open, LoggedAt: at,
			Channels:    []tracker.Channel{tracker.Web, tracker.Center, tracker.Grassroots},
			Disclosures: []tracker.Disclosure{{Channel: tracker.Web, Date: day("2026-11-20")}}},
		{ID: 14, Matter: 40, MatterName: "养老保险服务 › 职工正常退休（职）申请 › 企业职工基本养老金申领", Kind: tracker.Changed,
			Date: day("2027-12-10"), Summary: "跨年事项", Deadline: day("2028-01-10"), Provisional: true, State: tracker.Open, LoggedAt: at,
			Channels: []tracker.Channel{tracker.Web, tracker.Center, tracker.Grassroots}},
	}
}

// digests are one reminder run's digests, as each kind of recipient gets
// them: the officer (everything, with the command line), a section's
// staff (their 一级事项's), and a supervisor (escalations: one new, one
// again, with what happened since).
func digests() map[string]*tracker.Digest {
	ev := sampleEvents()
	ev[0].Ref = "区人社发〔2026〕18号"
	web := tracker.Disclosure{Channel: tracker.Web, Date: day("2026-11-24"), At: time.Date(2026, 11, 24, 15, 0, 0, 0, calendar.Shanghai)}
	again := *ev[1]
	again.Deadline = day("2026-11-10")
	again.Disclosures = []tracker.Disclosure{web}
	injury := []string{"工伤保险股"}
	return map[string]*tracker.Digest{
		"officer": {Day: day("2026-11-23"), To: "officer@example.gov.cn", Audience: tracker.ToOfficers, NextYear: 2027, Items: []tracker.DigestItem{
			{Event: ev[0], Stage: tracker.Stage{Audience: tracker.ToOfficers, Name: "overdue-4"}, Left: 4, Overdue: true, Sections: injury},
			{Event: ev[1], Stage: tracker.Stage{Audience: tracker.ToOfficers, Name: "before-5"}, Left: 5, Sections: []string{"社会保险股", "综合股"}},
			{Event: ev[2], Stage: tracker.Stage{Audience: tracker.ToOfficers, Name: "before-5"}, Left: 12},
		}, Failures: []*tracker.Message{{ID: 7, To: []string{"nobody@example.gov.cn"}, Subject: "【政务公开提醒】1项已逾期", LastError: "邮件服务器回复 550 no such user"}}},
		"owner": {Day: day("2026-11-23"), To: "injury@example.gov.cn", Audience: tracker.ToOwners, Items: []tracker.DigestItem{
			{Event: ev[0], Stage: tracker.Stage{Audience: tracker.ToOfficers, Name: "overdue-4"}, Left: 4, Overdue: true, Sections: injury},
		}},
		"supervisor": {Day: day("2026-11-25"), To: "leader@example.gov.cn", Audience: tracker.ToSupervisors, Items: []tracker.DigestItem{
			{Event: &again, Stage: tracker.Stage{Audience: tracker.ToSupervisors, Name: "escalate-8"}, Left: 11, Overdue: true,
				Sections: []string{"社会保险股"}, Previous: day("2026-11-18")},
			{Event: ev[0], Stage: tracker.Stage{Audience: tracker.ToSupervisors, Name: "escalate-3"}, Left: 6, Overdue: true, Sections: injury},
		}},
	}
}

// Each kind of digest, as text and as HTML, against its golden file.
func TestDigestGolden(t *testing.T) {
	for name, d := range digests() {
		c, err := Renderer{PublicURL: "https://gongkai.zgq.gov.cn"}.Digest(d)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "digest-"+name+".txt", c.Subject+"\n\n"+c.Text)
		golden(t, "digest-"+name+".html", c.HTML)
		if len(c.Attachments) != 0 {
			t.Errorf("%s: a short digest has an attachment", name)
		}
		// Only the officer, who registers disclosures, is given the
		// command line.
		if got := strings.Contains(c.Text+c.HTML, "gongkai disclose"); got != (name == "officer") {
			t.Errorf("%s: a command line in the mail: %v", name, got)
		}
	}
}

// Past MaxBodyItems events, the body lists the first, the workbook all.
func TestDigestLong(t *testing.T) {
	d := digests()["officer"]
	for len(d.Items) <= MaxBodyItems {
		d.Items = append(d.Items, d.Items[1])
	}
	c, err := Renderer{}.Digest(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attachments) != 1 || !strings.HasSuffix(c.Attachments[0].Name, ".xlsx") || !strings.Contains(c.Text, "另有 1 项未在正文列出，见附件") ||
		!strings.Contains(c.HTML, "另有 1 项未在正文列出，见附件") {
		t.Errorf("long digest: %d attachments, text tail %q", len(c.Attachments), c.Text[len(c.Text)-200:])
	}
}

func TestWeeklyGolden(t *testing.T) {
	ev := sampleEvents()
	done := *ev[1]
	done.State, done.ClosedOn = tracker.DoneLate, day("2026-12-02")
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Overdue:     []tracker.ReportItem{{Event: ev[0], Days: 14}},
		DueSoon:     []tracker.ReportItem{{Event: ev[2], Days: 3}},
		Disclosed:   []tracker.ReportItem{{Event: &done, Days: 2}},
		Rates:       []tracker.Rate{{Level1: "社会保险参保登记", OnTime: 0, Total: 1}, {Level1: "养老保险服务", OnTime: 2, Total: 2}},
		Overall:     tracker.Rate{OnTime: 2, Total: 3},
		PrevOverall: tracker.Rate{OnTime: 1, Total: 2},
		ThisYear:    tracker.Rate{OnTime: 18, Total: 25},
		YearRates: []tracker.Rate{{Level1: "社会保险参保登记", OnTime: 4, Total: 9}, {Level1: "工伤保险服务", OnTime: 5, Total: 7},
			{Level1: "养老保险服务", OnTime: 9, Total: 9}},
		Head: tracker.AuditHead{Count: 42, Hash: strings.Repeat("ab", 32)},
	}
	ev[0].Ref = "区人社发〔2026〕18号"
	c, err := Renderer{PublicURL: "https://gongkai.zgq.gov.cn"}.Weekly(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "weekly.txt", c.Subject+"\n\n"+c.Text)
	golden(t, "weekly.html", c.HTML)
	if len(c.Attachments) != 1 || c.Attachments[0].Name != "政务公开周报-2026-12-07.xlsx" {
		t.Errorf("attachments %+v", c.Attachments)
	}
}

// With [server] public_url, the mails link each event to its page on the
// dashboard; without, they carry no link.
func TestMailLinks(t *testing.T) {
	ev := sampleEvents()
	d := &tracker.Digest{Day: day("2026-11-23"), To: "officer@example.gov.cn", Audience: tracker.ToOfficers, Items: []tracker.DigestItem{
		{Event: ev[0], Stage: tracker.Stage{Audience: tracker.ToOfficers, Name: "overdue-4"}, Left: 4, Overdue: true}}}
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Overdue: []tracker.ReportItem{{Event: ev[0], Days: 14}}, DueSoon: []tracker.ReportItem{{Event: ev[1], Days: 3}}}
	linked := Renderer{PublicURL: "https://gongkai.zgq.gov.cn/"}
	c, err := linked.Digest(d)
	if err != nil || !strings.Contains(c.Text, "详情：https://gongkai.zgq.gov.cn/events/12\n") {
		t.Errorf("the digest with public_url: %v\n%s", err, c.Text)
	}
	w, err := linked.Weekly(r)
	if err != nil || !strings.Contains(w.HTML, `<a href="https://gongkai.zgq.gov.cn/events/12" style="color:#175cd3">2026年抚恤金标准调整</a>`) ||
		!strings.Contains(w.HTML, `<a href="https://gongkai.zgq.gov.cn/events/13" `) || !strings.Contains(w.Text, "详情：https://gongkai.zgq.gov.cn/events/13") {
		t.Errorf("the weekly report with public_url: %v\n%s", err, w.HTML)
	}
	c, _ = Renderer{}.Digest(d)
	w, _ = Renderer{}.Weekly(r)
	if strings.Contains(c.Text, "详情") || strings.Contains(c.HTML, "<a ") || strings.Contains(w.HTML, "<a ") || strings.Contains(w.Text, "详情") {
		t.Errorf("links without public_url")
	}
}

// Every HTML mail keeps to what the mail programs of offices show: no
// script, SVG, image, style sheet or web font; every style inline; no
// fixed width over 600 px (Outlook's reading pane).
func TestMailHTMLRules(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(names) < 4 {
		t.Fatalf("the HTML mails in testdata: %v %v", names, err)
	}
	forbidden := []string{"<script", "<svg", "<img", "<link", "<style", "@font-face", "@import", "javascript:"}
	widths := regexp.MustCompile(`(?i)(?:\bwidth="(\d+)(?:px)?"|(?:^|[;"\s])(?:min-|max-)?width:\s*(\d+)px)`)
	for _, path := range names {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		html := string(b)
		for _, f := range forbidden {
			if strings.Contains(strings.ToLower(html), f) {
				t.Errorf("%s has %s", path, f)
			}
		}
		for _, m := range widths.FindAllStringSubmatch(html, -1) {
			n, _ := strconv.Atoi(m[1] + m[2])
			if n > 600 {
				t.Errorf("%s: %q is wider than 600 px", path, m[0])
			}
		}
		if !strings.Contains(html, "max-width:600px") || !strings.Contains(html, `lang="zh-CN"`) {
			t.Errorf("%s: not held to 600 px, or without its language", path)
		}
	}
	// The rule itself finds what it is for.
	if m := widths.FindAllStringSubmatch(`<table width="640"><td style="padding:0;min-width:700px">`, -1); len(m) != 2 {
		t.Errorf("the width rule finds %q", m)
	}
}

// An escalation again counts what was disclosed on the day supervisors
// were last told (after that morning's mail) and since; not before.
func TestSinceText(t *testing.T) {
	e := *sampleEvents()[1]
	at := func(d string) time.Time { return day(d).Start().Add(15 * time.Hour) }
	e.Disclosures = []tracker.Disclosure{{Channel: tracker.Web, Date: day("2026-11-17"), At: at("2026-11-17")},
		{Channel: tracker.Center, Date: day("2026-11-18"), At: at("2026-11-18")}}
	if got := sinceText(&e, day("2026-11-18")); got != "上次督办是 2026-11-18（星期三），此后政务服务中心已于 2026-11-18 公开。" {
		t.Errorf("since 11-18: %s", got)
	}
	if got := sinceText(&e, day("2026-11-19")); got != "上次督办是 2026-11-19（星期四），此后没有进展。" {
		t.Errorf("since 11-19: %s", got)
	}
}

// An officer who is also a supervisor, on a day only the escalation is
// due, is told as an officer: under 已逾期, to disclose and register,
// that supervisors hear of it too; never asked to 督促.
func TestDigestOfficerEscalated(t *testing.T) {
	ev := sampleEvents()
	d := &tracker.Digest{Day: day("2026-11-23"), To: "officer@example.gov.cn", Audience: tracker.ToOfficers, Items: []tracker.DigestItem{
		{Event: ev[0], Stage: tracker.Stage{Audience: tracker.ToSupervisors, Name: "escalate-3"}, Left: 4, Overdue: true}}}
	c, err := Renderer{}.Digest(d)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "【政务公开提醒】1项已逾期" || !strings.Contains(c.Text, "【已逾期】1 项") || !strings.Contains(c.Text, "请在政府网站、政务服务中心、基层公共服务平台公开后登记。") ||
		!strings.Contains(c.Text, "分管领导同时收到督办") || strings.Contains(c.Text+c.HTML, "督促") || !strings.Contains(c.Text, "命令行登记：gongkai disclose 12") {
		t.Errorf("the officer's digest of an escalation:\n%s\n%s", c.Subject, c.Text)
	}
}
