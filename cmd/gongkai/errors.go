package main

import (
	"errors"
	"fmt"
	"io"

	"gongkai/calendar"
	"gongkai/config"
	"gongkai/tracker"
	"gongkai/tracker/boltstore"
)

// Exit statuses; the root command's help lists them.
const (
	exitOK       = 0
	exitFailure  = 1 // anything else
	exitInput    = 2 // bad usage or input; nothing was written
	exitNotFound = 3 // matter, event or database not found
	exitBusy     = 4 // the database stayed locked by another process
)

const exitHelp = `退出状态：
  0  成功
  1  其他错误
  2  用法或输入有误（未写入任何数据）
  3  找不到事项、事件或数据库
  4  数据库正被其他进程占用，请稍后重试`

// inputError is bad usage or input, with a message for people.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &inputError{fmt.Sprintf(format, args...)}
}

// busyError is a database whose lock another process kept too long.
type busyError struct{ path string }

func (e *busyError) Error() string {
	return fmt.Sprintf("数据库 %s 正被其他进程（如 gongkai serve）使用，%d 秒内未能取得，请稍后重试",
		e.path, int(boltstore.DefaultTimeout.Seconds()))
}

// partialError means some lines of a batch were bad and were reported one by
// one; the others were answered.
type partialError struct{ bad int }

func (e *partialError) Error() string { return fmt.Sprintf("%d 行输入有误，见上", e.bad) }

// exitCode maps an error to the exit status and the message to print
// ("" when the error was already reported).
func exitCode(err error) (int, string) {
	var (
		inErr    *inputError
		dateErr  *calendar.DateError
		rangeErr *calendar.RangeError
		impErr   *calendar.ImportError
		partial  *partialError
		busy     *busyError
		notFound *boltstore.NotFoundError
		openErr  *boltstore.OpenError
		cfgErr   *config.Error
	)
	switch {
	case err == nil:
		return exitOK, ""
	case errors.As(err, &partial):
		return exitInput, ""
	case errors.As(err, &inErr), errors.As(err, &dateErr), errors.As(err, &rangeErr), errors.As(err, &impErr):
		return exitInput, err.Error()
	case tracker.ErrorCode(err) == tracker.EInvalid, tracker.ErrorCode(err) == tracker.EConflict:
		return exitInput, err.Error()
	case tracker.ErrorCode(err) == tracker.ENotFound:
		return exitNotFound, err.Error()
	case errors.As(err, &notFound):
		return exitNotFound, fmt.Sprintf("数据库 %s 不存在：运行 gongkai init 创建（或用 --db 指定已有的数据库）", notFound.Path)
	case errors.As(err, &cfgErr):
		return exitInput, err.Error()
	case errors.As(err, &openErr):
		return exitInput, err.Error() // the file named is not one gongkai can use
	case errors.As(err, &busy):
		return exitBusy, err.Error()
	}
	return exitFailure, err.Error()
}

// report prints err for people and returns the exit status.
func report(w io.Writer, err error) int {
	code, msg := exitCode(err)
	if msg != "" {
		fmt.Fprintf(w, "gongkai: %s\n", msg)
	}
	return code
}
