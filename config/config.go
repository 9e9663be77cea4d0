package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/robfig/cron/v3"
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
}

// Schedule holds cron specs, in Asia/Shanghai.
type Schedule struct {
	Reminders    string `toml:"reminders"`
	WeeklyReport string `toml:"weekly_report"`
}

// Default returns the built-in configuration: ./gongkai.db, messages
// written to ./outbox, reminders 5, 3 and 1 working days before, on the day,
// every overdue working day, escalation after 3.
func Default() *Config {
	return &Config{
		Database:        "gongkai.db",
		OutboxDir:       "outbox",
		LateLoggingDays: 5,
		DatabaseMode:    "0600",
		LockWait:        "5s",
		Reminders:       Reminders{Before: []int{5, 3, 1}, OnDueDay: true, OverdueEvery: 1, EscalateAfter: 3},
		Schedule:        Schedule{Reminders: "0 9 * * *", WeeklyReport: "0 9 * * 1"},
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
// path "" gives the defaults.
func Load(path string) (*Config, error) {
	c := Default()
	if path == "" {
		return c, c.Validate()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		reason := "无法读取：" + err.Error()
		if errors.Is(err, os.ErrNotExist) {
			reason = "文件不存在"
		}
		return nil, &Error{File: path, Message: reason}
	}
	if err := decode(path, data, c); err != nil {
		return nil, err
	}
	c.File = path
	c.resolvePaths(filepath.Dir(path))
	return c, c.Validate()
}

// decode reads TOML strictly: an unknown key or a wrong type is an error.
func decode(path string, data []byte, c *Config) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(c)
	if err == nil {
		return nil
	}
	var sm *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &sm) && len(sm.Errors) > 0:
		e := sm.Errors[0]
		row, _ := e.Position()
		key := strings.Join(e.Key(), ".")
		msg := "未知的键；可用 gongkai config example 查看所有的键"
		if last := e.Key()[len(e.Key())-1]; last == "password" {
			msg = "密码不能写在配置文件中：请用 password_env（环境变量名）或 password_file（文件路径）"
		}
		return &Error{File: path, Line: row, Key: key, Message: msg}
	case errors.As(err, &de):
		row, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		msg := "格式或类型不对（字符串须加引号，数字不加，列表用方括号）"
		if key == "" {
			msg = "TOML 语法错误（请检查引号、方括号和等号）"
		}
		return &Error{File: path, Line: row, Key: key, Message: msg}
	}
	return &Error{File: path, Message: "无法读取：" + err.Error()}
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
	if c.SMTP != nil {
		c.SMTP.CAFile = abs(c.SMTP.CAFile)
		c.SMTP.PasswordFile = abs(c.SMTP.PasswordFile)
	}
}

// Validate checks every setting and returns the first problem.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return &Error{File: c.File, Key: key, Message: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(c.Database) == "" {
		return bad("database", "不能为空")
	}
	if c.LateLoggingDays < 0 {
		return bad("late_logging_days", "值 %d 无效：应为 0 或正整数（工作日数）", c.LateLoggingDays)
	}
	if _, err := c.LockWaitDuration(); err != nil {
		return bad("lock_wait", "值 %q 无效：应为 100ms 至 10m 之间的时长，如 \"5s\"", c.LockWait)
	}
	if _, err := c.Mode(); err != nil {
		return bad("database_mode", "值 %q 无效：应为八进制权限，如 \"0600\"", c.DatabaseMode)
	}
	if s := c.SMTP; s != nil {
		if strings.TrimSpace(s.Host) == "" {
			return bad("smtp.host", "不能为空")
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
			if !isLoopback(s.Host) {
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
		if _, err := mail.ParseAddress(a); err != nil || !strings.Contains(a, "@") {
			return &Error{File: file, Key: fmt.Sprintf("%s[%d]", key, i), Message: fmt.Sprintf("值 %q 不是有效的电子邮件地址", a)}
		}
	}
	return nil
}

// SpecParser parses the schedule's cron specs: five fields, or a
// descriptor such as @daily.
var SpecParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

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
	if _, err := SpecParser.Parse(spec); err != nil {
		return &Error{File: file, Key: key, Message: fmt.Sprintf("值 %q 不是有效的 cron 表达式（分 时 日 月 周，如 \"0 9 * * *\"）", spec)}
	}
	return nil
}

func isLoopback(host string) bool {
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
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return "", &Error{Key: "smtp.password_file", Message: fmt.Sprintf("无法读取文件 %q", s.PasswordFile)}
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", nil
}
