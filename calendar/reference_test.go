package calendar

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// referenceDir holds the official schedules as published data, beside the
// checkout (shared/reference); GONGKAI_REFERENCE may point elsewhere. The
// tests fail rather than skip when it is missing, so that CI cannot pass
// without checking every day.
func referenceDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("GONGKAI_REFERENCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(dir, "holiday-cn", "2026.json")); err != nil {
		t.Fatalf("reference data not found in %s (set GONGKAI_REFERENCE): %v", dir, err)
	}
	return dir
}

// referenceFiles lists the JSON reference of every year 2007–2027.
func referenceFiles(t testing.TB) map[int]string {
	dir := referenceDir(t)
	files := map[int]string{}
	for y := 2007; y <= 2026; y++ {
		files[y] = filepath.Join(dir, "holiday-cn", fmt.Sprintf("%d.json", y))
	}
	files[2027] = filepath.Join(dir, "2027-schedule.json")
	return files
}

type refDay struct {
	name string
	off  bool
}

// referenceDays reads the reference JSON files directly, with no code of
// this package, into what each named day is. Years are applied in order so
// that a later notice decides a late-December day.
func referenceDays(t testing.TB) map[Date]refDay {
	var raw struct {
		Days []struct {
			Name     string `json:"name"`
			Date     string `json:"date"`
			IsOffDay bool   `json:"isOffDay"`
		} `json:"days"`
	}
	files := referenceFiles(t)
	out := map[Date]refDay{}
	for y := 2007; y <= 2027; y++ {
		b, err := os.ReadFile(files[y])
		if err != nil {
			t.Fatal(err)
		}
		raw.Days = nil
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s: %v", files[y], err)
		}
		for _, d := range raw.Days {
			tt, err := time.Parse(time.DateOnly, d.Date)
			if err != nil {
				t.Fatalf("%s: %v", files[y], err)
			}
			out[DateOf(tt.Year(), tt.Month(), tt.Day())] = refDay{d.Name, d.IsOffDay}
		}
	}
	return out
}

// Every day from 2007-01-01 to 2027-12-31: working or not, and the holiday's
// name, exactly as the reference data says; zero mismatches.
func TestEveryDayAgainstReference(t *testing.T) {
	ref := referenceDays(t)
	c := Default()
	last := DateOf(2027, 12, 31)
	mismatches, days := 0, 0
	for d := FirstDate; !d.After(last); d = d.AddDays(1) {
		days++
		want, named := ref[d]
		wantWork := !d.IsWeekend()
		if named {
			wantWork = !want.off
		}
		got, err := c.Day(d)
		if err != nil {
			t.Fatal(err)
		}
		ok := got.Workday() == wantWork
		if named && (want.off || d.IsWeekend()) {
			ok = ok && got.Name == want.name
			if want.off {
				ok = ok && got.Kind == DayOff
			} else if d.IsWeekend() {
				ok = ok && got.Kind == Makeup
			}
		}
		if !ok {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("%s %s: got %s %q, reference %+v (named %v)", d, d.Weekday(), got.Kind, got.Name, want, named)
			}
		}
	}
	if mismatches > 0 {
		t.Fatalf("%d of %d days disagree with the reference", mismatches, days)
	}
	t.Logf("%d days 2007-01-01..2027-12-31 agree with the reference", days)
}

// The import of every reference file succeeds, in both formats, and the
// JSON and iCalendar versions of each year say the same thing about every
// day, which is also what the embedded schedule says.
func TestReferenceImportsAgree(t *testing.T) {
	dir := referenceDir(t)
	embedded := map[int]Schedule{}
	for _, s := range Embedded() {
		embedded[s.Year] = s
	}
	var imported []Schedule
	for y, path := range referenceFiles(t) {
		js := mustImport(t, path)
		if js.Year != y {
			t.Errorf("%s: year %d, want %d", path, js.Year, y)
		}
		if got, want := dayMap(js), dayMap(embedded[y]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d: JSON import and embedded schedule differ:\n%v\n%v", y, got, want)
		}
		imported = append(imported, js)
		if y == 2027 {
			continue // no iCalendar version
		}
		ics := mustImport(t, filepath.Join(dir, "holiday-cn-ics", fmt.Sprintf("%d.ics", y)))
		if ics.Year != y {
			t.Errorf("%d.ics: year %d", y, ics.Year)
		}
		if got, want := offMap(ics), offMap(js); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d: iCalendar and JSON imports differ:\n%v\n%v", y, got, want)
		}
	}
	// A calendar of imports alone answers as the embedded one, every day.
	c, err := New(imported...)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	for d := FirstDate; !d.After(LastDate); d = d.AddDays(1) {
		a, _ := c.Day(d)
		b, _ := def.Day(d)
		if a.Kind != b.Kind || a.Name != b.Name || a.Provisional != b.Provisional {
			t.Fatalf("%s: imported calendar %+v, embedded %+v", d, a, b)
		}
	}
}

func mustImport(t *testing.T, path string) Schedule {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := ParseImport(path, b)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	if s.Origin != OriginImported || s.File != filepath.Base(path) {
		t.Errorf("import %s: origin %q file %q", path, s.Origin, s.File)
	}
	return s
}

func dayMap(s Schedule) map[string]string {
	m := map[string]string{}
	for _, d := range s.Days {
		m[d.Date.String()] = fmt.Sprintf("%s/%v", d.Name, d.Off)
	}
	return m
}

func offMap(s Schedule) map[string]bool {
	m := map[string]bool{}
	for _, d := range s.Days {
		m[d.Date.String()] = d.Off
	}
	return m
}

// The rickar/cal business calendar that the index is compiled from gives the
// same answer as the index on every day of the range.
func TestIndexAgreesWithBusinessCalendar(t *testing.T) {
	c := Default()
	bc := c.Business()
	for d := FirstDate; !d.After(LastDate); d = d.AddDays(1) {
		y, m, dd := d.Civil()
		want := bc.IsWorkday(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC))
		got, err := c.IsWorkday(d)
		if err != nil || got != want {
			t.Fatalf("%s: index says %v (%v), rickar/cal says %v", d, got, err, want)
		}
	}
}
