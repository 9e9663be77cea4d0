package ledger

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// Sample returns a ledger of n rows in format ("csv" or "xlsx"), with the
// template's headers: the events of the catalogue's matters in turn, dated
// back from today one day in seven, a third of them disclosed on every
// channel and a third on one. For tests and benchmarks, and to build large
// databases (a million events) with the import.
func Sample(cat *tracker.Catalog, n int, today calendar.Date, format string) ([]byte, error) {
	row := func(i int) []string {
		m := &cat.Matters[i%len(cat.Matters)]
		date := today.AddDays(-(i % 700))
		kind := "形成"
		if i%2 == 1 {
			kind = "变更"
		}
		cells := []string{strconv.Itoa(m.Seq), kind, date.String(), fmt.Sprintf("台账第 %d 项：调整办理材料", i+1),
			fmt.Sprintf("章人社字〔%d〕%d号", date.Year(), i+1), "张三"}
		on := date.AddDays(3)
		if on.After(today) {
			on = today
		}
		for j, c := range tracker.Channels {
			disclosed := i%3 == 0 || i%3 == 1 && j == 0
			if disclosed && slicesHas(m.Channels, c) {
				cells = append(cells, on.String(), fmt.Sprintf("https://www.zgq.gov.cn/xxgk/%d/%s", i+1, c))
			} else {
				cells = append(cells, "", "")
			}
		}
		return cells
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		w := csv.NewWriter(&buf)
		w.Write(Headers)
		for i := 0; i < n; i++ {
			w.Write(row(i))
		}
		w.Flush()
		return buf.Bytes(), w.Error()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return nil, err
		}
		vals := func(cells []string) []any {
			out := make([]any, len(cells))
			for i, c := range cells {
				out[i] = c
			}
			return out
		}
		if err := sw.SetRow("A1", vals(Headers)); err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, vals(row(i))); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
		if err := f.Write(&buf); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("format %q", format)
}

func slicesHas(cs []tracker.Channel, c tracker.Channel) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
