package notify

import (
	"fmt"
	"strings"
	"time"

	"gongkai/calendar"
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

// Digest renders one recipient's reminders.
func (rd Renderer) Digest(d *tracker.Digest) (tracker.Content, error) {
	var overdue, due, soon, escalated int
	for _, it := range d.Items {
		switch {
		case it.Stage.Audience == tracker.ToSupervisors:
			escalated++
		case it.Overdue:
			overdue++
		case it.Left == 0 && it.Event.Deadline == d.Day:
			due++
		default:
			soon++
		}
	}
	// The most urgent first.
	var parts []string
	if overdue > 0 {
		parts = append(parts, fmt.Sprintf("%d项已逾期", overdue))
	}
	if due > 0 {
		parts = append(parts, fmt.Sprintf("%d项今天到期", due))
	}
	if soon > 0 {
		parts = append(parts, fmt.Sprintf("%d项即将到期", soon))
	}
	if escalated > 0 {
		parts = append(parts, fmt.Sprintf("%d项逾期待督办", escalated))
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
	subject := "【政务公开提醒】" + strings.Join(parts, "、")
	if escalated > 0 && escalated == len(d.Items) {
		subject = "【政务公开督办】" + strings.Join(parts, "、")
	}

	var b strings.Builder
	fmt.Fprintf(&b, "截至 %s（%s），以下政府信息公开事项需要处理。\n", d.Day, calendar.WeekdayName(d.Day.Weekday()))
	if escalated > 0 {
		b.WriteString("逾期已超过规定的督办期限，请督促相关科室尽快公开。\n")
	}
	shown := d.Items
	if len(shown) > MaxBodyItems {
		shown = shown[:MaxBodyItems]
	}
	for i, it := range shown {
		e := it.Event
		fmt.Fprintf(&b, "\n%d. [事件 %d] %d %s\n", i+1, e.ID, e.Matter, e.MatterName)
		fmt.Fprintf(&b, "   %s\n", e.Summary)
		fmt.Fprintf(&b, "   信息%s：%s（%s）\n", e.Kind.Name(), e.Date, calendar.WeekdayName(e.Date.Weekday()))
		deadline := fmt.Sprintf("%s（%s）", e.Deadline, calendar.WeekdayName(e.Deadline.Weekday()))
		if e.Provisional {
			deadline += "【暂估：所涉年份放假安排尚未发布】"
		}
		fmt.Fprintf(&b, "   公开期限：%s，%s\n", deadline, standing(it, d.Day))
		fmt.Fprintf(&b, "   待公开渠道：%s\n", tracker.ChannelNames(e.Pending()))
		fmt.Fprintf(&b, "   公开后登记：gongkai disclose %d --all --url 公开网址\n", e.ID)
		if rd.PublicURL != "" {
			fmt.Fprintf(&b, "   详情：%s\n", EventURL(rd.PublicURL, e.ID))
		}
	}
	if rest := len(d.Items) - len(shown); rest > 0 {
		fmt.Fprintf(&b, "\n另有 %d 项未在正文列出，见附件。\n", rest)
	}
	if len(failed) > 0 {
		b.WriteString("\n以下邮件投递失败（服务器拒收，不会自动重发）。核对收件地址后，用 gongkai outbox --retry 编号 重新发送：\n")
		for _, f := range failed {
			fmt.Fprintf(&b, "  [邮件 %d] 收件人 %s，主题“%s”：%s\n", f.ID, strings.Join(f.To, "、"), f.Subject, f.LastError)
		}
	}
	if len(delayed) > 0 {
		b.WriteString(delayText(delayed))
	}
	if d.NextYear != 0 {
		fmt.Fprintf(&b, "\n请注意：%s。国务院办公厅发布通知后，请导入：gongkai calendar import 文件\n", calendar.NextYearPending(d.NextYear))
	}
	b.WriteString("\n——此邮件由 gongkai 自动发送。\n")
	c := tracker.Content{Subject: subject, Text: b.String()}
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

func standing(it tracker.DigestItem, today calendar.Date) string {
	switch {
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
	fmt.Fprintf(&b, "\n发信曾经中断：%d 封邮件自 %s 起因发信故障未能发出，已于 %s 前全部补发。最后一次的原因：%s\n",
		len(delayed), when(first), when(last), delayed[len(delayed)-1].Fault)
	b.WriteString("如再次发生，请检查配置文件的 [smtp] 或 outbox_dir，并运行 gongkai config check --probe-smtp。\n")
	return b.String()
}
