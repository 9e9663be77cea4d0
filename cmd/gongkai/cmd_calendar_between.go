package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

type calendarBetweenOptions struct {
	from, to string
	format   string
}

func newCalendarBetweenCmd(e *env) *cobra.Command {
	var o calendarBetweenOptions
	c := &cobra.Command{
		Use:   "between FROM TO",
		Short: "两个日期之间的工作日数",
		Long: `计算 (FROM, TO] 中的工作日数：FROM 不计入，TO 计入。TO 早于 FROM 时
给出 (TO, FROM] 中工作日数的相反数。输出 FROM<TAB>TO<TAB>天数[<TAB>provisional]；
--format json 输出 {"from","to","workdays","provisional"}。`,
		Example: `  gongkai calendar between 2026-11-02 2026-11-30`,
		Args:    exactArgs(2, "FROM 和 TO 两个日期"),
		RunE: func(c *cobra.Command, args []string) error {
			o.from, o.to = args[0], args[1]
			return runCalendarBetween(e, o)
		},
	}
	c.Flags().StringVar(&o.format, "format", "tsv", "输出格式：tsv 或 json")
	return c
}

func runCalendarBetween(e *env, o calendarBetweenOptions) error {
	if err := parseFormat(o.format, "tsv", "json"); err != nil {
		return err
	}
	from, err := parseDateArg("FROM", o.from)
	if err != nil {
		return err
	}
	to, err := parseDateArg("TO", o.to)
	if err != nil {
		return err
	}
	cal, err := e.loadCalendar()
	if err != nil {
		return err
	}
	n, prov, err := cal.WorkdaysBetween(from, to)
	if err != nil {
		return err
	}
	if o.format == "json" {
		b, _ := json.Marshal(struct {
			From        string `json:"from"`
			To          string `json:"to"`
			Workdays    int    `json:"workdays"`
			Provisional bool   `json:"provisional"`
		}{from.String(), to.String(), n, prov})
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	mark := ""
	if prov {
		mark = "\tprovisional"
	}
	_, err = fmt.Fprintf(e.stdout, "%s\t%s\t%d%s\n", from, to, n, mark)
	return err
}
