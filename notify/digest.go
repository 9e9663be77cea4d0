package notify

import (
	"fmt"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
)

// digestView is a digest as its reader reads it, for the text and the
// HTML alike: its events under headings, most urgent first, each saying
// what to do in words.
type digestView struct {
	Subject string
	Title   string // 政务公开提醒, or 政务公开督办 when it asks a supervisor
	Alert   bool   // an escalation: a red banner
	Sub     string // under the title: the day
	Lead    string // the opening sentence
	Footer  string
	Groups  []digestGroup
	More    int // events left out of the body, in the attachment
	// The officers' digest also tells of failed and delayed mail and of
	// next year's schedule.
	Failures []failureView
	Delay    string
	NextYear string
}

// digestGroup is a heading of a digest and its events.
type digestGroup struct {
	Name  string // 已逾期, 今天到期, 即将到期, 新增督办, 再次督办
	Tone  string // the colour of its heading: red, amber, blue
	Items []digestEntry
}

// digestEntry is one event of a digest.
type digestEntry struct {
	Matter      string
	ID          string // （事件 12）: the officers' digest, for the command line
	Summary     string
	Ref         string // 文号
	Formed      string // 信息形成, 信息变更
	Date        string // when: 2026-10-20（星期二）
	Deadline    string // 2026-11-17（星期二）
	Provisional bool
	Standing    string // 已逾期 4 个工作日, 今天到期, 还有 3 个工作日
	Overdue     bool
	Pending     string   // the channels still to disclose, in a sentence
	Channels    []string // the same, one by one
	Sections    string
	Since       string // an escalation again: what changed since the last
	Action      string
	Command     string // the officers' command line
	Link        string
}

// failureView is a message that could not be delivered.
type failureView struct {
	ID      uint64
	To      string
	Subject string
	Error   string
}

// The headings of a digest, in the order it lists them.
const (
	groupNew     = "新增督办"
	groupAgain   = "再次督办"
	groupOverdue = "已逾期"
	groupToday   = "今天到期"
	groupSoon    = "即将到期"
)

var groupOrder = []string{groupNew, groupAgain, groupOverdue, groupToday, groupSoon}

var groupTone = map[string]string{groupNew: "red", groupAgain: "red", groupOverdue: "red", groupToday: "amber", groupSoon: "blue"}

// escalates reports whether an item of digest d asks its reader to
// 督促: an escalation, to a supervisor. An officer who is also a
// supervisor, told of an escalation, is told as an officer: to disclose.
func escalates(it tracker.DigestItem, d *tracker.Digest) bool {
	return it.Stage.Audience == tracker.ToSupervisors && d.Audience == tracker.ToSupervisors
}

// groupOf is the heading an item of digest d goes under.
func groupOf(it tracker.DigestItem, d *tracker.Digest) string {
	day := d.Day
	switch {
	case escalates(it, d) && it.Previous.IsZero():
		return groupNew
	case escalates(it, d):
		return groupAgain
	case it.Overdue:
		return groupOverdue
	case it.Event.Deadline == day:
		return groupToday
	}
	return groupSoon
}

