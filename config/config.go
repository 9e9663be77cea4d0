package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/robfig/cron/v3"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Config is the effective configuration.
type Config struct {
	// File is the file it was read from; "" for the built-in defaults.
	File string `toml:"-"`

	Database        string `toml:"database"`
	OutboxDir       string `toml:"outbox_dir"`
	LateLoggingDays int    `toml:"late_logging_days"`
	// DatabaseMode is the permission of a new database file, octal.
	DatabaseMode string `toml:"database_mode"`
	// LockWait is how long a command waits for a database another
	// process holds, as a Go duration ("5s").
	LockWait string `toml:"lock_wait"`

	SMTP       *SMTP      `toml:"smtp"`
	Recipients Recipients `toml:"recipients"`
	Reminders  Reminders  `toml:"reminders"`
	Schedule   Schedule   `toml:"schedule"`
	Server     Server     `toml:"server"`

	// serverErr is the first problem in [server], which only the server
	// (gongkai serve) reads.
	serverErr error

	// mailErr is the first problem in what only sending needs (outbox_dir,
	// [smtp], [recipients], [reminders], [schedule]): a broken mail setup
	// stops what sends mail, not the staff logging events.
	mailErr error
	// portSet: the file gave smtp.port, so 0 is a mistake, not "default".
	portSet bool
}

// SMTP is the mail server; without it, messages are written as .eml files.
type SMTP struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	TLS          string `toml:"tls"` // starttls | tls | none
	CAFile       string `toml:"ca_file"`
	Username     string `toml:"username"`
	PasswordEnv  string `toml:"password_env"`
	PasswordFile string `toml:"password_file"`
	From         string `toml:"from"`
}

// Recipients are who hears about what.
type Recipients struct {
	Officers    []string `toml:"officers"`
	Supervisors []string `toml:"supervisors"`
	Owners      []Owner  `toml:"owners"`
}

// Owner is someone who also hears about the matters under one 一级事项.
type Owner struct {
	Level1 string   `toml:"level1"`
	Emails []string `toml:"emails"`
}

// Reminders say when reminders go out.
type Reminders struct {
	Before        []int `toml:"before"`         // working days before the deadline
	OnDueDay      bool  `toml:"on_due_day"`     // on the deadline itself
	OverdueEvery  int   `toml:"overdue_every"`  // working days between overdue notices
	EscalateAfter int   `toml:"escalate_after"` // overdue working days before supervisors hear
	EscalateEvery int   `toml:"escalate_every"` // working days between escalations of one event
}

// Server is how gongkai serve serves the office.
type Server struct {
	// Listen is the address of the API and the dashboard, host:port.
	Listen string `toml:"listen"`
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For names the client.
	TrustedProxies []string `toml:"trusted_proxies"`
	// PublicURL is how users reach the server, for links in mail.
	PublicURL string `toml:"public_url"`
	// LockoutAfter failed logins in a row lock an account for
	// LockoutMinutes.
	LockoutAfter   int `toml:"lockout_after"`
	LockoutMinutes int `toml:"lockout_minutes"`
}

// DefaultListen is where the server listens without [server] listen: this
// machine only.
const DefaultListen = "127.0.0.1:8470"

// Schedule holds cron specs, in Asia/Shanghai.
type Schedule struct {
	Reminders    string `toml:"reminders"`
	WeeklyReport string `toml:"weekly_report"`
}

// Default returns the built-in configuration: ./gongkai.db, messages
// written to the folder outbox beside the database, reminders 5, 3 and 1 working days before, on the day,
// every overdue working day, escalation after 3 and then every 5.
func Default() *Config {
	return &Config{
		Database:        "gongkai.db",
		LateLoggingDays: 5,
		DatabaseMode:    "0600",
		LockWait:        "5s",
		Reminders:       Reminders{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3, EscalateEvery: 5},
		Schedule:        Schedule{Reminders: "0 9 * * *", WeeklyReport: "0 9 * * 1"},
		Server:          Server{Listen: DefaultListen, LockoutAfter: 5, LockoutMinutes: 15},
	}
}

