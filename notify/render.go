package notify

import (
	"fmt"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
)

// MaxBodyItems is how many events a digest lists in its body; the rest are
// in its attachment.
const MaxBodyItems = 100

// Renderer renders gongkai's messages in Chinese.
type Renderer struct{}

var _ tracker.Renderer = Renderer{}

// Digest renders one recipient's reminders.
func (Renderer) Digest(d *tracker.Digest) (tracker.Content, error) {
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
	var parts []string
	if soon > 0 {
		parts = append(parts, fmt.Sprintf("%d项即将到期", soon))
	}
	if due > 0 {
		parts = append(parts, fmt.Sprintf("%d项今天到期", due))
	}
	if overdue > 0 {
		parts = append(parts, fmt.Sprintf("%d项已逾期", overdue))
	}
	if escalated > 0 {
		parts = append(parts, fmt.Sprintf("%d项逾期待督办", escalated))
	}
	if len(d.Failures) > 0 {
		parts = append(parts, fmt.Sprintf("%d封邮件投递失败", len(d.Failures)))
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
	}
	if rest := len(d.Items) - len(shown); rest > 0 {
		fmt.Fprintf(&b, "\n另有 %d 项未在正文列出，见附件。\n", rest)
	}
	if len(d.Failures) > 0 {
		b.WriteString("\n以下邮件投递失败（服务器拒收，不会自动重发）。核对收件地址后，用 gongkai outbox --retry 编号 重新发送：\n")
		for _, f := range d.Failures {
			fmt.Fprintf(&b, "  [邮件 %d] 收件人 %s，主题“%s”：%s\n", f.ID, strings.Join(f.To, "、"), f.Subject, f.LastError)
		}
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
