package tracker

import (
	"testing"
	"time"
)

func TestMessageStateText(t *testing.T) {
	next := time.Date(2026, 11, 30, 1, 5, 0, 0, time.UTC) // 09:05 in Shanghai
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{State: Queued}, "待发"},                                           // never tried
		{Message{State: Queued, Attempts: 2, NextTry: next}, "待重试（11-30 09:05）"}, // failed, retried later
		{Message{State: Sending, Attempts: 1}, "发送中"},
		{Message{State: Sent, Attempts: 1}, "已发"},
		{Message{State: Failed, Attempts: 3}, "失败"},
	} {
		if got := tc.m.StateText(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestMessageLastTime(t *testing.T) {
	created := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	sent := created.Add(time.Hour)
	if got := (&Message{Created: created}).LastTime(); !got.Equal(created) {
		t.Errorf("queued: %v, want the time it was queued", got)
	}
	if got := (&Message{Created: created, SentAt: sent}).LastTime(); !got.Equal(sent) {
		t.Errorf("sent: %v, want the time it was sent", got)
	}
}