// DefaultFile is the file read when no other is named.
const DefaultFile = "gongkai.toml"

// Error is a problem with the configuration, in a sentence for people that
// names the file, the line and the key where it can.
type Error struct {
	File, Key string
	Line      int
	Message   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("配置文件")
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " 第 %d 行", e.Line)
	}
	if e.Key != "" {
		b.WriteString(" " + e.Key)
	}
	return b.String() + "：" + e.Message
}

// Find returns the file to read: flag (--config), else env (GONGKAI_CONFIG),
// else ./gongkai.toml when it exists, else "" (the defaults). named reports
// whether the file was asked for, and so must exist.
func Find(flag, env string) (path string, named bool) {
	switch {
	case flag != "":
		return flag, true
	case env != "":
		return env, true
	}
	if _, err := os.Stat(DefaultFile); err == nil {
		return DefaultFile, false
	}
	return "", false
}

// Load reads the file at path over the defaults and validates the result;
// path "" gives the defaults. The error is a problem that concerns every
// command (the file cannot be read, the database's settings); a problem in
// what only sending needs is kept for MailErr.
func Load(path string) (*Config, error) {
	c := Default()
	if path == "" {
		return c, c.Validate()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Message: ReadProblem(err)}
	}
	data, err = utf8Text(path, data)
	if err != nil {
		return nil, err
	}
	unknown, err := decode(path, data, c)
	if err != nil {
		return nil, err
	}
	c.File = path
	c.resolvePaths(filepath.Dir(path))
	if unknown != nil && !mailKey(unknown.Key) && !serverKey(unknown.Key) {
		return nil, unknown
	}
	if err := c.validateCore(); err != nil {
		return nil, err
	}
	switch {
	case unknown != nil && serverKey(unknown.Key):
		c.serverErr, c.mailErr = unknown, c.validateMail()
	case unknown != nil:
		c.mailErr, c.serverErr = unknown, c.validateServer()
	default:
		c.mailErr, c.serverErr = c.validateMail(), c.validateServer()
	}
	return c, nil
}

// ServerErr returns the first problem in [server]; gongkai serve refuses
// to start with it, the other commands do not look.
func (c *Config) ServerErr() error { return c.serverErr }

func serverKey(key string) bool { return key == "server" || strings.HasPrefix(key, "server.") }

// validateServer checks [server].
func (c *Config) validateServer() error {
	bad := c.bad
	s := c.Server
	host, port, err := net.SplitHostPort(s.Listen)
	if err != nil || port == "" {
		return bad("server.listen", "值 %q 无效：应为 地址:端口，如 \"127.0.0.1:8470\" 或 \"0.0.0.0:8443\"", s.Listen)
	}
	// Port 0: a free port, which the log says (tests, demos).
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return bad("server.listen", "端口 %q 无效：应为 1 至 65535（0：任一空闲端口，见日志）", port)
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return bad("server.tls_cert", "tls_cert 和 tls_key 须同时给出（证书和私钥文件）")
	}
	for _, f := range []struct{ key, path string }{{"server.tls_cert", s.TLSCert}, {"server.tls_key", s.TLSKey}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return bad(f.key, "文件 %s 无法读取：%s", f.path, ReadProblem(err))
		}
	}
	for _, p := range s.TrustedProxies {
		if _, err := ParseProxy(p); err != nil {
			return bad("server.trusted_proxies", "值 %q 无效：应为 IP 地址或网段，如 \"127.0.0.1\" 或 \"10.0.0.0/24\"", p)
		}
	}
	if s.PublicURL != "" {
		u, err := url.Parse(s.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("server.public_url", "值 %q 无效：应为 http:// 或 https:// 开头的网址", s.PublicURL)
		}
	}
	if s.LockoutAfter < 1 || s.LockoutAfter > 100 {
		return bad("server.lockout_after", "值 %d 无效：应为 1 至 100（连续几次密码错误锁定账号）", s.LockoutAfter)
	}
	if s.LockoutMinutes < 1 || s.LockoutMinutes > 24*60 {
		return bad("server.lockout_minutes", "值 %d 无效：应为 1 至 1440（锁定多少分钟）", s.LockoutMinutes)
	}
	// Passwords and tokens never cross the office's network in clear: a
	// plain HTTP server listens on this machine only, behind a proxy that
	// does TLS.
	if s.TLSCert == "" && !IsLoopback(host) {
		return bad("server.listen", "%q 不是本机地址，而没有配置 TLS：密码和登录凭据会以明文在网络上传输。"+
			"请配置 tls_cert 和 tls_key，或让 gongkai 只监听 127.0.0.1，由反向代理（如 nginx）提供 HTTPS 并写入 trusted_proxies", s.Listen)
	}
	return nil
}

