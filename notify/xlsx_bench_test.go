package notify

import (
	"fmt"
	"testing"

	"gongkai/calendar"
	"gongkai/tracker"
)

// BenchmarkDigestWorkbook builds the workbook of a digest of 100,000
// events, the worst case of a reminder run on a million stored events:
//
//	go test ./notify -run XXX -bench DigestWorkbook -benchtime 3x
func BenchmarkDigestWorkbook(b *testing.B) {
	d := &tracker.Digest{Day: calendar.DateOf(2026, 11, 23)}
	for i := 0; i < 100000; i++ {
		e := &tracker.Event{ID: uint64(i + 1), Matter: 1 + i%81, MatterName: "社会保险参保登记 › 社会保险单位（项目）参保登记 › 机关事业单位参加社会保险登记",
			Summary: fmt.Sprintf("第%d号：调整办理材料和办理时限", i), Kind: tracker.Changed, Date: calendar.DateOf(2026, 3, 1), Deadline: calendar.DateOf(2026, 3, 30),
			Channels: []tracker.Channel{tracker.Web, tracker.Center, tracker.Grassroots}}
		d.Items = append(d.Items, tracker.DigestItem{Event: e, Left: 150, Overdue: true})
	}
	var size int
	for b.Loop() {
		x, err := digestWorkbook(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(x)
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}
