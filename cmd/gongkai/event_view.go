package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
)

// eventJSON is an event as `--format json` and csv give it; its field names
// are stable and documented in the README.
type eventJSON struct {
	ID              uint64   `json:"id"`
	Matter          int      `json:"matter"`
	MatterName      string   `json:"matter_name"`
	Kind            string   `json:"kind"`
	Date            string   `json:"date"`
	Summary         string   `json:"summary"`
	Ref             string   `json:"ref"`
	By              string   `json:"by"`
	LoggedAt        string   `json:"logged_at"`
	Deadline        string   `json:"deadline"`
	Provisional     bool     `json:"provisional"`
	Status          string   `json:"status"`
	Channels        []string `json:"channels"`
	ChannelsPending []string `json:"channels_pending"`
	LoggedLate      bool     `json:"logged_late"`
	WorkdaysLeft    *int     `json:"workdays_left"` // null when closed
	ClosedOn        string   `json:"closed_on"`
}

func toJSON(ev *tracker.Event, cal *calendar.Calendar, asOf calendar.Date) eventJSON {
	st := ev.Status(asOf)
	var left *int
	if !st.Closed() {
		n, _ := workdaysLeft(cal, asOf, ev.Deadline)
		left = &n
	}
	j := eventJSON{
		ID: ev.ID, Matter: ev.Matter, MatterName: ev.MatterName, Kind: string(ev.Kind),
		Date: ev.Date.String(), Summary: ev.Summary, Ref: ev.Ref, By: ev.By,
		LoggedAt: ev.LoggedAt.In(calendar.Shanghai).Format("2006-01-02T15:04:05-07:00"),
		Deadline: ev.Deadline.String(), Provisional: ev.Provisional, Status: string(st),
		Channels: codes(ev.Channels), ChannelsPending: codes(ev.Pending()), LoggedLate: ev.LoggedLate,
		WorkdaysLeft: left,
	}
	if !ev.ClosedOn.IsZero() {
		j.ClosedOn = ev.ClosedOn.String()
	}
	return j
}

var csvHeader = []string{"id", "matter", "matter_name", "kind", "date", "summary", "ref", "by", "logged_at",
	"deadline", "provisional", "status", "channels", "channels_pending", "logged_late", "workdays_left", "closed_on"}

func (j eventJSON) csvRow() []string {
	return []string{strconv.FormatUint(j.ID, 10), strconv.Itoa(j.Matter), j.MatterName, j.Kind, j.Date, j.Summary, j.Ref, j.By, j.LoggedAt,
		j.Deadline, strconv.FormatBool(j.Provisional), j.Status, strings.Join(j.Channels, ";"), strings.Join(j.ChannelsPending, ";"),
		strconv.FormatBool(j.LoggedLate), intOrEmpty(j.WorkdaysLeft), j.ClosedOn}
}

func intOrEmpty(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// writeCSV writes rows as CSV with a UTF-8 byte-order mark, so that Excel
// and WPS read the Chinese correctly.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONList writes a JSON array with one element a line: as valid as an
// indented array, greppable, and written as it goes rather than built and
// re-indented whole (100,000 events would be 70 MB to re-indent).
func writeJSONList[T any](w io.Writer, items []T) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	bw.WriteString("[")
	for i := range items {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		b, err := json.Marshal(items[i])
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	if len(items) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

func codes(cs []tracker.Channel) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

// workdaysLeft returns the working days from asOf to the deadline:
// positive when some are left, 0 on the day, negative when overdue. An
// overdue deadline whose count is 0 (a Saturday after a Friday deadline) is
// still overdue: overdue tells.
func workdaysLeft(cal *calendar.Calendar, asOf, deadline calendar.Date) (n int, overdue bool) {
	n, _, err := cal.WorkdaysBetween(asOf, deadline)
	if err != nil {
		return 0, asOf.After(deadline)
	}
	return n, asOf.After(deadline)
}

// leftText says how the deadline stands, for people.
func leftText(cal *calendar.Calendar, asOf, deadline calendar.Date) string {
	n, overdue := workdaysLeft(cal, asOf, deadline)
	switch {
	case overdue:
		return fmt.Sprintf("已逾期 %d 个工作日", -n)
	case asOf == deadline:
		return "今天到期"
	case n == 0:
		return "到期前没有工作日"
	}
	return fmt.Sprintf("还有 %d 个工作日", n)
}

func dateWithWeekday(d calendar.Date) string {
	return d.String() + " " + calendar.WeekdayName(d.Weekday())
}

// printEvent prints an event's summary for people.
func printEvent(w io.Writer, ev *tracker.Event, cal *calendar.Calendar, asOf calendar.Date, lateAfter int) {
	fmt.Fprintf(w, "事件 %d：%s\n", ev.ID, ev.Summary)
	fmt.Fprintf(w, "  事项      %d %s\n", ev.Matter, ev.MatterName)
	fmt.Fprintf(w, "  信息%s  %s\n", ev.Kind.Name(), dateWithWeekday(ev.Date))
	if ev.Ref != "" {
		fmt.Fprintf(w, "  文号      %s\n", ev.Ref)
	}
	prov := ""
	if ev.Provisional {
		prov = "（暂估：所涉年份的放假安排尚未发布，通知发布后将重算）"
	}
	fmt.Fprintf(w, "  公开期限  %s%s\n", dateWithWeekday(ev.Deadline), prov)
	st := ev.Status(asOf)
	switch {
	case st.Closed():
		fmt.Fprintf(w, "  状态      %s（%s）\n", st.Name(), ev.ClosedOn)
	default:
		fmt.Fprintf(w, "  状态      %s，%s\n", st.Name(), leftText(cal, asOf, ev.Deadline))
		fmt.Fprintf(w, "  待公开    %s\n", tracker.ChannelNames(ev.Pending()))
	}
	if ev.LoggedLate {
		fmt.Fprintf(w, "  注意      补登：登记时已超过信息%s之后 %d 个工作日，期限仍从 %s 起算\n", ev.Kind.Name(), lateAfter, ev.Date)
	}
}

// parseEventID reads an event id argument.
func parseEventID(s string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || id == 0 {
		return 0, inputErrorf("事件编号 EVENT 的值 %q 无效：应为正整数（见 gongkai events 的“编号”列）", s)
	}
	return id, nil
}