// ParseProxy reads a trusted proxy: an address or a CIDR range.
func ParseProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// MailErr returns the first problem in what only sending needs: outbox_dir,
// [smtp], [recipients], [reminders] and [schedule]. Commands that send
// mail (remind, outbox, report --send, serve) refuse to run with it; the
// others do not look.
func (c *Config) MailErr() error { return c.mailErr }

// mailKey reports whether a key belongs to what only sending needs.
func mailKey(key string) bool {
	for _, p := range []string{"outbox_dir", "smtp", "recipients", "reminders", "schedule"} {
		if key == p || strings.HasPrefix(key, p+".") || strings.HasPrefix(key, p+"[") {
			return true
		}
	}
	return false
}

// ReadProblem says why a file could not be read, in Chinese.
func ReadProblem(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "文件不存在"
	}
	switch {
	case errors.Is(err, os.ErrPermission):
		return "没有读取权限（" + err.Error() + "）"
	case errors.Is(err, syscall.EISDIR):
		return "这是一个文件夹，不是文件（" + err.Error() + "）"
	}
	return "无法读取（" + err.Error() + "）"
}

// utf8Text returns the file's text without a UTF-8 byte-order mark (which
// Windows' Notepad writes), or names the encoding it is in when it is not
// UTF-8: GBK, as Notepad and WPS save by default on a Chinese Windows, or
// UTF-16 (Notepad's "Unicode").
func utf8Text(path string, data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return nil, &Error{File: path, Message: "文件是 UTF-16 编码（记事本的“Unicode”），gongkai 只读 UTF-8：请在记事本中“另存为”，编码选 UTF-8"}
	}
	if utf8.Valid(data) {
		return data, nil
	}
	bad := 0
	for bad < len(data) {
		r, n := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		bad += n
	}
	line := 1 + bytes.Count(data[:bad], []byte("\n"))
	what := "不是 UTF-8 编码"
	if _, err := simplifiedchinese.GBK.NewDecoder().Bytes(data); err == nil && !bytes.ContainsRune(mustGBK(data), utf8.RuneError) {
		what = "是 GBK 编码，不是 UTF-8"
	}
	return nil, &Error{File: path, Line: line, Message: what + "：gongkai 只读 UTF-8，请在记事本或 WPS 中“另存为”，编码选 UTF-8"}
}

func mustGBK(data []byte) []byte {
	out, _ := simplifiedchinese.GBK.NewDecoder().Bytes(data)
	return out
}

// decode reads TOML strictly: a wrong type or bad syntax is an error; an
// unknown key is returned apart (unknown), after the rest was read, so
// that one in a section only sending needs stops only sending.
func decode(path string, data []byte, c *Config) (unknown *Error, err error) {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(c)
	if err == nil || errors.As(err, new(*toml.StrictMissingError)) {
		var raw struct {
			SMTP map[string]any `toml:"smtp"`
		}
		if toml.Unmarshal(data, &raw) == nil {
			_, c.portSet = raw.SMTP["port"]
		}
	}
	if err == nil {
		return nil, nil
	}
	var sm *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &sm) && len(sm.Errors) > 0:
		// One outside the mail settings stops every command: name it first.
		e := sm.Errors[0]
		for _, x := range sm.Errors {
			if !mailKey(strings.Join(x.Key(), ".")) {
				e = x
				break
			}
		}
		row, _ := e.Position()
		key := strings.Join(e.Key(), ".")
		msg := "未知的键；可用 gongkai config example 查看所有的键"
		if last := e.Key()[len(e.Key())-1]; last == "password" {
			msg = "密码不能写在配置文件中：请用 password_env（环境变量名）或 password_file（文件路径）"
		}
		return &Error{File: path, Line: row, Key: key, Message: msg}, nil
	case errors.As(err, &de):
		row, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		msg := "格式或类型不对（字符串须加引号，数字不加，列表用方括号）"
		if key == "" {
			msg = "TOML 语法错误（请检查引号、方括号和等号）"
		}
		return nil, &Error{File: path, Line: row, Key: key, Message: msg}
	}
	return nil, &Error{File: path, Message: "无法读取（" + err.Error() + "）"}
}

