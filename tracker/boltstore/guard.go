package boltstore

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
)

// guarded runs fn, in which bbolt reads the file at path. On a damaged
// file bbolt panics when a page does not read as it should (its header
// names another page, its type is unknown, the freelist is garbage), and
// a page that points past the end of a truncated file faults: either is
// returned as a tracker.EDamaged error naming the file, not a crash. A
// panic raised outside bbolt that is not such a fault is a bug, and stays
// one.
func guarded(path string, fn func() error) (err error) {
	if p := caught(func() { err = fn() }); p != nil {
		return damagedFile(path, p)
	}
	return err
}

// caught runs fn and returns what a damaged file made it panic with (see
// guarded); nil when it returned.
func caught(fn func()) (p any) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p = recover(); p != nil && !fromDamage(p) {
			panic(p)
		}
	}()
	fn()
	return nil
}

// view is s.db.View, guarded.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return guarded(s.path, func() error { return s.db.View(fn) })
}

// batch is s.db.Batch, guarded: fn may share its transaction with other
// goroutines' and run more than once.
func (s *Store) batch(fn func(*bolt.Tx) error) error {
	return guarded(s.path, func() error { return s.db.Batch(fn) })
}

// update is s.db.Update, guarded: a panic rolls the transaction back.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return guarded(s.path, func() error { return s.db.Update(fn) })
}

// fromDamage reports whether a recovered panic comes from the file: a
// fault reading its mapping, or a panic raised by bbolt itself. Called in
// the deferred function, it sees the panicking frames.
func fromDamage(p any) bool {
	if _, ok := p.(interface{ Addr() uintptr }); ok {
		return true // a fault at an address: a page past the end of the file
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// damagedFile is the error of a file that bbolt could not read.
func damagedFile(path string, p any) error {
	return &tracker.Error{Code: tracker.EDamaged, Field: tracker.FieldDatabase,
		Message: fmt.Sprintf("数据库 %s 已损坏：%s，请从备份恢复（%v）", path, pageTrouble(p), p)}
}

var (
	pageIDRE    = regexp.MustCompile(`Page expected to be: (\d+), but self identifies as (\d+)`)
	pageTypeRE  = regexp.MustCompile(`page (\d+): (?:has unexpected type|invalid type)`)
	invalidPgRE = regexp.MustCompile(`invalid page type: (\d+)`)
	aboveRE     = regexp.MustCompile(`above high water mark|out of bounds`)
	unreachRE   = regexp.MustCompile(`page (\d+): unreachable unfreed`)
	freedRE     = regexp.MustCompile(`page (\d+): (?:already freed|multiple references)`)
)

// pageTrouble says in Chinese what bbolt found wrong with a page: p is a
// panic of bbolt's, or an error of its consistency check.
func pageTrouble(p any) string {
	if _, ok := p.(interface{ Addr() uintptr }); ok {
		return "有页面指向文件末尾之外，文件可能被截短了"
	}
	s := fmt.Sprint(p)
	if m := pageIDRE.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("第 %s 页的页头写着第 %s 页，该页已被覆盖", m[1], m[2])
	}
	for _, re := range []*regexp.Regexp{pageTypeRE, invalidPgRE} {
		if m := re.FindStringSubmatch(s); m != nil {
			return fmt.Sprintf("第 %s 页的类型标记不对，该页已被覆盖", m[1])
		}
	}
	switch {
	case strings.Contains(s, "freelist"):
		return "空闲页列表（freelist）无法读取"
	case aboveRE.MatchString(s):
		return "有页号超出了文件的范围"
	}
	if m := unreachRE.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("第 %s 页既未使用也未登记为空闲", m[1])
	}
	if m := freedRE.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("第 %s 页被重复使用或重复释放", m[1])
	}
	return "有页面无法按格式读取"
}
