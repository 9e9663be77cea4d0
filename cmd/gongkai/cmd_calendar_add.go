package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/tracker"
)

type calendarAddOptions struct {
	days   int
	format string
	dates  []string // from the arguments; none: read standard input
}

func newCalendarAddCmd(e *env) *cobra.Command {
	var o calendarAddOptions
	c := &cobra.Command{
		Use:   "add [--days N] [DATE ...]",
		Short: "日期加 N 个工作日（起算日不计入）",
		Long: `对每个日期计算其后第 N 个工作日：起算日本身不计入（民法典第二百零一条），
即使它是周末或节假日，其后第一个工作日为第 1 天。N 为负数时向前数，N 为 0 时
给出当天（若为工作日）或其后第一个工作日。

日期取自参数；没有参数时从标准输入每行读一个日期。输出每行
  日期<TAB>结果[<TAB>provisional]
结果依赖尚无正式通知的日期时，第三列为 provisional（暂估）。
--format json 时每行一个 JSON 对象：{"date","days","result","provisional"}。
有误的行在标准错误输出中按行号报告，其余行照常输出，退出状态为 2。`,
		Example: `  gongkai calendar add 2026-11-02
  gongkai calendar add --days 5 2026-09-30 2026-10-08
  cut -f1 dates.txt | gongkai calendar add --days 20 --format json`,
		RunE: func(c *cobra.Command, args []string) error {
			o.dates = args
			return runCalendarAdd(e, o)
		},
	}
	c.Flags().IntVar(&o.days, "days", 20, "工作日数（可为负数或 0）")
	c.Flags().StringVar(&o.format, "format", "tsv", "输出格式：tsv 或 json")
	return c
}

func runCalendarAdd(e *env, o calendarAddOptions) error {
	if err := parseFormat(o.format, "tsv", "json"); err != nil {
		return err
	}
	cal, err := e.loadCalendar()
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(e.stdout, 64*1024)
	a := adder{cal: cal, days: o.days, json: o.format == "json", out: out, errOut: e.stderr}
	if len(o.dates) > 0 {
		a.args = true
		for i, d := range o.dates {
			a.line([]byte(d), i+1)
		}
	} else {
		if isTerminal(e.stdin) {
			fmt.Fprintln(e.stderr, "请输入日期（YYYY-MM-DD），每行一个；输入完毕按 Ctrl-D。")
		}
		sc := bufio.NewScanner(e.stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		no := 0
		for sc.Scan() {
			no++
			b := sc.Bytes()
			if no == 1 {
				b = bytes.TrimPrefix(b, []byte("\ufeff")) // Notepad, Excel and WPS begin files with a BOM
			}
			a.line(b, no)
		}
		if err := sc.Err(); err != nil {
			out.Flush()
			return fmt.Errorf("读取标准输入（第 %d 行之后）：%s", no, tracker.OSProblem(err))
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if a.bad > 0 {
		return &partialError{bad: a.bad}
	}
	return nil
}

// adder answers one line at a time without allocating on the good path.
type adder struct {
	cal    *calendar.Calendar
	days   int
	json   bool
	args   bool // the dates are arguments, not lines of standard input
	out    *bufio.Writer
	errOut io.Writer
	buf    []byte
	bad    int
}

// line answers the date in b, the noth line or argument.
func (a *adder) line(b []byte, no int) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 && !a.args {
		return // blank lines, e.g. at the end of a file, carry no date
	}
	d, err := calendar.ParseDateBytes(b)
	if err != nil {
		a.fail(no, err)
		return
	}
	r, prov, err := a.cal.AddWorkdays(d, a.days)
	if err != nil {
		a.fail(no, err)
		return
	}
	out := a.buf[:0]
	if a.json {
		out = append(out, `{"date":"`...)
		out = d.AppendFormat(out)
		out = append(out, `","days":`...)
		out = strconv.AppendInt(out, int64(a.days), 10)
		out = append(out, `,"result":"`...)
		out = r.AppendFormat(out)
		out = append(out, `","provisional":`...)
		out = strconv.AppendBool(out, prov)
		out = append(out, "}\n"...)
	} else {
		out = d.AppendFormat(out)
		out = append(out, '\t')
		out = r.AppendFormat(out)
		if prov {
			out = append(out, "\tprovisional"...)
		}
		out = append(out, '\n')
	}
	a.buf = out
	a.out.Write(out)
}

func (a *adder) fail(no int, err error) {
	a.bad++
	a.out.Flush() // keep answers and complaints in order on a terminal
	where := fmt.Sprintf("第 %d 行", no)
	if a.args {
		where = fmt.Sprintf("第 %d 个日期", no)
	}
	fmt.Fprintf(a.errOut, "gongkai: %s：%s\n", where, err)
}

// isTerminal reports whether r is a terminal, where a person may not know
// that the command waits for them to type.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
