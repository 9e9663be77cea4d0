package main

import "github.com/spf13/cobra"

func newDumpCmd(e *env) *cobra.Command {
	var bucket string
	c := &cobra.Command{
		Use:   "dump [--bucket NAME]",
		Short: "把数据库的每条记录输出为一行 JSON，便于查看和排查",
		Long: `在一个只读事务中逐条输出数据库的记录（不改动数据库），每条一行 JSON：
  {"bucket":"events","key":12,"value":{…}}
键按其含义显示：编号和年份为数字，日期索引为 {"date":"2026-11-30","id":12}，名称为字符串，
其他为 {"hex":"…"}。值是记录保存的 JSON：压缩保存的先解压，空值为 null；
无法解读的值显示为 {"raw_hex":"…","error":"…"}，不会中断输出。
--bucket 只输出一个桶（如 events、audit、outbox）。输出含数据库的全部内容（包括收件地址），请妥善保管。`,
		Args: exactArgs(0, "无"),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := e.service()
			if err != nil {
				return err
			}
			return svc.Dump(e.ctx(c), bucket, e.stdout)
		},
	}
	c.Flags().StringVar(&bucket, "bucket", "", "只输出这个桶的记录")
	return c
}
