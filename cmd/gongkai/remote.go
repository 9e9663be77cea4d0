package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"gongkai/config"
	"gongkai/tracker"
	"gongkai/tracker/api"
	"gongkai/tracker/atomic"
)

// envServer names the server the CLI works against.
const envServer = "GONGKAI_SERVER"

// Where a command's operations run.
type targetKind int

const (
	targetFile   targetKind = iota // the database file, opened for each operation
	targetSocket                   // the server on this machine, through its socket
	targetServer                   // a server over HTTP(S), as a logged-in account
)

// target is where the operations of this command run.
type target struct {
	kind   targetKind
	server string // targetServer: its address; targetSocket: the socket's path
	token  string
}

// credentials are what gongkai login keeps in the user's configuration
// folder: a token per server, and the server used last.
type credentials struct {
	Default string                `json:"default"`
	Servers map[string]credential `json:"servers"`
}

type credential struct {
	Account string    `json:"account"`
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

// configHome is the user's configuration folder, as os.UserConfigDir
// finds it, read through e.getenv (tests set it).
func (e *env) configHome() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := e.getenv("AppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%AppData% 未设置")
	case "darwin":
		if h := e.getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
		return "", errors.New("$HOME 未设置")
	}
	if d := e.getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	if h := e.getenv("HOME"); h != "" {
		return filepath.Join(h, ".config"), nil
	}
	return "", errors.New("$XDG_CONFIG_HOME 和 $HOME 都未设置")
}

func (e *env) credentialsPath() (string, error) {
	home, err := e.configHome()
	if err != nil {
		return "", &tracker.Error{Code: tracker.EUnavailable, Field: api.FieldServer, Err: err,
			Message: "找不到保存登录凭据的文件夹：" + err.Error()}
	}
	return filepath.Join(home, "gongkai", "credentials.json"), nil
}

// loadCredentials reads the stored logins; none is no error.
func (e *env) loadCredentials() (*credentials, error) {
	c := &credentials{Servers: map[string]credential{}}
	path, err := e.credentialsPath()
	if err != nil {
		return c, nil // nowhere to keep them: nobody has logged in
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, &tracker.Error{Code: tracker.EUnavailable, Field: api.FieldServer, Err: err,
			Message: fmt.Sprintf("登录凭据文件 %s 无法读取：%s", path, tracker.OSProblem(err))}
	}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, &tracker.Error{Code: tracker.EInvalid, Field: api.FieldServer, Err: err,
			Message: fmt.Sprintf("登录凭据文件 %s 已损坏：请删除它，再运行 gongkai login", path)}
	}
	if c.Servers == nil {
		c.Servers = map[string]credential{}
	}
	return c, nil
}

// saveCredentials writes the stored logins, readable by the user only.
func (e *env) saveCredentials(c *credentials) error {
	path, err := e.credentialsPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &tracker.Error{Code: tracker.EUnavailable, Field: api.FieldServer, Err: err,
			Message: fmt.Sprintf("无法建立文件夹 %s：%s", filepath.Dir(path), tracker.OSProblem(err))}
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := atomic.Write(path, 0o600, true, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return &tracker.Error{Code: tracker.EUnavailable, Field: api.FieldServer, Err: err,
			Message: fmt.Sprintf("无法保存登录凭据到 %s：%s", path, tracker.OSProblem(err))}
	}
	return nil
}

// normalServer checks a server's address and writes it one way:
// scheme://host[:port], no path; a bare host means https.
func normalServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", inputErrorf("服务器地址不能为空")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", inputErrorf("服务器地址 %q 无效：应为 https://主机名[:端口]，如 https://gongkai.example.gov.cn", s)
	}
	// Passwords and tokens never cross the network in clear: plain HTTP
	// only to this machine.
	if u.Scheme == "http" && !config.IsLoopback(u.Hostname()) {
		return "", inputErrorf("服务器地址 %q 用的是 http：密码和登录凭据会以明文在网络上传输；请用 https://（本机的服务器才可用 http）", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// target finds where this command's operations run: the server named by
// --server or GONGKAI_SERVER; else the server running on this machine,
// through the socket beside the database; else the server last logged in
// to; else the database file itself.
func (e *env) target() (*target, error) {
	if e.tgt != nil {
		return e.tgt, nil
	}
	t, err := e.findTarget()
	if err != nil {
		return nil, err
	}
	e.tgt = t
	return t, nil
}

func (e *env) findTarget() (*target, error) {
	named := e.serverFlag
	if named == "" {
		named = e.getenv(envServer)
	}
	creds, err := e.loadCredentials()
	if err != nil {
		return nil, err
	}
	if named != "" {
		s, err := normalServer(named)
		if err != nil {
			return nil, err
		}
		return &target{kind: targetServer, server: s, token: creds.Servers[s].Token}, nil
	}
	sock := socketPath(e.dbPath())
	if fi, err := os.Stat(sock); err == nil && fi.Mode()&fs.ModeSocket != 0 {
		c, err := net.DialTimeout("unix", sock, 2*time.Second)
		switch {
		case err == nil:
			c.Close()
			return &target{kind: targetSocket, server: sock}, nil
		case errors.Is(err, fs.ErrPermission):
			// The server runs, and holds the file: this user may not
			// use its socket (only the server's user may).
			return nil, &tracker.Error{Code: tracker.EForbidden, Field: tracker.FieldDatabase, Err: err,
				Message: fmt.Sprintf("服务器正在运行（套接字 %s），当前用户无权使用它：请以运行服务器的用户执行（如 sudo -u gongkai gongkai …），或用 gongkai login 登录服务器", sock)}
		}
		// A socket left by a server that is gone: the file, then.
	}
	if e.dbFlag == "" && e.getenv(envDB) == "" && creds.Default != "" {
		if cr, ok := creds.Servers[creds.Default]; ok {
			return &target{kind: targetServer, server: creds.Default, token: cr.Token}, nil
		}
	}
	return &target{kind: targetFile}, nil
}

// client returns the API client of a remote target.
func (t *target) client() *api.Client {
	if t.kind == targetSocket {
		return api.NewSocketClient(t.server)
	}
	return &api.Client{Base: t.server, Token: t.token}
}

// hostLabel names this desk for the tokens list.
func hostLabel() string {
	h, _ := os.Hostname()
	if h == "" {
		h = "未知主机"
	}
	return fmt.Sprintf("%s（%s）", h, runtime.GOOS)
}
