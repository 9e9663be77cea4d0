package notify

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/tracker/web/browsertest"
)

// mailWidths are the widths mails are read at: Outlook's reading pane,
// and a wide window.
var mailWidths = []int{600, 1000}

// The HTML mails as a mail program shows them, in chromium at 600 and
// 1000 px: nothing wider than the window, no date, count of working days
// or column heading broken across lines. Each is screenshotted whole to
// screenshots/ (name-width.png).
func TestMailsInBrowser(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no HTML mails in testdata: %v", err)
	}
	b := browsertest.Start(t, 1000, 800)
	os.Remove(filepath.Join(browsertest.Dir(t), "weekly-600.png")) // this run's, not an earlier one's
	for _, path := range names {
		abs, err := filepath.Abs(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".html")
		for _, w := range mailWidths {
			ctx := browsertest.Tab(t, b)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), 800), chromedp.Navigate((&url.URL{Scheme: "file", Path: abs}).String())); err != nil {
				t.Fatalf("%s at %d px: %v", name, w, err)
			}
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow > 0 {
				t.Errorf("%s at %d px: %d px wider than the window", name, w, overflow)
			}
			// Every token that must not break — a date, a count of
			// working days, a column heading — takes one line box.
			broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](brokenTokens))
			if err != nil {
				t.Fatal(err)
			}
			if len(broken) > 0 {
				t.Errorf("%s at %d px: broken across lines: %q", name, w, broken)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG; less, a JPEG
			if err != nil {
				t.Fatal(err)
			}
			browsertest.Save(t, fmt.Sprintf("%s-%d", name, w), png)
		}
	}
	if _, err := os.Stat(filepath.Join(browsertest.Dir(t), "weekly-600.png")); err != nil {
		t.Errorf("no screenshot of the weekly report: %v", err)
	}
}

// brokenTokens lists the dates, counts of working days and table headings
// of the page that a line break cuts.
const brokenTokens = `(() => {
  const out = [];
  const pattern = /\d{4}-\d{2}-\d{2}(（星期.）)?|\d+ 个工作日|星期./g;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    for (const m of n.data.matchAll(pattern)) {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const tops = new Set(Array.from(r.getClientRects()).map(c => Math.round(c.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
  for (const th of document.querySelectorAll('th')) {
    const r = document.createRange();
    r.selectNodeContents(th);
    const tops = new Set(Array.from(r.getClientRects()).map(c => Math.round(c.top)));
    if (tops.size > 1) out.push(th.textContent);
  }
  return out;
})()`
