package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gongkai/calendar"
)

// BenchmarkCalendarAddMillion runs the built binary as a whole process on
// 1,000,000 dates from standard input, as a batch job would:
//
//	go test ./cmd/gongkai -run XXX -bench CalendarAddMillion -benchtime 5x
func BenchmarkCalendarAddMillion(b *testing.B) {
	for _, format := range []string{"tsv", "json"} {
		b.Run(format, func(b *testing.B) {
			benchAddProcess(b, format, 1_000_000)
		})
	}
}

func benchAddProcess(b *testing.B, format string, n int) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "gongkai")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var in bytes.Buffer
	start := calendar.DateOf(2007, 2, 1)
	for i := 0; i < n; i++ {
		in.Write(start.AddDays(i * 7919 % 33500).AppendFormat(nil))
		in.WriteByte('\n')
	}
	input := in.Bytes()
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "calendar", "add", "--days", "20", "--format", format)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GONGKAI_DB="+filepath.Join(dir, "none.db"))
		cmd.Stdin = bytes.NewReader(input)
		cmd.Stdout = io.Discard
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %s", err, stderr.Bytes())
		}
	}
}
