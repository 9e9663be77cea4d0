package notify

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// sheet is one worksheet: a header row, then rows; columns listed in
// dateCols hold dates, shown as yyyy-mm-dd (the built-in date format is
// ambiguous across locales).
type sheet struct {
	name     string
	header   []string
	rows     [][]any
	dateCols map[int]bool
	widths   map[int]float64 // 1-based column → width
}

// workbook writes sheets with excelize's stream writer, which stays fast
// for tens of thousands of rows, and opens cleanly in Excel and WPS.
func workbook(sheets []sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip)
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return nil, err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(s.name)
		if err != nil {
			return nil, err
		}
		for col, w := range s.widths {
			if err := sw.SetColWidth(col, col, w); err != nil {
				return nil, err
			}
		}
		head := make([]any, len(s.header))
		for j, h := range s.header {
			head[j] = h
		}
		if err := sw.SetRow("A1", head); err != nil {
			return nil, err
		}
		for r, row := range s.rows {
			cells := make([]any, len(row))
			for j, v := range row {
				if s.dateCols[j] {
					cells[j] = excelize.Cell{StyleID: dateStyle, Value: v}
				} else {
					cells[j] = v
				}
			}
			if err := sw.SetRow(fmt.Sprintf("A%d", r+2), cells); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fastZip deflates a workbook's parts at the fastest level: the XML of a
// large sheet compresses nearly as well as at the default level, in half
// the time.
func fastZip(w io.Writer) excelize.ZipWriter {
	z := zip.NewWriter(w)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	return z
}

// digestWorkbook lists every event of a digest.
func digestWorkbook(d *tracker.Digest) ([]byte, error) {
	s := sheet{
		name:     "提醒",
		header:   []string{"事件编号", "序号", "事项", "摘要", "类型", "日期", "公开期限", "暂估", "状态", "工作日", "待公开渠道"},
		dateCols: map[int]bool{5: true, 6: true},
		widths:   map[int]float64{3: 48, 4: 36, 6: 12, 7: 12, 11: 36},
	}
	for _, it := range d.Items {
		e := it.Event
		state := "剩余"
		if it.Overdue {
			state = "逾期"
		}
		prov := ""
		if e.Provisional {
			prov = "是"
		}
		s.rows = append(s.rows, []any{e.ID, e.Matter, e.MatterName, e.Summary, e.Kind.Name(), excelDate(e.Date), excelDate(e.Deadline),
			prov, state, it.Left, tracker.ChannelNames(e.Pending())})
	}
	return workbook([]sheet{s})
}

// excelDate is a civil date as a spreadsheet serial (days since 1899-12-30).
func excelDate(d calendar.Date) float64 {
	return float64(d.Sub(calendar.DateOf(1899, 12, 30)))
}

func ptr[T any](v T) *T { return &v }
