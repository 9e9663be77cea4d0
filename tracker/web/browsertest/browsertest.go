// Package browsertest starts Debian's chromium for the tests that look at
// gongkai's pages and mails as people do. Outside CI a test skips when no
// browser is found; in CI (CI=true) it fails.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Start starts a headless chromium at width×height for the test, ended
// with it.
func Start(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no browser found (chromium): .ci/run installs Debian's chromium")
		}
		t.Skip("no browser found: install chromium (apt-get install chromium fonts-noto-cjk) to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(width, height), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("disable-gpu", true))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Tab is a new tab of browser b with its own cookies (a new browser
// context), bounded in time.
func Tab(t testing.TB, b context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel2)
	return ctx
}

// Dir is where the tests leave their screenshots: GONGKAI_SCREENSHOTS, or
// the folder screenshots of the test's package, which git ignores.
func Dir(t testing.TB) string {
	dir := os.Getenv("GONGKAI_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Save writes a screenshot as name.png in Dir.
func Save(t testing.TB, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(Dir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
