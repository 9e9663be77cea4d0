package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
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
	if c.Database != filepath.Join(dir, "gongkai.db") || c.Outbox(c.Database) != filepath.Join(dir, "outbox") {
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
		// mail: the problem is in what only sending needs, so Load
		// succeeds and MailErr holds it.
		mail bool
		want []string // fragments: the line, the key, the reason
	}{
		{"unknown key", "database = \"a.db\"\ncolour = \"red\"\n", false, []string{"第 2 行", "colour", "未知的键"}},
		{"unknown key in smtp", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nsender = \"x\"\n", true, []string{"第 4 行", "smtp.sender", "未知的键"}},
		{"password in the file", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\npassword = \"x\"\n", true, []string{"第 4 行", "smtp.password", "不能写在配置文件中"}},
		{"wrong type", "late_logging_days = \"five\"\n", false, []string{"第 1 行", "late_logging_days", "类型不对"}},
		{"syntax", "[smtp\nhost = 1\n", false, []string{"第 1 行", "语法错误"}},
		{"negative late days", "late_logging_days = -1\n", false, []string{"late_logging_days", "-1"}},
		{"bad tls", "[smtp]\nhost = \"h\"\ntls = \"ssl\"\nfrom = \"a@b.cn\"\n", true, []string{"smtp.tls", "ssl"}},
		{"plain text to a remote host", "[smtp]\nhost = \"mail.example.gov.cn\"\ntls = \"none\"\nfrom = \"a@b.cn\"\n", true, []string{"smtp.tls", "mail.example.gov.cn", "本机"}},
		{"two password sources", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nusername = \"u\"\npassword_env = \"X\"\npassword_file = \"f\"\n", true, []string{"password_env", "只能设一个"}},
		{"user without password", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nusername = \"u\"\n", true, []string{"smtp.username", "密码来源"}},
		{"bad from", "[smtp]\nhost = \"h\"\nfrom = \"gongkai\"\n", true, []string{"smtp.from", "gongkai"}},
		{"bad port", "[smtp]\nhost = \"h\"\nport = 70000\nfrom = \"a@b.cn\"\n", true, []string{"smtp.port", "70000"}},
		{"port zero", "[smtp]\nhost = \"h\"\nport = 0\nfrom = \"a@b.cn\"\n", true, []string{"smtp.port", "值 0", "1 至 65535"}},
		{"negative port", "[smtp]\nhost = \"h\"\nport = -25\nfrom = \"a@b.cn\"\n", true, []string{"smtp.port", "-25"}},
		{"missing CA", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nca_file = \"ca.pem\"\n", true, []string{"smtp.ca_file", "ca.pem"}},
		{"missing password file", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nusername = \"u\"\npassword_file = \"pw\"\n", true, []string{"smtp.password_file", "pw", "文件不存在"}},
		{"bad officer", "[recipients]\nofficers = [\"a@b.cn\", \"nobody\"]\n", true, []string{"recipients.officers[1]", "nobody"}},
		{"owner without emails", "[[recipients.owners]]\nlevel1 = \"养老保险服务\"\n", true, []string{"recipients.owners[0].emails"}},
		{"zero before", "[reminders]\nbefore = [5, 0]\n", true, []string{"reminders.before", "0"}},
		{"duplicate before", "[reminders]\nbefore = [3, 3]\n", true, []string{"reminders.before", "重复"}},
		{"zero overdue_every", "[reminders]\noverdue_every = 0\n", true, []string{"reminders.overdue_every"}},
		{"bad cron", "[schedule]\nreminders = \"every morning\"\n", true, []string{"schedule.reminders", "every morning"}},
		{"cron with seconds", "[schedule]\nreminders = \"0 0 9 * * *\"\n", true, []string{"schedule.reminders", "6 项", "正好 5 项"}},
		{"cron descriptor", "[schedule]\nweekly_report = \"@weekly\"\n", true, []string{"schedule.weekly_report", "@weekly", "正好 5 项"}},
		{"cron that never fires", "[schedule]\nreminders = \"0 9 30 2 *\"\n", true, []string{"schedule.reminders", "2025 年一次也不会执行"}},
		{"cron only in leap years", "[schedule]\nweekly_report = \"0 9 29 2 *\"\n", true, []string{"schedule.weekly_report", "2025 年一次也不会执行", "每年至少"}},
		{"cron with a zone", "[schedule]\nweekly_report = \"CRON_TZ=Asia/Shanghai 0 9 * * 1\"\n", true, []string{"schedule.weekly_report", "北京时间"}},
		{"malformed zone", "[schedule]\nreminders = \"CRON_TZ=\"\n", true, []string{"schedule.reminders"}},
		{"bad mode", "database_mode = \"rw\"\n", false, []string{"database_mode", "rw"}},
		{"mode others may write", "database_mode = \"0666\"\n", false, []string{"database_mode", "0666", "不安全"}},
		{"mode others may execute", "database_mode = \"0601\"\n", false, []string{"database_mode", "0601", "不安全"}},
		{"mode others may read", "database_mode = \"0644\"\n", false, []string{"database_mode", "0644", "不安全"}},
		{"unknown keys in mail and core", "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nsender = \"x\"\n[extra]\nkey = 1\n", false, []string{"第 5 行", "extra", "未知的键"}},
		{"bad lock wait", "lock_wait = \"forever\"\n", false, []string{"lock_wait", "forever"}},
		{"lock wait too long", "lock_wait = \"1h\"\n", false, []string{"lock_wait", "1h"}},
		{"GBK", "database = \"\xb9\xab\xbf\xaa.db\"\n", false, []string{"第 1 行", "GBK", "UTF-8"}},
		{"not UTF-8 nor GBK", "late_logging_days = 5\n# \xff\xff\n", false, []string{"第 2 行", "不是 UTF-8", "另存为"}},
		{"UTF-16", "\xff\xfed\x00b\x00", false, []string{"UTF-16", "另存为"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(write(t, tc.body))
			if tc.mail {
				if err != nil {
					t.Fatalf("a problem of the mail settings stopped the load: %v", err)
				}
				if c.Database == "" {
					t.Errorf("the database setting was not read: %+v", c)
				}
				err = c.MailErr()
				if c.Validate() != err {
					t.Errorf("Validate says %v, MailErr %v", c.Validate(), err)
				}
			}
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
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "文件夹") {
		t.Errorf("a folder: %v", err)
	}
}

// Notepad's UTF-8 byte-order mark is read as nothing.
func TestByteOrderMark(t *testing.T) {
	c, err := Load(write(t, "\xef\xbb\xbfdatabase = \"公开.db\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(c.Database) != "公开.db" {
		t.Errorf("database %q", c.Database)
	}
}

// A password file is read only when only its owner can read it.
func TestPasswordFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not say who may read on Windows")
	}
	p := write(t, "[smtp]\nhost = \"h\"\nfrom = \"a@b.cn\"\nusername = \"u\"\npassword_file = \"pw\"\n")
	pw := filepath.Join(filepath.Dir(p), "pw")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MailErr(); err == nil || !strings.Contains(err.Error(), "其他用户也能读取") || !strings.Contains(err.Error(), "0644") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("readable by others: %v", err)
	}
	if _, err := c.SMTP.Password(os.Getenv); err == nil {
		t.Errorf("the password of a file others can read was read")
	}
	os.Chmod(pw, 0o600)
	if c, err = Load(p); err != nil || c.MailErr() != nil {
		t.Fatalf("0600: %v %v", err, c.MailErr())
	}
	if got, err := c.SMTP.Password(os.Getenv); got != "s3cret" || err != nil {
		t.Errorf("password %q %v", got, err)
	}
}

