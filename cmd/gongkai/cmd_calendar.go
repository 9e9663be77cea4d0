package main

import (
	"github.com/spf13/cobra"
)

func newCalendarCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "calendar",
		Short: "工作日历：加减工作日、查看放假安排、导入新一年的通知",
		Long: `中国大陆法定工作日历（2007—2099）。

工作日为周一至周五，减去国务院办公厅放假安排通知所列的放假日，加上通知所列的
周末调休上班日。尚无通知的年份按《全国年节及纪念日放假办法》（2024年修订）估算，
依赖这些日期的结果均标为“暂估”（provisional），通知发布并导入后以通知为准。`,
	}
	c.AddCommand(
		newCalendarAddCmd(e),
		newCalendarBetweenCmd(e),
		newCalendarShowCmd(e),
		newCalendarExplainCmd(e),
		newCalendarStatusCmd(e),
		newCalendarImportCmd(e),
	)
	return c
}
