package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mailpit starts a real, standalone mail server (Mailpit) on loopback ports
// and returns its SMTP port and HTTP API address. .ci/run installs it; on a
// developer's machine without it the test says how to get it and skips.
func mailpit(t *testing.T) (smtpPort int, api string) {
	t.Helper()
	bin, err := exec.LookPath("mailpit")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "mailpit")
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("mailpit is not installed, and CI must run this test: .ci/run installs it")
			}
			t.Skip("mailpit not installed: go install github.com/axllent/mailpit@v1.33.1")
		}
	}
	free := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	smtpPort, httpPort := free(), free()
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--disable-version-check",
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	api = fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)
	eventually(t, "mailpit to answer", func() bool {
		resp, err := http.Get(api + "/messages")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	return smtpPort, api
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

type mpAddress struct{ Name, Address string }

type mpMessage struct {
	ID          string
	MessageID   string
	Subject     string
	From        mpAddress
	To          []mpAddress
	Text        string
	HTML        string
	Attachments []struct{ FileName, ContentType string }
}

// End to end against Mailpit: a reminder digest and the weekly report go out
// by SMTP with AUTH, and come back decoded: Chinese subject and names,
// recipients, body, the HTML alternative and the .xlsx attachment.
func TestMailpitEndToEnd(t *testing.T) {
	port, api := mailpit(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gongkai.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`database = "g.db"
[smtp]
host = "127.0.0.1"
port = %d
tls = "none"
username = "gongkai"
password_env = "GONGKAI_SMTP_PASSWORD"
from = "政务公开提醒 <gongkai@example.gov.cn>"
[recipients]
officers = ["专员 <officer@example.gov.cn>"]
supervisors = ["分管领导 <leader@example.gov.cn>"]
`, port)), 0o600)
	vars := map[string]string{"GONGKAI_CONFIG": cfg, "GONGKAI_NOW": "2026-11-30T09:30:00+08:00", "GONGKAI_SMTP_PASSWORD": "s3cret"}
	for _, args := range [][]string{
		{"init"},
		{"log", "71", "--formed", "--summary", "抚恤金标准调整", "--date", "2026-10-20"},
		{"config", "check", "--probe-smtp"},
		{"remind"},
		{"report", "weekly", "--send"},
	} {
		if code, out, stderr := runIn(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, stderr)
		}
	}

	var list struct {
		Messages []struct{ ID string } `json:"messages"`
	}
	eventually(t, "four messages in Mailpit", func() bool {
		getJSON(t, api+"/messages", &list)
		return len(list.Messages) == 4
	})
	byKey := map[string]mpMessage{}
	for _, m := range list.Messages {
		var full mpMessage
		getJSON(t, api+"/message/"+m.ID, &full)
		checkMailHTML(t, api, m.ID, full.Subject)
		kind := "digest"
		if strings.HasPrefix(full.Subject, "【政务公开周报】") {
			kind = "report"
		}
		byKey[kind+" "+full.To[0].Address] = full
	}
	digest := byKey["digest officer@example.gov.cn"]
	if digest.Subject != "【政务公开提醒】1项已逾期" || digest.To[0].Name != "专员" || digest.From.Name != "政务公开提醒" ||
		!strings.Contains(digest.Text, "工伤保险服务 › 供养亲属抚恤金申领（事件 1）") || !strings.HasSuffix(digest.MessageID, "@example.gov.cn") ||
		!strings.Contains(digest.HTML, "供养亲属抚恤金申领") {
		t.Errorf("digest: %+v", digest)
	}
	if esc := byKey["digest leader@example.gov.cn"]; esc.Subject != "【政务公开督办】新增督办1项" || esc.To[0].Name != "分管领导" {
		t.Errorf("escalation: %+v", esc)
	}
	report := byKey["report leader@example.gov.cn"]
	if report.Subject != "【政务公开周报】2026-11-30：1项已逾期、0项即将到期" || !strings.Contains(report.HTML, "一、已逾期（1 项，逾期最久的在前）") ||
		!strings.Contains(report.Text, "上周按时公开率：—（上周无到期事项") || len(report.Attachments) != 1 ||
		report.Attachments[0].FileName != "政务公开周报-2026-11-30.xlsx" || !strings.Contains(report.Attachments[0].ContentType, "spreadsheetml") {
		t.Errorf("report: subject %q, %d attachments %+v", report.Subject, len(report.Attachments), report.Attachments)
	}
}

// checkMailHTML asks Mailpit how well the mail programs people use
// (Outlook, Foxmail's engine, Gmail, Apple Mail …, by caniemail.com's
// data) support a message's HTML: nearly all of it, and nothing of what
// breaks a layout where unsupported (style sheets, flex or grid boxes,
// positioning, SVG, web fonts).
func checkMailHTML(t *testing.T, api, id, subject string) {
	t.Helper()
	var check struct {
		Total    struct{ Supported, Unsupported float64 }
		Warnings []struct {
			Slug  string
			Score struct{ Found int }
		}
	}
	getJSON(t, api+"/message/"+id+"/html-check", &check)
	if check.Total.Supported < 85 || check.Total.Unsupported > 6 {
		t.Errorf("%s: HTML %.1f%% supported, %.1f%% unsupported by mail programs; want at least 85%% and at most 6%%", subject, check.Total.Supported, check.Total.Unsupported)
	}
	for _, w := range check.Warnings {
		switch w.Slug {
		case "html-style", "html-link", "html-svg", "image-svg", "css-display-flex", "css-display-grid", "css-position", "css-at-font-face", "html-script":
			t.Errorf("%s: uses %s (%d times), which mail programs drop", subject, w.Slug, w.Score.Found)
		}
	}
}

// eventually polls an outside process (the mail server) until cond holds,
// failing after a generous limit.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