func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.Database = abs(c.Database)
	c.OutboxDir = abs(c.OutboxDir)
	c.Server.TLSCert = abs(c.Server.TLSCert)
	c.Server.TLSKey = abs(c.Server.TLSKey)
	if c.SMTP != nil {
		c.SMTP.CAFile = abs(c.SMTP.CAFile)
		c.SMTP.PasswordFile = abs(c.SMTP.PasswordFile)
	}
}

// Validate checks every setting and returns the first problem.
func (c *Config) Validate() error {
	if err := c.validateCore(); err != nil {
		return err
	}
	if c.mailErr != nil {
		return c.mailErr
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if c.serverErr != nil {
		return c.serverErr
	}
	return c.validateServer()
}

func (c *Config) bad(key, format string, args ...any) error {
	return &Error{File: c.File, Key: key, Message: fmt.Sprintf(format, args...)}
}

// validateCore checks what every command needs.
func (c *Config) validateCore() error {
	bad := c.bad
	if strings.TrimSpace(c.Database) == "" {
		return bad("database", "不能为空")
	}
	if c.LateLoggingDays < 0 {
		return bad("late_logging_days", "值 %d 无效：应为 0 或正整数（工作日数）", c.LateLoggingDays)
	}
	if _, err := c.LockWaitDuration(); err != nil {
		return bad("lock_wait", "值 %q 无效：应为 100ms 至 10m 之间的时长，如 \"5s\"", c.LockWait)
	}
	if m, err := c.Mode(); err != nil {
		return bad("database_mode", "值 %q 无效：应为八进制权限，如 \"0600\"", c.DatabaseMode)
	} else if m&0o007 != 0 {
		return bad("database_mode", "值 %q 不安全：其他用户不能读写数据库文件（其中有审计日志和收件人），建议 \"0600\"（只有运行 gongkai 的用户可读写）或 \"0640\"", c.DatabaseMode)
	}
	return nil
}

// validateMail checks what only sending needs.
func (c *Config) validateMail() error {
	bad := c.bad
	if s := c.SMTP; s != nil {
		if strings.TrimSpace(s.Host) == "" {
			return bad("smtp.host", "不能为空")
		}
		if s.Port == 0 && c.portSet {
			return bad("smtp.port", "值 0 无效：应在 1 至 65535 之间（不写则按 tls 取 587、465 或 25）")
		}
		if s.Port == 0 {
			s.Port = map[string]int{"tls": 465, "none": 25}[s.TLS]
			if s.Port == 0 {
				s.Port = 587
			}
		}
		if s.Port < 1 || s.Port > 65535 {
			return bad("smtp.port", "值 %d 无效：应在 1 至 65535 之间", s.Port)
		}
		if s.TLS == "" {
			s.TLS = "starttls"
		}
		switch s.TLS {
		case "starttls", "tls":
		case "none":
			if !IsLoopback(s.Host) {
				return bad("smtp.tls", "值 \"none\" 只允许用于本机地址（127.0.0.1、::1、localhost），%q 不是：密码和邮件不能明文穿过网络", s.Host)
			}
		default:
			return bad("smtp.tls", "值 %q 无效：可选 starttls、tls、none", s.TLS)
		}
		if s.PasswordEnv != "" && s.PasswordFile != "" {
			return bad("smtp.password_env", "password_env 和 password_file 只能设一个")
		}
		if s.Username != "" && s.PasswordEnv == "" && s.PasswordFile == "" {
			return bad("smtp.username", "设了用户名却没有密码来源：请设 password_env 或 password_file")
		}
		if s.CAFile != "" {
			if _, err := os.Stat(s.CAFile); err != nil {
				return bad("smtp.ca_file", "文件 %q 不存在或无法读取", s.CAFile)
			}
		}
		if s.PasswordFile != "" {
			if err := checkSecretFile(s.PasswordFile); err != "" {
				return bad("smtp.password_file", "文件 %q %s", s.PasswordFile, err)
			}
		}
		if _, err := mail.ParseAddress(s.From); err != nil {
			return bad("smtp.from", "值 %q 不是有效的发件地址（如 \"政务公开提醒 <gongkai@example.gov.cn>\"）", s.From)
		}
	}
	for _, list := range []struct {
		key   string
		addrs []string
	}{{"recipients.officers", c.Recipients.Officers}, {"recipients.supervisors", c.Recipients.Supervisors}} {
		if err := checkAddresses(c.File, list.key, list.addrs); err != nil {
			return err
		}
	}
	for i, o := range c.Recipients.Owners {
		key := fmt.Sprintf("recipients.owners[%d]", i)
		if strings.TrimSpace(o.Level1) == "" {
			return bad(key+".level1", "不能为空：写一级事项的名称")
		}
		if len(o.Emails) == 0 {
			return bad(key+".emails", "不能为空")
		}
		if err := checkAddresses(c.File, key+".emails", o.Emails); err != nil {
			return err
		}
	}
	r := c.Reminders
	for _, n := range r.Before {
		if n < 1 {
			return bad("reminders.before", "值 %d 无效：应为正整数（到期前的工作日数）", n)
		}
	}
	if len(dedupe(r.Before)) != len(r.Before) {
		return bad("reminders.before", "有重复的值：%v", r.Before)
	}
	if r.OverdueEvery < 1 {
		return bad("reminders.overdue_every", "值 %d 无效：应为正整数（逾期提醒的间隔工作日数）", r.OverdueEvery)
	}
	if r.EscalateAfter < 0 {
		return bad("reminders.escalate_after", "值 %d 无效：应为 0 或正整数", r.EscalateAfter)
	}
	if r.EscalateEvery < 1 {
		return bad("reminders.escalate_every", "值 %d 无效：应为正整数（再次督办的间隔工作日数）", r.EscalateEvery)
	}
	if err := checkSpec(c.File, "schedule.reminders", c.Schedule.Reminders); err != nil {
		return err
	}
	return checkSpec(c.File, "schedule.weekly_report", c.Schedule.WeeklyReport)
}

func dedupe(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// LockWaitDuration returns lock_wait: at least 100 ms, at most 10 minutes.
func (c *Config) LockWaitDuration() (time.Duration, error) {
	d, err := time.ParseDuration(c.LockWait)
	if err != nil {
		return 0, err
	}
	if d < 100*time.Millisecond || d > 10*time.Minute {
		return 0, fmt.Errorf("lock_wait %v out of range", d)
	}
	return d, nil
}

// Mode returns database_mode as a file mode.
func (c *Config) Mode() (os.FileMode, error) {
	var m uint32
	if _, err := fmt.Sscanf(c.DatabaseMode, "%o", &m); err != nil || m == 0 || m > 0o777 {
		return 0, fmt.Errorf("bad mode %q", c.DatabaseMode)
	}
	return os.FileMode(m), nil
}

func checkAddresses(file, key string, addrs []string) error {
	for i, a := range addrs {
		if !validAddress(a) {
			return &Error{File: file, Key: fmt.Sprintf("%s[%d]", key, i), Message: fmt.Sprintf("值 %q 不是有效的电子邮件地址", a)}
		}
	}
	return nil
}

// SpecParser parses the schedule's cron specs: exactly five fields
// (minute, hour, day of month, month, day of week).
var SpecParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// checkSpec parses a cron spec, turning the parser's panics (on some
// malformed CRON_TZ= prefixes) into errors.
func checkSpec(file, key, spec string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: file, Key: key, Message: fmt.Sprintf("值 %q 不是有效的 cron 表达式", spec)}
		}
	}()
	if strings.TrimSpace(spec) == "" {
		return &Error{File: file, Key: key, Message: "不能为空"}
	}
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		return &Error{File: file, Key: key, Message: fmt.Sprintf("值 %q 无效：时间一律按北京时间（Asia/Shanghai），不要写时区", spec)}
	}
	if n := len(strings.Fields(spec)); n != 5 {
		return &Error{File: file, Key: key, Message: fmt.Sprintf("值 %q 有 %d 项，cron 表达式应正好 5 项：分 时 日 月 周，如 \"0 9 * * *\"", spec, n)}
	}
	sched, err := SpecParser.Parse(spec)
	if err != nil {
		return &Error{File: file, Key: key, Message: fmt.Sprintf("值 %q 不是有效的 cron 表达式（分 时 日 月 周，如 \"0 9 * * *\"）", spec)}
	}
	if y := yearWithout(sched); y != 0 {
		return &Error{File: file, Key: key, Message: fmt.Sprintf("值 %q 在 %d 年一次也不会执行（如 2 月 30 日、只有闰年才有的 2 月 29 日）：任务每年至少要执行一次", spec, y)}
	}
	return nil
}

