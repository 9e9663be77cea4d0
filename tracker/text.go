package tracker

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Limits of the one-line fields people type, in characters.
const (
	MaxSummary = 500
	MaxRef     = 100
	MaxName    = 50   // who acts (登记人, 操作人)
	MaxReason  = 1000 // reasons and notes
	MaxURL     = 2000
)

// Unsafe reports whether r must not be in a line of text that is shown on
// a terminal, in a table or a mail: a control character (C0, DEL, C1),
// which can move the cursor, retitle a terminal or hide what went before,
// or a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069),
// which shows text in another order than it is stored.
func Unsafe(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// Line checks a one-line field that people type and returns it without
// the spaces around it: valid UTF-8, no Unsafe character (named by its
// position, counted in characters from 1), at most max characters. label
// is the field's words, which begin the message ("摘要").
func Line(field, label, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", Invalid(field, "%s不是有效的 UTF-8 文字（可能是 GBK 等其他编码）", label)
	}
	n := 0
	for _, r := range s {
		n++
		if Unsafe(r) {
			return "", Invalid(field, "%s的第 %d 个字符是控制字符或文字方向控制符（U+%04X），不能使用：请删去", label, n, r)
		}
	}
	if n > max {
		return "", Invalid(field, "%s太长：共 %d 个字符，最多 %d 个", label, n, max)
	}
	return s, nil
}

// URL checks the web address of a disclosure (its evidence): a line of
// at most MaxURL characters, http or https, with a host. "" is no address.
func URL(s string) (string, error) {
	s, err := Line(FieldURL, "网址", s, MaxURL)
	if err != nil || s == "" {
		return s, err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", Invalid(FieldURL, "网址 %q 无效：应为 http:// 或 https:// 开头、含网站域名的完整网址", s)
	}
	return s, nil
}

// Narrow reads what should be ASCII (a date, a number) as Chinese users
// type it: full-width digits, letters and punctuation (２０２６－１１－０２,
// ３, ＃１２) become their ASCII forms. Not for names: it would also turn
// 、 and 。 into their half-width forms.
func Narrow(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return width.Narrow.String(s)
		}
	}
	return s
}

// MaxAddress is the longest e-mail address accepted, name included.
const MaxAddress = 320

// Address checks one e-mail address as people type it ("a@b.cn" or
// "名字 <a@b.cn>"): one line, no unsafe character, at most MaxAddress
// characters, an address with an @ that net/mail reads. It returns it
// without the spaces around it.
func Address(field, s string) (string, error) {
	s, err := Line(field, "收件地址", s, MaxAddress)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", Invalid(field, "收件地址不能为空")
	}
	if a, err := mail.ParseAddress(s); err != nil || !strings.Contains(a.Address, "@") {
		return "", Invalid(field, "收件地址 %q 不是有效的电子邮件地址（如 officer@example.gov.cn）", s)
	}
	return s, nil
}
