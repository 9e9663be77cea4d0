package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	set := func(k string) string {
		if k == "SET" {
			return "s3cret"
		}
		return ""
	}
	for _, tc := range []struct {
		name              string
		smtp              *SMTP
		sending, password string
	}{
		{"no server", nil, "没有 [smtp]，邮件写成 .eml 文件放在 " + filepath.Join("/var/lib/gongkai", "outbox"), ""},
		{"no password", &SMTP{Host: "mail.example.gov.cn", Port: 25, TLS: "none"}, "mail.example.gov.cn:25（none）", ""},
		{"variable set", &SMTP{Host: "mail.example.gov.cn", Port: 587, TLS: "starttls", PasswordEnv: "SET"},
			"mail.example.gov.cn:587（starttls）", "来自环境变量 SET（已设置）"},
		{"variable unset", &SMTP{Host: "mail.example.gov.cn", Port: 465, TLS: "tls", PasswordEnv: "UNSET"},
			"mail.example.gov.cn:465（tls）", "来自环境变量 UNSET（未设置）"},
		{"file", &SMTP{Host: "mail.example.gov.cn", Port: 587, TLS: "starttls", PasswordFile: "/etc/gongkai/pw"},
			"mail.example.gov.cn:587（starttls）", "来自文件 /etc/gongkai/pw"},
	} {
		c := Default()
		c.SMTP = tc.smtp
		if got := c.Sending("/var/lib/gongkai/gongkai.db"); got != tc.sending {
			t.Errorf("%s: sending %q, want %q", tc.name, got, tc.sending)
		}
		if got := c.PasswordSource(set); got != tc.password {
			t.Errorf("%s: password %q, want %q", tc.name, got, tc.password)
		}
		text, err := c.Text()
		if err != nil || strings.Contains(text, "s3cret") || !strings.Contains(text, "late_logging_days = 5") {
			t.Errorf("%s: text %q, %v", tc.name, text, err)
		}
	}
}

func TestOwnerWarnings(t *testing.T) {
	c := Default()
	c.Recipients.Owners = []Owner{{Level1: "养老保险服务", Emails: []string{"a@example.gov.cn"}},
		{Level1: "养老服务", Emails: []string{"b@example.gov.cn", "c@example.gov.cn"}}}
	got := c.OwnerWarnings([]int{1})
	want := `recipients.owners[1].level1 的值 "养老服务" 不是现行目录中的一级事项，b@example.gov.cn、c@example.gov.cn 将收不到任何提醒`
	if len(got) != 1 || got[0] != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := c.OwnerWarnings(nil); len(got) != 0 {
		t.Errorf("no unknown owner: %q", got)
	}
}
