package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// importRows is n good rows of a ledger, matters in turn, dated back from
// the service's today.
func importRows(n int) []app.ImportRow {
	rows := make([]app.ImportRow, n)
	for i := range rows {
		rows[i] = app.ImportRow{Line: i + 2, Matter: fmt.Sprint(i%81 + 1), Kind: "变更",
			Date: day("2026-11-20").AddDays(-(i % 300)).String(), Summary: fmt.Sprintf("第 %d 项", i+1)}
		if i%3 == 0 {
			rows[i].Disclosed = []app.ImportDisclosure{{Channel: tracker.Web, Date: "2026-11-20", URL: fmt.Sprintf("https://www.zgq.gov.cn/%d", i)}}
		}
	}
	return rows
}

// Rows across many blocks of the check and of the write go in in the
// ledger's order, each event with the id the listing says.
func TestImportManyBlocks(t *testing.T) {
	svc, _, _, _ := newService(t)
	ctx := app.WithActor(context.Background(), "王专员")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	rows := importRows(3000)
	r, err := svc.ImportEvents(ctx, app.ImportEventsInput{File: "台账.csv", Rows: rows, List: true})
	if err != nil || r.Added != 3000 || len(r.Events) != 3000 {
		t.Fatalf("%v, %+v", err, r)
	}
	for _, i := range []int{0, 255, 256, 1023, 1024, 2999} {
		v := r.Events[i]
		d, err := svc.Event(ctx, app.EventRef{ID: v.ID})
		if err != nil || v.ID != uint64(i+1) || d.Event.Summary != rows[i].Summary || d.Event.Summary != v.Summary {
			t.Errorf("row %d listed as event %d (%q), stored as %+v, %v", i, v.ID, v.Summary, d, err)
		}
	}
}

// The database changing between the check and the write (an event logged
// that a row repeats) refuses the whole import: nothing is written.
func TestImportDatabaseChangedMeanwhile(t *testing.T) {
	svc, _, path, _ := newService(t)
	ctx := app.WithActor(context.Background(), "王专员")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	rows := importRows(3000)
	var before []byte
	in := app.ImportEventsInput{File: "台账.csv", Rows: rows, Progress: func(stage string, done, total int) {
		if stage == "check" && done == total && before == nil {
			// Between the check and the write: the row 2500 is logged.
			r := rows[2500]
			if _, err := svc.Log(ctx, app.LogInput{Matter: r.Matter, Kind: tracker.Changed, Date: day(r.Date), Summary: r.Summary}); err != nil {
				t.Fatal(err)
			}
			before, _ = os.ReadFile(path)
		}
	}}
	_, err := svc.ImportEvents(ctx, in)
	if tracker.ErrorCode(err) != tracker.EConflict || !strings.Contains(err.Error(), "导入时数据库有变化：第 2502 行：与已登记的事件 1 相同") {
		t.Fatalf("err = %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("a refused import wrote to the database")
	}
	list, err := svc.Events(ctx, app.EventQuery{})
	if err != nil || len(list.Events) != 1 {
		t.Errorf("events after the refusal: %d, %v", len(list.Events), err)
	}
}

// With nothing written between the check and the write, the events the
// check built are stored, stamped with the time the import began, events
// and audit entries alike; a write meanwhile that no row repeats has them
// built again, at the time of the write.
func TestImportTakesTheCheckedEvents(t *testing.T) {
	for _, meanwhile := range []bool{false, true} {
		c := &clocks{now: at("2026-11-20T10:00:00+08:00"), real: at("2026-11-20T10:00:00+08:00")}
		svc, _ := newLocal(t, c)
		rows := importRows(600)
		in := app.ImportEventsInput{File: "台账.csv", Rows: rows, Progress: func(stage string, done, total int) {
			if stage == "check" && done == total && c.now.Minute() == 0 {
				c.now = c.now.Add(time.Minute)
				if meanwhile {
					if _, err := svc.Log(ctx, app.LogInput{Matter: "1", Kind: tracker.Formed, Date: day("2026-11-19"), Summary: "另一件事"}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}}
		if r, err := svc.ImportEvents(ctx, in); err != nil || r.Added != 600 {
			t.Fatalf("meanwhile=%v: %v, %+v", meanwhile, err, r)
		}
		want := at("2026-11-20T10:00:00+08:00")
		id := uint64(1)
		if meanwhile {
			want, id = want.Add(time.Minute), 2
		}
		d, err := svc.Event(ctx, app.EventRef{ID: id + 599})
		if err != nil || d.Event.Summary != rows[599].Summary || !d.Event.LoggedAt.Equal(want) || !d.Event.History[0].At.Equal(want) {
			t.Errorf("meanwhile=%v: the last row's event %+v, %v: want it logged at %s", meanwhile, d, err, want)
		}
		list, err := svc.Audit(ctx, app.AuditQuery{Event: id + 599})
		if err != nil || len(list.Entries) != 1 || !list.Entries[0].At.Equal(want) {
			t.Errorf("meanwhile=%v: audit %+v, %v: want one entry at %s", meanwhile, list, err, want)
		}
	}
}

// A ledger imported twice is said so in a few lines, not one line a row;
// the other problems are still listed, and the count is of them all.
func TestImportTwice(t *testing.T) {
	svc, _, _, _ := newService(t)
	ctx := app.WithActor(context.Background(), "王专员")
	if _, err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	rows := importRows(300)
	if _, err := svc.ImportEvents(ctx, app.ImportEventsInput{File: "台账.csv", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	again := append(importRows(300), app.ImportRow{Line: 302, Matter: "1", Kind: "变更", Date: "2026-02-30", Summary: "新的一项"})
	r, err := svc.ImportEvents(ctx, app.ImportEventsInput{File: "台账.csv", Rows: again})
	if err == nil || !strings.Contains(err.Error(), "有 301 处问题") {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"第 2 行：与已登记的事件 1 相同", "第 3 行：与已登记的事件 2 相同", "第 4 行", "第 5 行", "第 6 行：与已登记的事件 5 相同",
		"第 302 行", "……第 2 行到第 301 行之间另有 295 行与已登记的事件相同：这个台账（或其中一部分）似乎已经导入过",
	}
	if len(r.Problems) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(r.Problems, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(r.Problems[i], w) {
			t.Errorf("problem %d = %q, want %q", i, r.Problems[i], w)
		}
	}
}
