package tracker

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestEventBindingSound(t *testing.T) {
	for _, tc := range []struct {
		b    EventBinding
		want string
	}{
		{EventBinding{Bound: 3, Unbound: []uint64{}}, "3 个事件均与审计日志所记相符。"},
		// Events older than the hashes, before the baseline binds them.
		{EventBinding{Bound: 1, Unbound: []uint64{2, 5}},
			"1 个事件与审计日志所记相符；2 个未绑定（写于审计日志记录事件哈希之前，尚未建立基线），内容无从核对：事件 2、5。"},
	} {
		if got := tc.b.Sound(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.b, got, tc.want)
		}
	}
}

// Each action's entry reads as a sentence, never as the JSON it is stored
// as; an entry of a newer version's unknown action shows its content.
func TestAuditText(t *testing.T) {
	for _, tc := range []struct {
		action, content, want string
	}{
		{AuditInit, `{"matters":81,"name":"章贡区目录","version":"1"}`, "启用公开目录《章贡区目录》（版本 1，81 个事项）"},
		{AuditCatalogImport, `{"matters":80,"name":"新目录","version":"2","file":"new.toml"}`, "从文件 new.toml 导入公开目录《新目录》（版本 2，80 个事项），取代现行目录"},
		{AuditCalendarImport, `{"year":2027,"file":"2027.json","sha256":"ab","days":30,"changed_days":4}`, "从文件 2027.json 导入 2027 年放假安排（30 个日期，4 天的判定因此改变）"},
		{AuditRemind, `{"day":"2026-11-23","failures_reported":2,"messages":3,"stages":5}`, "2026-11-23 的提醒：排入 3 封邮件，记下 5 个提醒，向专员报告 2 封投递失败或延迟的邮件"},
		{AuditRequeue, `{"message":4,"to":["a@b.cn"],"last_error":"550 no"}`, "邮件 4 重新排入待发，收件人 a@b.cn（此前的错误：550 no）"},
		{AuditReport, `{"day":"2026-11-23","messages":2,"overdue":7}`, "2026-11-23 的周报：排入 2 封邮件，当时逾期 7 项"},
		{ActLogged, `{"detail":"信息变更于 2026-10-06","reason":"补登"}`, "信息变更于 2026-10-06（原因：补登）"},
		{"future_action", `{"x":1}`, `{"x":1}`},
	} {
		if got := AuditText(&AuditEntry{Action: tc.action, Content: []byte(tc.content)}); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.action, got, tc.want)
		}
	}
}

// An event's audit content, written directly, is what encoding/json
// writes of the map of its fields.
func TestEventAuditContent(t *testing.T) {
	e := fullJSONEvent()
	for _, s := range []string{"", "<a href=\"x\">&</a>\u2028", "摘要\t\n"} {
		e.Summary, e.Ref = s, s+"号"
		last := Change{Detail: "从文件 \"台账.xlsx\" 导入 <1>", Reason: s}
		want, err := json.Marshal(map[string]any{
			"event": e.ID, "matter": e.Matter, "kind": e.Kind, "date": e.Date, "summary": e.Summary, "ref": e.Ref,
			"deadline": e.Deadline, "reason": last.Reason, "detail": last.Detail, "state": e.State, contentEventHash: "ab12",
		})
		if err != nil {
			t.Fatal(err)
		}
		got := eventAuditContent(e, last, "ab12")
		if !bytes.Equal(got, want) {
			t.Errorf("wrote\n%s\nencoding/json\n%s", got, want)
		}
		// The store takes it as canonical: encoding/json leaves it as it is.
		if again, err := json.Marshal(json.RawMessage(got)); err != nil || !bytes.Equal(again, got) {
			t.Errorf("not canonical: encoding/json rewrites\n%s\nas\n%s (%v)", got, again, err)
		}
	}
}