// viewDigest is d as its reader reads it; base is [server] public_url.
func viewDigest(d *tracker.Digest, base string) *digestView {
	v := &digestView{Title: "政务公开提醒", Sub: "截至 " + wd(d.Day), Footer: "此邮件由 gongkai 自动发送，请勿回复。"}
	counts := map[string]int{}
	for _, it := range d.Items {
		counts[groupOf(it, d)]++
	}
	escalated := counts[groupNew] + counts[groupAgain]
	v.Alert = escalated > 0 && escalated == len(d.Items)
	if v.Alert {
		v.Title = "政务公开督办"
	}

	// The subject, the most urgent first.
	var parts []string
	for _, g := range groupOrder {
		if n := counts[g]; n > 0 {
			switch g {
			case groupNew, groupAgain:
				parts = append(parts, fmt.Sprintf("%s%d项", g, n))
			default:
				parts = append(parts, fmt.Sprintf("%d项%s", n, g))
			}
		}
	}
	var failed, delayed []*tracker.Message
	for _, f := range d.Failures {
		if f.Delayed() {
			delayed = append(delayed, f)
		} else {
			failed = append(failed, f)
		}
	}
	if len(failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d封邮件投递失败", len(failed)))
	}
	if len(delayed) > 0 {
		parts = append(parts, fmt.Sprintf("%d封邮件曾因发信故障延迟", len(delayed)))
	}
	if d.NextYear != 0 && len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d年放假安排待导入", d.NextYear))
	}
	v.Subject = "【" + v.Title + "】" + strings.Join(parts, "、")

	switch {
	case len(d.Items) == 0:
		v.Lead = "没有需要处理的公开事项。"
	case d.Audience == tracker.ToSupervisors && escalated > 0:
		v.Lead = fmt.Sprintf("以下 %d 项政府信息公开事项逾期已超过督办期限，仍未公开，请督促负责股室尽快公开。", escalated)
		if rest := len(d.Items) - escalated; rest > 0 {
			v.Lead += fmt.Sprintf("另有 %d 项即将到期或刚逾期，一并列出。", rest)
		}
	case d.Audience == tracker.ToOwners:
		v.Lead = fmt.Sprintf("你股室负责的以下 %d 项政府信息公开事项需要处理。", len(d.Items))
	default:
		v.Lead = fmt.Sprintf("以下 %d 项政府信息公开事项需要处理。", len(d.Items))
	}

	shown := d.Items
	if len(shown) > MaxBodyItems {
		shown, v.More = shown[:MaxBodyItems], len(shown)-MaxBodyItems
	}
	byGroup := map[string][]digestEntry{}
	for _, it := range shown {
		g := groupOf(it, d)
		byGroup[g] = append(byGroup[g], entryOf(it, d, base))
	}
	for _, g := range groupOrder {
		if items := byGroup[g]; len(items) > 0 {
			v.Groups = append(v.Groups, digestGroup{Name: g, Tone: groupTone[g], Items: items})
		}
	}

	for _, f := range failed {
		v.Failures = append(v.Failures, failureView{ID: f.ID, To: strings.Join(f.To, "、"), Subject: f.Subject, Error: f.LastError})
	}
	if len(delayed) > 0 {
		v.Delay = delayText(delayed)
	}
	if d.NextYear != 0 {
		v.NextYear = calendar.NextYearPending(d.NextYear)
	}
	return v
}

// entryOf is one item of digest d as its reader reads it.
func entryOf(it tracker.DigestItem, d *tracker.Digest, base string) digestEntry {
	e := it.Event
	pending := tracker.ChannelNames(e.Pending())
	x := digestEntry{
		Matter:      e.MatterName,
		Summary:     e.Summary,
		Ref:         e.Ref,
		Formed:      "信息" + e.Kind.Name(),
		Date:        wd(e.Date),
		Deadline:    wd(e.Deadline),
		Provisional: e.Provisional,
		Standing:    standing(it, d.Day),
		Overdue:     it.Overdue,
		Pending:     pending,
		Sections:    strings.Join(it.Sections, "、"),
	}
	for _, c := range e.Pending() {
		x.Channels = append(x.Channels, c.Name())
	}
	if base != "" {
		x.Link = EventURL(base, e.ID)
	}
	owner := x.Sections
	if owner == "" {
		owner = "相关股室"
	}
	switch {
	case escalates(it, d):
		x.Action = fmt.Sprintf("请督促%s在%s公开。", owner, pending)
		if !it.Previous.IsZero() {
			x.Since = sinceText(e, it.Previous)
		}
	case d.Audience == tracker.ToOfficers:
		x.Action = fmt.Sprintf("请在%s公开后登记。", pending)
		if it.Stage.Audience == tracker.ToSupervisors {
			x.Since = "已超过督办期限：分管领导同时收到督办。"
		}
		x.Command = fmt.Sprintf("gongkai disclose %d --all --url 公开网址", e.ID)
		x.ID = fmt.Sprintf("（事件 %d）", e.ID)
	default:
		x.Action = fmt.Sprintf("请在%s公开，并把公开网址告诉政务公开专员登记。", pending)
	}
	return x
}

