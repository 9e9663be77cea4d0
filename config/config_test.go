package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "gongkai.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != "gongkai.db" || c.SMTP != nil || c.LateLoggingDays != 5 || c.Reminders.EscalateAfter != 3 {
		t.Errorf("defaults: %+v", c)
	}
	if m, _ := c.Mode(); m != 0o600 {
		t.Errorf("mode %o", m)
	}
}

// The example file is valid, and relative paths are the file's folder's.
func TestExample(t *testing.T) {
	p := write(t, Example)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	if c.Database != filepath.Join(dir, "gongkai.db") || c.OutboxDir != filepath.Join(dir, "outbox") {
		t.Errorf("paths not relative to the file: %q %q", c.Database, c.OutboxDir)
	}
	if c.SMTP == nil || c.SMTP.Port != 587 || c.SMTP.TLS != "starttls" || c.SMTP.PasswordEnv != "GONGKAI_SMTP_PASSWORD" {
		t.Errorf("smtp: %+v", c.SMTP)
	}
	if len(c.Recipients.Owners) != 1 || c.Recipients.Owners[0].Level1 != "养老保险服务" {
		t.Errorf("owners: %+v", c.Recipients.Owners)
	}
	pw, err := c.SMTP.Password(func(k string) string { return map[string]string{"GONGKAI_SMTP_PASSWORD": "s3cret"}[k] })
	if err != nil || pw != "s3cret" {
		t.Errorf("password: %q %v", pw, err)
	}
	if _, err := c.SMTP.Password(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "GONGKAI_SMTP_PASSWORD") {
		t.Errorf("missing password: %v", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // fragments: the line, the key, the reason
	}{
		{"unknown key", "database = \"a.db\"\ncolour = \"red\"\n", []string{"第 2 行", "colour", "未知的键"}},
		{"password in the file", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\npassword = \"x\"\n", []string{"第 4 行", "smtp.password", "不能写在配置文件中"}},
		{"wrong type", "late_logging_days = \"five\"\n", []string{"第 1 行", "late_logging_days", "类型不对"}},
		{"syntax", "[smtp\nhost = 1\n", []string{"第 1 行", "语法错误"}},
		{"negative late days", "late_logging_days = -1\n", []string{"late_logging_days", "-1"}},
		{"bad tls", "[smtp]\nhost = \"h\"\ntls = \"ssl\"\nfrom = \"a@b.cn\"\n", []string{"smtp.tls", "ssl"}},
		{"plain text to a remote host", "[smtp]\nhost = \"mail.example.gov.cn\"\ntls = \"none\"\nfrom = \"a@b.cn\"\n", []string{"smtp.tls", "mail.example.gov.cn", "本机"}},
		{"two password sources", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nusername = \"u\"\npassword_env = \"X\"\npassword_file = \"f\"\n", []string{"password_env", "只能设一个"}},
		{"user without password", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nusername = \"u\"\n", []string{"smtp.username", "密码来源"}},
		{"bad from", "[smtp]\nhost = \"h\"\nfrom = \"gongkai\"\n", []string{"smtp.from", "gongkai"}},
		{"bad port", "[smtp]\nhost = \"h\"\nport = 70000\nfrom = \"a@b.cn\"\n", []string{"smtp.port", "70000"}},
		{"missing CA", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nca_file = \"ca.pem\"\n", []string{"smtp.ca_file", "ca.pem"}},
		{"bad officer", "[recipients]\nofficers = [\"a@b.cn\", \"nobody\"]\n", []string{"recipients.officers[1]", "nobody"}},
		{"owner without emails", "[[recipients.owners]]\nlevel1 = \"养老保险服务\"\n", []string{"recipients.owners[0].emails"}},
		{"zero before", "[reminders]\nbefore = [5, 0]\n", []string{"reminders.before", "0"}},
		{"duplicate before", "[reminders]\nbefore = [3, 3]\n", []string{"reminders.before", "重复"}},
		{"zero overdue_every", "[reminders]\noverdue_every = 0\n", []string{"reminders.overdue_every"}},
		{"bad cron", "[schedule]\nreminders = \"every morning\"\n", []string{"schedule.reminders", "every morning"}},
		{"cron with a zone", "[schedule]\nweekly_report = \"CRON_TZ=Asia/Shanghai 0 9 * * 1\"\n", []string{"schedule.weekly_report", "北京时间"}},
		{"malformed zone", "[schedule]\nreminders = \"CRON_TZ=\"\n", []string{"schedule.reminders"}},
		{"bad mode", "database_mode = \"rw\"\n", []string{"database_mode", "rw"}},
		{"bad lock wait", "lock_wait = \"forever\"\n", []string{"lock_wait", "forever"}},
		{"lock wait too long", "lock_wait = \"1h\"\n", []string{"lock_wait", "1h"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, tc.body))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a config Error", err)
			}
			for _, w := range append(tc.want, "gongkai.toml") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.toml")); err == nil || !strings.Contains(err.Error(), "文件不存在") {
		t.Errorf("missing file: %v", err)
	}
}

func TestFind(t *testing.T) {
	if p, named := Find("a.toml", "b.toml"); p != "a.toml" || !named {
		t.Errorf("flag first: %q %v", p, named)
	}
	if p, named := Find("", "b.toml"); p != "b.toml" || !named {
		t.Errorf("then the environment: %q %v", p, named)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	if p, _ := Find("", ""); p != "" {
		t.Errorf("no file: %q", p)
	}
	os.WriteFile(DefaultFile, []byte(""), 0o600)
	if p, named := Find("", ""); p != DefaultFile || named {
		t.Errorf("./gongkai.toml: %q %v", p, named)
	}
}
