package main

import (
	"io"
	"testing"
)

func BenchmarkZZList(b *testing.B) {
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string {
		return map[string]string{"GONGKAI_DB": "/tmp/fill.db", "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}[k]
	}}
	for b.Loop() {
		if err := runEvents(e, eventsOptions{overdue: true, format: "json", dueWithin: -1}); err != nil {
			b.Fatal(err)
		}
	}
}
