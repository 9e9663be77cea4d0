package notify

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"gongkai/calendar"
	"gongkai/tracker"
)

// digestWorkbook lists every event of a digest in a spreadsheet that opens
// cleanly in Excel and WPS: dates as dates in yyyy-mm-dd, Chinese headers.
func digestWorkbook(d *tracker.Digest) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "提醒"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return nil, err
	}
	header := []any{"事件编号", "序号", "事项", "摘要", "类型", "日期", "公开期限", "暂估", "状态", "工作日", "待公开渠道"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return nil, err
	}
	for i, it := range d.Items {
		e := it.Event
		state := "剩余"
		if it.Overdue {
			state = "逾期"
		}
		row := []any{e.ID, e.Matter, e.MatterName, e.Summary, e.Kind.Name(), excelDate(e.Date), excelDate(e.Deadline),
			map[bool]string{true: "是", false: ""}[e.Provisional], state, it.Left, channelNames(e.Pending())}
		cell := fmt.Sprintf("A%d", i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return nil, err
		}
	}
	last := len(d.Items) + 1
	for _, col := range []string{"F", "G"} {
		if err := f.SetCellStyle(sheet, col+"2", fmt.Sprintf("%s%d", col, last), dateStyle); err != nil {
			return nil, err
		}
	}
	for col, w := range map[string]float64{"C": 48, "D": 36, "F": 12, "G": 12, "K": 36} {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// excelDate is a civil date as a spreadsheet serial (days since 1899-12-30).
func excelDate(d calendar.Date) float64 {
	return float64(d.Sub(calendar.DateOf(1899, 12, 30)))
}

func ptr[T any](v T) *T { return &v }