// Without outbox_dir, .eml files go beside the database.
func TestOutboxBesideTheDatabase(t *testing.T) {
	c, err := Load(write(t, "database = \"/var/lib/gongkai/gongkai.db\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Outbox(c.Database), filepath.Join("/var/lib/gongkai", "outbox"); got != want {
		t.Errorf("outbox %q, want %q", got, want)
	}
	if got, want := c.Outbox("/srv/other.db"), filepath.Join("/srv", "outbox"); got != want {
		t.Errorf("outbox beside --db: %q, want %q", got, want)
	}
	c.OutboxDir = "/srv/mail"
	if got := c.Outbox(c.Database); got != "/srv/mail" {
		t.Errorf("outbox_dir: %q", got)
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

// A problem in [server] stops only the server: Load succeeds, ServerErr
// holds it, and says what to do.
func TestServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"plain HTTP on the network", "[server]\nlisten = \"0.0.0.0:8470\"\n", []string{"server.listen", "0.0.0.0:8470", "明文", "tls_cert"}},
		{"no port", "[server]\nlisten = \"127.0.0.1\"\n", []string{"server.listen", "127.0.0.1"}},
		{"port out of range", "[server]\nlisten = \"127.0.0.1:99999\"\n", []string{"server.listen", "99999"}},
		{"cert without key", "[server]\ntls_cert = \"cert.pem\"\n", []string{"server.tls_cert", "同时"}},
		{"missing cert", "[server]\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n", []string{"server.tls_cert", "cert.pem", "文件不存在"}},
		{"bad proxy", "[server]\ntrusted_proxies = [\"nginx\"]\n", []string{"server.trusted_proxies", "nginx"}},
		{"bad public URL", "[server]\npublic_url = \"gongkai.example.gov.cn\"\n", []string{"server.public_url", "http"}},
		{"lockout zero", "[server]\nlockout_after = 0\n", []string{"server.lockout_after", "值 0"}},
		{"unknown key", "[server]\nport = 8470\n", []string{"server.port", "未知的键"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(write(t, tc.body))
			if err != nil {
				t.Fatalf("a problem of [server] stopped the load: %v", err)
			}
			err = c.ServerErr()
			if err == nil || c.Validate() == nil {
				t.Fatalf("ServerErr %v, Validate %v", err, c.Validate())
			}
			for _, w := range append(tc.want, "gongkai.toml") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	// Good: the defaults, TLS on the network, a proxy.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.pem"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "k.pem"), []byte("x"), 0o600)
	for _, body := range []string{"", "[server]\nlisten = \"0.0.0.0:8443\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n",
		"[server]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/24\"]\npublic_url = \"https://gongkai.zgq.gov.cn\"\n"} {
		path := filepath.Join(dir, "gongkai.toml")
		os.WriteFile(path, []byte(body), 0o600)
		c, err := Load(path)
		if err != nil || c.ServerErr() != nil {
			t.Errorf("%q: %v %v", body, err, c.ServerErr())
		}
	}
}
