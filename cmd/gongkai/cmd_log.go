package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/app"
)

type logOptions struct {
	matter          string
	formed, changed bool
	summary, ref    string
	date, format    string
}

func newLogCmd(e *env) *cobra.Command {
	var o logOptions
	c := &cobra.Command{
		Use:   "log MATTER (--formed | --changed) --summary TEXT",
		Short: "登记某事项的信息形成或变更，计算公开期限",
		Long: `登记某事项的信息在某日形成或变更，按该事项的公开时限（如 20 个工作日）计算公开期限。

MATTER 是目录中的序号，或事项名称中的文字；文字对应多个事项时列出候选，不作登记。
日期默认为今天（北京时间），不能晚于今天；早于今天超过 5 个工作日的，照常登记但
标为补登（logged_late），因为期限从实际日期起算，已经用去一部分。`,
		Example: `  gongkai log 3 --changed --summary "调整参保登记办理材料" --date 2026-11-02
  gongkai log 社保政策咨询 --formed --summary "2027年缴费基数" --ref "赣人社字〔2026〕12号"`,
		Args: exactArgs(1, "事项 MATTER"),
		RunE: func(c *cobra.Command, args []string) error {
			o.matter = args[0]
			return runLog(c, e, o)
		},
	}
	c.Flags().BoolVar(&o.formed, "formed", false, "信息形成")
	c.Flags().BoolVar(&o.changed, "changed", false, "信息变更")
	c.Flags().StringVar(&o.summary, "summary", "", "摘要：形成或变更了什么信息（必填）")
	c.Flags().StringVar(&o.date, "date", "", "形成或变更的日期 YYYY-MM-DD（默认今天）")
	c.Flags().StringVar(&o.ref, "ref", "", "文号，如 赣人社字〔2026〕12号")
	c.Flags().String("by", "", "登记人（默认为系统用户名）")
	c.Flags().StringVar(&o.format, "format", "table", "输出格式：table 或 json")
	return c
}

func runLog(c *cobra.Command, e *env, o logOptions) error {
	if err := parseFormat(o.format, "table", "json"); err != nil {
		return err
	}
	var kind tracker.Kind
	switch {
	case o.formed && o.changed:
		return inputErrorf("--formed 和 --changed 只能选一个")
	case o.formed:
		kind = tracker.Formed
	case o.changed:
		kind = tracker.Changed
	default:
		return inputErrorf("请用 --formed（信息形成）或 --changed（信息变更）说明事件类型")
	}
	date, err := optionalDateArg("--date", o.date)
	if err != nil {
		return err
	}
	d, err := call(c, e, app.Service.Log, app.LogInput{Matter: o.matter, Kind: kind, Date: date, Summary: o.summary, Ref: o.ref})
	if err != nil {
		return err
	}
	if o.format == "json" {
		return notify.WriteJSON(e.stdout, d.View)
	}
	fmt.Fprintln(e.stdout, "已登记。")
	printEvent(e.stdout, d)
	return nil
}
