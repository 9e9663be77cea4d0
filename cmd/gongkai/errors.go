package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/config"
	"gongkai/tracker"
)

// Exit statuses; the root command's help lists them.
const (
	exitOK       = 0
	exitFailure  = 1 // anything else
	exitInput    = 2 // bad usage or input, a login refused, a role that may not; nothing was written
	exitNotFound = 3 // matter, event or database not found
	exitBusy     = 4 // the database stayed locked by another process
)

const exitHelp = `退出状态：
  0  成功
  1  其他错误
  2  用法或输入有误、登录被拒或账号的角色不允许（未写入任何数据）
  3  找不到事项、事件或数据库
  4  数据库正被其他进程占用，请稍后重试`

// exitCodes maps the domain's error codes to exit statuses; a code not
// here (damage, a setup fault) is a failure.
var exitCodes = map[string]int{
	tracker.EInvalid:   exitInput,
	tracker.EConflict:  exitInput,
	tracker.EForbidden: exitInput,
	// Refused logins, and a password to change first.
	tracker.EUnauthenticated: exitInput,
	tracker.ELocked:          exitInput,
	tracker.EMustChange:      exitInput,
	tracker.ENotFound:        exitNotFound,
	tracker.EBusy:            exitBusy,
}

// fieldFlags names the options of fields that are not one flag of their
// own name; other fields are the flag of their name (as_of: --as-of) when
// the command has one, and otherwise are not named.
var fieldFlags = map[string]string{
	tracker.FieldKind:      "--formed 或 --changed",
	tracker.FieldChannels:  "--channel 或 --all",
	tracker.FieldAmendment: "--date、--matter、--summary 或 --ref",
	tracker.FieldDateRange: "--from 和 --to",
	tracker.FieldForce:     "加 --force",
}

// fieldLabels are the words a message about a field starts with; the flag
// goes right after them ("摘要 --summary 不能为空").
var fieldLabels = map[string][]string{
	tracker.FieldSummary:   {"摘要"},
	tracker.FieldDate:      {"公开日期", "日期"},
	tracker.FieldReason:    {"原因"},
	tracker.FieldChannel:   {"渠道"},
	tracker.FieldMatter:    {"事项"},
	tracker.FieldTo:        {"收件地址"},
	tracker.FieldAsOf:      {"报告日", "日期"},
	tracker.FieldFile:      {"备份文件"},
	tracker.FieldDueWithin: {"工作日数"},
	tracker.FieldRef:       {"文号"},
	tracker.FieldURL:       {"网址"},
	tracker.FieldNote:      {"备注"},
	tracker.FieldBy:        {"操作人"},
	tracker.FieldStatus:    {"状态"},
	tracker.FieldLevel1:    {"一级事项"},
	tracker.FieldText:      {"查找的文字"},
	tracker.FieldAction:    {"操作"},
	tracker.FieldActor:     {"操作人"},
	tracker.FieldRole:      {"角色"},
	tracker.FieldEmail:     {"收件地址"},
	tracker.FieldDisplay:   {"姓名"},
	tracker.FieldSection:   {"股室"},
}

// hints say what to do next on the command line; they follow the message
// as they are.
var hints = map[[2]string]string{
	{tracker.EUnauthenticated, tracker.FieldToken}: "（运行 gongkai login 登录）",
	{tracker.ENotFound, tracker.FieldDatabase}:     "：运行 gongkai init 创建（或用 --db 指定已有的数据库；使用办公室的服务器时，先运行 gongkai login --server 地址）",
	{tracker.ENotFound, tracker.FieldCatalog}:      "（运行 gongkai init）",
	{tracker.ENotFound, tracker.FieldEvent}:        "（用 gongkai events 查看已登记的事件）",
	{tracker.ENotFound, tracker.FieldMatter}:       "（用 gongkai matters --search 文字 查找）",
	{tracker.ENotFound, tracker.FieldMessage}:      "（用 gongkai outbox 查看）",
	{tracker.EConflict, tracker.FieldEvent}:        "（gongkai reopen EVENT --reason 原因）",
	{tracker.EConflict, tracker.FieldState}:        "（gongkai restore EVENT --reason 原因）",
}

// inputError is bad usage or input found by the command line itself, with
// a message for people.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &inputError{fmt.Sprintf(format, args...)}
}

// partialError means some lines of a batch were bad and were reported one by
// one; the others were answered.
type partialError struct{ bad int }

func (e *partialError) Error() string { return fmt.Sprintf("%d 行输入有误，见上", e.bad) }

// exitCode maps an error to the exit status and the message to print
// ("" when the error was already reported); c, when known, is the command
// that failed, whose flags name the fields of domain errors.
func exitCode(err error, c *cobra.Command) (int, string) {
	var (
		inErr    *inputError
		dateErr  *calendar.DateError
		rangeErr *calendar.RangeError
		impErr   *calendar.ImportError
		partial  *partialError
		cfgErr   *config.Error
	)
	switch {
	case err == nil:
		return exitOK, ""
	case errors.As(err, &partial):
		return exitInput, ""
	case errors.As(err, &inErr), errors.As(err, &dateErr), errors.As(err, &rangeErr), errors.As(err, &impErr), errors.As(err, &cfgErr):
		return exitInput, err.Error()
	}
	if de := tracker.AsError(err); de != nil {
		code, ok := exitCodes[de.Code]
		if !ok {
			code = exitFailure
		}
		return code, domainMessage(de, c)
	}
	// Whatever else reaches people is said in Chinese: a failure of the
	// system (a file, the network) with its own words in parentheses.
	if msg := err.Error(); hasChinese(msg) {
		return exitFailure, msg
	}
	return exitFailure, "操作失败：" + tracker.OSProblem(err)
}

// hasChinese reports whether s has a Chinese character: a message gongkai
// wrote, not one of the system's.
func hasChinese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// domainMessage renders a domain error for the command line: the flag of
// its field after the field's words, and a hint of what to do.
func domainMessage(de *tracker.Error, c *cobra.Command) string {
	msg := de.Message
	if flag := flagOf(de.Field, c); flag != "" {
		placed := false
		for _, label := range fieldLabels[de.Field] {
			if rest, ok := strings.CutPrefix(msg, label); ok {
				msg = label + " " + flag + " " + strings.TrimLeft(rest, " ")
				placed = true
				break
			}
		}
		if !placed {
			msg += "（" + flag + "）"
		}
	}
	// A hint never suggests the command that just failed.
	if h, ok := hints[[2]string{de.Code, de.Field}]; ok && !(c != nil && strings.Contains(h, "gongkai "+c.Name()+" ")) {
		msg += h
	}
	return msg
}

// flagOf returns the option that sets field in command c, or "".
func flagOf(field string, c *cobra.Command) string {
	if field == "" || c == nil {
		return ""
	}
	if f, ok := fieldFlags[field]; ok {
		return f
	}
	name := strings.ReplaceAll(field, "_", "-")
	if c.Flags().Lookup(name) != nil {
		return "--" + name
	}
	return "" // an argument (EVENT, MATTER): the message names its value
}

// report prints err for people and returns the exit status.
func report(w io.Writer, err error, c *cobra.Command) int {
	code, msg := exitCode(err, c)
	if msg != "" {
		fmt.Fprintf(w, "gongkai: %s\n", msg)
	}
	return code
}
