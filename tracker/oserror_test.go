package tracker

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The failures of files and of the network that reach people are said in
// Chinese, with the system's words kept in parentheses.
func TestOSProblem(t *testing.T) {
	dir := t.TempDir()
	_, notExist := os.ReadFile(filepath.Join(dir, "none"))
	_, isDir := os.ReadFile(dir)
	f := filepath.Join(dir, "f")
	os.WriteFile(f, nil, 0o600)
	_, notDir := os.ReadFile(filepath.Join(f, "x"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, refused := net.Dial("tcp", addr)
	dns := &net.DNSError{Err: "no such host", Name: "mail.invalid", IsNotFound: true}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{notExist, "文件或文件夹不存在"},
		{isDir, "这是一个文件夹"},
		{notDir, "路径中有一段是文件"},
		{&os.PathError{Op: "write", Path: f, Err: syscall.ENOSPC}, "磁盘空间不足"},
		{&os.PathError{Op: "open", Path: f, Err: os.ErrPermission}, "没有权限"},
		{refused, "对方拒绝连接"},
		{dns, "域名解析不到"},
		{errors.New("something new"), "系统错误"},
	} {
		if tc.err == nil {
			t.Fatalf("no error for %q", tc.want)
		}
		got := OSProblem(tc.err)
		if !strings.HasPrefix(got, tc.want) || !strings.HasSuffix(got, "（"+tc.err.Error()+"）") {
			t.Errorf("OSProblem(%v) = %q, want %q first and the original in parentheses", tc.err, got, tc.want)
		}
	}
	if OSProblem(nil) != "" {
		t.Error("nil is no problem")
	}
}
