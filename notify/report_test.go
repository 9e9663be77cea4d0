package notify

import (
	"bytes"
	"strings"
	"testing"

	"gongkai/tracker"
)

// WeeklyAs gives each format as a file of that kind holds it; any other
// format is refused as bad input.
func TestWeeklyAs(t *testing.T) {
	ev := sampleEvents()
	r := &tracker.WeeklyReport{Day: day("2026-12-07"), From: day("2026-11-30"), To: day("2026-12-06"),
		Overdue: []tracker.ReportItem{{Event: ev[0], Days: 14}}, Overall: tracker.Rate{OnTime: 0, Total: 1}}
	for _, tc := range []struct {
		format, starts string
	}{
		{"text", "政务公开周报 · 截至 2026-12-07（星期一）\n"},
		{"html", "<!DOCTYPE html>"},
		{"xlsx", "PK\x03\x04"}, // a zip file
		{"csv", "\ufeff分组,事项,摘要,"},
	} {
		b, err := WeeklyAs(r, tc.format)
		if err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		if !bytes.HasPrefix(b, []byte(tc.starts)) {
			t.Errorf("%s begins %q, want %q", tc.format, b[:min(len(b), 40)], tc.starts)
		}
		if tc.format != "xlsx" && !strings.Contains(string(b), "2026年抚恤金标准调整") {
			t.Errorf("%s does not list the overdue event", tc.format)
		}
	}
	_, err := WeeklyAs(r, "pdf")
	if tracker.ErrorCode(err) != tracker.EInvalid || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("pdf: %v, want an invalid-input error naming it", err)
	}
}