// sinceText says what changed on an event since supervisors last heard of
// it, on day prev: the disclosures registered since — on that day too,
// as a day's disclosures are mostly registered after its morning's
// reminders — or that nothing was.
func sinceText(e *tracker.Event, prev calendar.Date) string {
	var done []string
	for _, ds := range e.Disclosures {
		if ds.Void == nil && !calendar.Today(ds.At).Before(prev) {
			done = append(done, fmt.Sprintf("%s已于 %s 公开", ds.Channel.Name(), ds.Date))
		}
	}
	if len(done) == 0 {
		return fmt.Sprintf("上次督办是 %s，此后没有进展。", wd(prev))
	}
	return fmt.Sprintf("上次督办是 %s，此后%s。", wd(prev), strings.Join(done, "，"))
}

// digestText is the digest's plain-text body.
func digestText(v *digestView) string {
	var b strings.Builder
	b.WriteString(v.Sub + "，" + v.Lead + "\n")
	n := 0
	for _, g := range v.Groups {
		fmt.Fprintf(&b, "\n【%s】%d 项\n", g.Name, len(g.Items))
		for _, x := range g.Items {
			n++
			fmt.Fprintf(&b, "\n%d. %s%s\n", n, x.Matter, x.ID)
			fmt.Fprintf(&b, "   %s\n", x.Summary)
			if x.Ref != "" {
				fmt.Fprintf(&b, "   文号：%s\n", x.Ref)
			}
			deadline := x.Deadline
			if x.Provisional {
				deadline += "【暂估：所涉年份放假安排尚未发布】"
			}
			fmt.Fprintf(&b, "   公开期限：%s，%s\n", deadline, x.Standing)
			fmt.Fprintf(&b, "   %s：%s\n", x.Formed, x.Date)
			fmt.Fprintf(&b, "   待公开：%s\n", x.Pending)
			if x.Sections != "" {
				fmt.Fprintf(&b, "   负责股室：%s\n", x.Sections)
			}
			if x.Since != "" {
				fmt.Fprintf(&b, "   %s\n", x.Since)
			}
			fmt.Fprintf(&b, "   %s\n", x.Action)
			if x.Command != "" {
				fmt.Fprintf(&b, "   命令行登记：%s\n", x.Command)
			}
			if x.Link != "" {
				fmt.Fprintf(&b, "   详情：%s\n", x.Link)
			}
		}
	}
	if v.More > 0 {
		fmt.Fprintf(&b, "\n另有 %d 项未在正文列出，见附件。\n", v.More)
	}
	if len(v.Failures) > 0 {
		b.WriteString("\n以下邮件投递失败（服务器拒收，不会自动重发）。核对收件地址后，用 gongkai outbox --retry 编号 重新发送：\n")
		for _, f := range v.Failures {
			fmt.Fprintf(&b, "  [邮件 %d] 收件人 %s，主题“%s”：%s\n", f.ID, f.To, f.Subject, f.Error)
		}
	}
	if v.Delay != "" {
		b.WriteString("\n" + v.Delay)
	}
	if v.NextYear != "" {
		fmt.Fprintf(&b, "\n请注意：%s。国务院办公厅发布通知后，请导入：gongkai calendar import 文件\n", v.NextYear)
	}
	b.WriteString("\n——" + v.Footer + "\n")
	return b.String()
}

func standing(it tracker.DigestItem, today calendar.Date) string {
	switch {
	case it.Overdue && it.Left == 0:
		return "已逾期，不足 1 个工作日"
	case it.Overdue:
		return fmt.Sprintf("已逾期 %d 个工作日", it.Left)
	case it.Event.Deadline == today:
		return "今天到期"
	}
	return fmt.Sprintf("还有 %d 个工作日", it.Left)
}

// delayText says that a fault of the setup (the mail server could not be
// reached, refused the login; the outbox folder could not be written)
// held messages, from when to when, why, and that they have gone out.
func delayText(delayed []*tracker.Message) string {
	first, last := delayed[0].HeldSince, delayed[0].SentAt
	for _, m := range delayed {
		if m.HeldSince.Before(first) {
			first = m.HeldSince
		}
		if m.SentAt.After(last) {
			last = m.SentAt
		}
	}
	when := func(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }
	var b strings.Builder
	fmt.Fprintf(&b, "发信曾经中断：%d 封邮件自 %s 起因发信故障未能发出，已于 %s 前全部补发。最后一次的原因：%s\n",
		len(delayed), when(first), when(last), delayed[len(delayed)-1].Fault)
	b.WriteString("如再次发生，请检查配置文件的 [smtp] 或 outbox_dir，并运行 gongkai config check --probe-smtp。\n")
	return b.String()
}
