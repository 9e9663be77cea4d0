package calendar

import (
	"testing"
	"time"
)

// benchDates spreads starts over 2024–2027, where deadlines are computed.
func benchDates() []Date {
	out := make([]Date, 1024)
	for i := range out {
		out[i] = DateOf(2024, 1, 1).AddDays(i * 1361 % 1461)
	}
	return out
}

func BenchmarkAddWorkdays(b *testing.B) {
	c := Default()
	ds := benchDates()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := c.AddWorkdays(ds[i&1023], 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorkdaysBetween(b *testing.B) {
	c := Default()
	ds := benchDates()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := c.WorkdaysBetween(ds[i&1023], ds[(i+7)&1023]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIsWorkday(b *testing.B) {
	c := Default()
	ds := benchDates()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := c.IsWorkday(ds[i&1023]); err != nil {
			b.Fatal(err)
		}
	}
}

// rickar/cal's own answer to the same question on the same calendar: the
// BusinessCalendar the index is compiled from, asked day by day.
func BenchmarkRickarWorkdaysFrom(b *testing.B) {
	benchRickar(b, false)
}

// The same with rickar/cal's holiday cache switched on.
func BenchmarkRickarWorkdaysFromCached(b *testing.B) {
	benchRickar(b, true)
}

func benchRickar(b *testing.B, cached bool) {
	c, err := New()
	if err != nil {
		b.Fatal(err)
	}
	bc := c.Business()
	bc.Cacheable = cached
	ds := benchDates()
	ts := make([]time.Time, len(ds))
	for i, d := range ds {
		ts[i] = d.midnightUTC()
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bc.WorkdaysFrom(ts[i&1023], 20)
	}
}

// BenchmarkNew is the cost of building the calendar, paid once per process.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDateBytes(b *testing.B) {
	in := []byte("2026-11-02")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDateBytes(in); err != nil {
			b.Fatal(err)
		}
	}
}