// yearWithout returns a year in which sched never fires, or 0: it looks
// at eight years, two leap years among them, which covers every
// combination of day, month and weekday.
func yearWithout(sched cron.Schedule) int {
	for y := 2025; y < 2033; y++ {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		if next := sched.Next(start.Add(-time.Second)); next.IsZero() || next.Year() != y {
			return y
		}
	}
	return 0
}

// IsLoopback reports whether host (a name, or an address, bracketed or
// not) names this machine only.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Password returns the SMTP password from its source.
func (s *SMTP) Password(getenv func(string) string) (string, error) {
	switch {
	case s.PasswordEnv != "":
		v := getenv(s.PasswordEnv)
		if v == "" {
			return "", &Error{Key: "smtp.password_env", Message: fmt.Sprintf("环境变量 %s 未设置或为空", s.PasswordEnv)}
		}
		return v, nil
	case s.PasswordFile != "":
		if why := checkSecretFile(s.PasswordFile); why != "" {
			return "", &Error{Key: "smtp.password_file", Message: fmt.Sprintf("文件 %q %s", s.PasswordFile, why)}
		}
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return "", &Error{Key: "smtp.password_file", Message: fmt.Sprintf("文件 %q %s", s.PasswordFile, ReadProblem(err))}
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", nil
}

// checkSecretFile says what is wrong with a file that holds a secret, or
// "": it must be a readable file that other users cannot read (on
// Windows, where modes say nothing of that, only that it is a file).
func checkSecretFile(path string) string {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return ReadProblem(err)
	case fi.IsDir():
		return "是一个文件夹，不是文件"
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o004 != 0:
		return fmt.Sprintf("其他用户也能读取（权限 %04o）：密码文件只应让运行 gongkai 的用户读取，请运行 chmod 600 %s", fi.Mode().Perm(), path)
	}
	return ""
}

// Outbox returns the folder .eml files go to without [smtp]: outbox_dir,
// else the folder outbox beside the database db (where the service user
// can write, unlike beside a configuration in /etc).
func (c *Config) Outbox(db string) string {
	if c.OutboxDir != "" {
		return c.OutboxDir
	}
	return filepath.Join(filepath.Dir(db), "outbox")
}

// validAddress reports whether a is one e-mail address on one line, as
// people write it ("a@b.cn" or "名字 <a@b.cn>"), without control or
// bidirectional characters.
func validAddress(a string) bool {
	for _, r := range a {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return false
		}
	}
	addr, err := mail.ParseAddress(a)
	return err == nil && strings.Contains(addr.Address, "@") && len(a) <= 320
}
