package main

import (
	"os"
	"path/filepath"
	"testing"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/ledger"
)

// BenchmarkImportEvents imports a ledger of GONGKAI_BENCH_ROWS rows
// (default 100,000) into a fresh database, in-process, from CSV and from
// .xlsx (goal: a million rows in under 60 s):
//
//	GONGKAI_BENCH_ROWS=1000000 go test ./cmd/gongkai -run XXX -bench ImportEvents -benchtime 1x -timeout 30m
func BenchmarkImportEvents(b *testing.B) {
	n := benchEnv("GONGKAI_BENCH_ROWS", 100_000)
	today := calendar.DateOf(2026, 11, 20)
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			data, err := ledger.Sample(tracker.EmbeddedCatalog(), n, today, format)
			if err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			file := filepath.Join(dir, "台账."+format)
			if err := os.WriteFile(file, data, 0o600); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				db := filepath.Join(dir, "g.db")
				os.Remove(db)
				vars := map[string]string{"GONGKAI_DB": db, "GONGKAI_NOW": "2026-11-20T10:00:00+08:00"}
				if code, _, stderr := runIn(b, vars, "init"); code != 0 {
					b.Fatal(stderr)
				}
				b.StartTimer()
				if code, _, stderr := runIn(b, vars, "import", "events", file); code != 0 {
					b.Fatalf("exit %d: %.2000s", code, stderr)
				}
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
