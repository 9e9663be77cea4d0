package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/boltstore"
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
	bin := buildBinary(b)
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

// BenchmarkLogProcess is one `gongkai log` as a whole process on an
// initialised database (goal: under 50 ms):
//
//	go test ./cmd/gongkai -run XXX -bench LogProcess -benchtime 50x
func BenchmarkLogProcess(b *testing.B) {
	dir := b.TempDir()
	bin := buildBinary(b)
	env := append(os.Environ(), "GONGKAI_DB="+filepath.Join(dir, "g.db"), "GONGKAI_NOW=2026-11-20T10:00:00+08:00")
	run := func(args ...string) {
		c := exec.Command(bin, args...)
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("init")
	b.ResetTimer()
	for b.Loop() {
		run("log", "3", "--changed", "--summary", "调整参保登记办理材料", "--date", "2026-11-02", "--by", "张三")
	}
}

// BenchmarkEventsOverdue lists the overdue events as JSON, as a whole
// process, from a database of 100,000 events of which 10% are open (goal:
// under 300 ms); it also reports the database's bytes per event (goal:
// under 2 KiB), audit log included:
//
//	go test ./cmd/gongkai -run XXX -bench EventsOverdue -benchtime 10x
func BenchmarkEventsOverdue(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "g.db")
	const n = 100_000
	fillEvents(b, path, n)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	bin := buildBinary(b)
	env := append(os.Environ(), "GONGKAI_DB="+path, "GONGKAI_NOW=2026-11-20T10:00:00+08:00")
	b.ResetTimer()
	var size int
	for b.Loop() {
		c := exec.Command(bin, "events", "--overdue", "--format", "json")
		c.Env = env
		out, err := c.Output()
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(fi.Size())/n, "db-bytes/event")
	b.ReportMetric(float64(size), "json-bytes")
}

// BenchmarkVerify runs `gongkai check` and `gongkai audit verify`, as
// whole processes, on a database of 100,000 events (about 190,000 audit
// entries): every entry's hash, and every event against its last entry:
//
//	go test ./cmd/gongkai -run XXX -bench Verify -benchtime 3x
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "g.db")
	fillEvents(b, path, 100_000)
	bin := buildBinary(b)
	for _, args := range [][]string{{"check"}, {"audit", "verify"}} {
		b.Run(args[0], func(b *testing.B) {
			for b.Loop() {
				c := exec.Command(bin, args...)
				c.Env = append(os.Environ(), "GONGKAI_DB="+path)
				if out, err := c.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", args, err, out)
				}
			}
		})
	}
}

// fillEvents logs n events through the same operations as the CLI, in
// transactions of 5,000, and closes nine in ten with a disclosure, on a
// clock that is taken for the machine's: nothing is simulated.
func fillEvents(b *testing.B, path string, n int) { fillEventsOpen(b, path, n, 10) }

// fillEventsOpen is fillEvents with openPct events in a hundred left open.
func fillEventsOpen(b *testing.B, path string, n, openPct int) {
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cal := calendar.Default()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, calendar.Shanghai)
	clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: "张三"}
	cat := tracker.EmbeddedCatalog()
	for done := 0; done < n; {
		err := s.Update(func(tx tracker.Tx) error {
			ops := &tracker.Ops{Tx: tx, Cal: cal, Clock: clk, RealNow: func() time.Time { return now }}
			if _, err := ops.Init(cat); err != nil {
				return err
			}
			for i := 0; i < 5000 && done < n; i, done = i+1, done+1 {
				date := calendar.DateOf(2026, 1, 5).AddDays(done % 300)
				ev, err := ops.Log(fmt.Sprint(1+done%81), tracker.LogRequest{Kind: tracker.Changed, Date: date,
					Summary: fmt.Sprintf("第%d号：调整办理材料和办理时限", done), Ref: "章人社字〔2026〕8号"})
				if err != nil {
					return err
				}
				if done%100 >= openPct {
					if _, err := ops.Disclose(ev.ID, nil, true, date.AddDays(3), "https://www.zgq.gov.cn/xxgk/"+fmt.Sprint(done), ""); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRemindAndReport runs, as whole processes on a copy of a database
// of 100,000 events of which 10% are open (all of them overdue: the worst
// case for a digest), a reminder run and the weekly report sent, each
// writing its messages as .eml files (goal: each under 1 s and 300 MiB):
//
//	go test ./cmd/gongkai -run XXX -bench RemindAndReport -benchtime 3x
func BenchmarkRemindAndReport(b *testing.B) {
	dir := b.TempDir()
	filled := filepath.Join(dir, "filled.db")
	fillEvents(b, filled, 100_000)
	bin := buildBinary(b)
	cfg := filepath.Join(dir, "gongkai.toml")
	os.WriteFile(cfg, []byte("outbox_dir = \"outbox\"\n[recipients]\nofficers = [\"officer@example.gov.cn\"]\nsupervisors = [\"leader@example.gov.cn\"]\n"), 0o600)
	for _, job := range []struct {
		name string
		args []string
	}{{"remind", []string{"remind"}}, {"report", []string{"report", "weekly", "--send"}}} {
		b.Run(job.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := filepath.Join(dir, "run.db")
				data, err := os.ReadFile(filled)
				if err != nil {
					b.Fatal(err)
				}
				os.WriteFile(db, data, 0o600)
				os.RemoveAll(filepath.Join(dir, "outbox"))
				b.StartTimer()
				c := exec.Command(bin, job.args...)
				c.Dir = dir
				c.Env = append(os.Environ(), "GONGKAI_CONFIG="+cfg, "GONGKAI_DB="+db, "GONGKAI_NOW=2026-11-23T09:00:00+08:00")
				if out, err := c.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}
