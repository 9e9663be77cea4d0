package config

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// What the configuration says of itself to people, in Chinese, for every
// front end that shows it: the CLI's config check, the web's status page.

// Sending says how messages leave: through which mail server, or as .eml
// files in which folder (beside the database db by default).
func (c *Config) Sending(db string) string {
	if s := c.SMTP; s != nil {
		return fmt.Sprintf("%s:%d（%s）", s.Host, s.Port, s.TLS)
	}
	return "没有 [smtp]，邮件写成 .eml 文件放在 " + c.Outbox(db)
}

// PasswordSource says where the mail server's password comes from, and
// whether the environment variable named is set, never the password; ""
// when there is none.
func (c *Config) PasswordSource(getenv func(string) string) string {
	switch s := c.SMTP; {
	case s == nil:
		return ""
	case s.PasswordEnv != "":
		state := "未设置"
		if getenv(s.PasswordEnv) != "" {
			state = "已设置"
		}
		return fmt.Sprintf("来自环境变量 %s（%s）", s.PasswordEnv, state)
	case s.PasswordFile != "":
		return "来自文件 " + s.PasswordFile
	}
	return ""
}

// Text is the configuration as a file would hold it, defaults included;
// passwords are never in it.
func (c *Config) Text() (string, error) {
	b, err := toml.Marshal(c)
	return string(b), err
}

// OwnerWarnings warns of the owners at the indexes given, whose 一级事项
// the catalogue in force does not have (app.Recipients.UnknownOwners finds
// them): they would hear nothing.
func (c *Config) OwnerWarnings(unknown []int) []string {
	var out []string
	for _, i := range unknown {
		o := c.Recipients.Owners[i]
		out = append(out, fmt.Sprintf("recipients.owners[%d].level1 的值 %q 不是现行目录中的一级事项，%s 将收不到任何提醒",
			i, o.Level1, strings.Join(o.Emails, "、")))
	}
	return out
}
