package ledger

import (
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"gongkai/tracker"
)

// templateRows is how many rows of the template carry its checks (the
// drop-down lists and the date rule); more can be added by copying a row.
const templateRows = 5000

// Template returns an empty ledger as a workbook: the headers Read finds,
// a drop-down list of the catalogue's matters on 事项 (from a second
// sheet that lists them), of 形成 and 变更 on 类型, and a date rule on the
// date columns, so that what the office types is what the import takes.
func Template(cat *tracker.Catalog) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet, list = "台账", "事项目录"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(list); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	dateFmt := "yyyy-mm-dd"
	dates, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return nil, err
	}
	// The matters: 序号, names, and the text the drop-down offers.
	for i, h := range []string{"序号", "一级事项", "事项名称", "公开时限（工作日）", "公开渠道", "下拉选项"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(list, cell, h)
	}
	for i, m := range cat.Matters {
		row := i + 2
		for j, v := range []any{m.Seq, m.Level1, m.Name(), m.TimeLimitDays, tracker.ChannelNames(m.Channels), MatterChoice(&m)} {
			cell, _ := excelize.CoordinatesToCellName(j+1, row)
			f.SetCellValue(list, cell, v)
		}
	}
	f.SetColWidth(list, "B", "B", 20)
	f.SetColWidth(list, "C", "C", 60)
	f.SetColWidth(list, "E", "E", 40)
	f.SetColWidth(list, "F", "F", 70)
	f.SetRowStyle(list, 1, 1, bold)

	for i, h := range Headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sheet, cell, h)
		width := 12.0
		switch field := fieldOf(h); {
		case field == "matter":
			width = 50
		case field == "summary":
			width = 40
		case field == "ref":
			width = 24
		case isDateField(field) && field != "date":
			width = 22
		case len(field) > 4 && field[len(field)-4:] == ".url":
			width = 30
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, name, name, width)
	}
	f.SetRowStyle(sheet, 1, 1, bold)
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	last := strconv.Itoa(templateRows + 1)
	matters := excelize.NewDataValidation(true)
	matters.Sqref = "A2:A" + last
	matters.SetSqrefDropList(fmt.Sprintf("'%s'!$F$2:$F$%d", list, len(cat.Matters)+1))
	matters.SetError(excelize.DataValidationErrorStyleStop, "事项", "请从下拉列表中选择目录中的事项")
	kinds := excelize.NewDataValidation(true)
	kinds.Sqref = "B2:B" + last
	if err := kinds.SetDropList([]string{"形成", "变更"}); err != nil {
		return nil, err
	}
	kinds.SetError(excelize.DataValidationErrorStyleStop, "类型", "请选择“形成”或“变更”")
	for _, dv := range []*excelize.DataValidation{matters, kinds} {
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return nil, err
		}
	}
	for i, h := range Headers {
		if field := fieldOf(h); field == "" || !isDateField(field) {
			continue
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = name + "2:" + name + last
		// Excel's serial days of 2000-01-01 and 2099-12-31.
		if err := dv.SetRange(36526, 73415, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
			return nil, err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, h, "请填写日期，如 2026-11-02")
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(sheet, name+"2", name+last, dates); err != nil {
			return nil, err
		}
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MatterChoice is how the template's drop-down offers a matter: its 序号,
// then its name; the import reads the 序号.
func MatterChoice(m *tracker.Matter) string {
	return strconv.Itoa(m.Seq) + " " + m.Name()
}

func isDateField(field string) bool {
	return len(field) >= 4 && field[len(field)-4:] == "date"
}
