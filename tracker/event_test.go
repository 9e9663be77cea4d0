package tracker

import (
	"strings"
	"testing"
	"time"

	"gongkai/calendar"
)

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// clockOn is a clock at 10:00 in Shanghai on the day.
func clockOn(s string) Clock {
	d := day(s)
	return Clock{Now: d.Start().Add(10 * time.Hour), Today: d, By: "张三"}
}

// logged is an event of matter 1, changed on date, logged on today.
func logged(t *testing.T, date, today string) *Event {
	t.Helper()
	m := &EmbeddedCatalog().Matters[0]
	e, err := NewEvent(LogRequest{Matter: m, Kind: Changed, Date: day(date), Summary: "调整办理材料"}, calendar.Default(), clockOn(today))
	if err != nil {
		t.Fatal(err)
	}
	e.ID = 7
	return e
}

func TestNewEvent(t *testing.T) {
	cal := calendar.Default()
	m := &EmbeddedCatalog().Matters[0]
	tests := []struct {
		name        string
		date, today string
		summary     string
		deadline    string
		late        bool
		err         string
	}{
		{"the rule's example", "2026-11-02", "2026-11-02", "x", "2026-11-30", false, ""},
		{"5 working days back is on time", "2026-11-02", "2026-11-09", "x", "2026-11-30", false, ""},
		{"6 working days back is late", "2026-11-02", "2026-11-10", "x", "2026-11-30", true, ""},
		{"a weekend date", "2026-11-28", "2026-11-28", "x", "2026-12-25", false, ""},
		{"provisional", "2027-12-10", "2027-12-10", "x", "2028-01-10", false, ""},
		{"future", "2026-11-29", "2026-11-28", "x", "", false, "2026-11-29 在今天（2026-11-28）之后"},
		{"empty summary", "2026-11-02", "2026-11-02", "  ", "", false, "摘要不能为空"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewEvent(LogRequest{Matter: m, Kind: Formed, Date: day(tc.date), Summary: tc.summary}, cal, clockOn(tc.today))
			if tc.err != "" {
				if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "--") {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Deadline.String() != tc.deadline || e.LoggedLate != tc.late || e.State != Open {
				t.Errorf("deadline %s late %v state %s; want %s %v open", e.Deadline, e.LoggedLate, e.State, tc.deadline, tc.late)
			}
			if e.Provisional != (tc.name == "provisional") {
				t.Errorf("provisional = %v", e.Provisional)
			}
			if len(e.History) != 1 || e.History[0].Action != ActLogged || e.History[0].By != "张三" {
				t.Errorf("history %+v", e.History)
			}
		})
	}
}

func TestStatusAsOf(t *testing.T) {
	e := logged(t, "2026-10-10", "2026-10-10") // a make-up Saturday; deadline: a Friday
	if e.Deadline != day("2026-11-06") {
		t.Fatalf("deadline %s", e.Deadline)
	}
	for asOf, want := range map[string]Status{"2026-11-05": Open, "2026-11-06": Open, "2026-11-07": Overdue, "2026-11-09": Overdue} {
		if got := e.Status(day(asOf)); got != want {
			t.Errorf("as of %s: %s, want %s", asOf, got, want)
		}
	}
}

func TestDisclose(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02")
	clk := clockOn("2026-11-20")
	for _, tc := range []struct {
		chs  []Channel
		date string
		code string
		want string
	}{
		{[]Channel{Web}, "2026-11-01", EInvalid, "早于信息变更日期 2026-11-02"},
		{[]Channel{Web}, "2026-11-21", EInvalid, "在今天（2026-11-20）之后"},
		{nil, "2026-11-20", EInvalid, "没有指明公开渠道"},
	} {
		if err := e.Disclose(tc.chs, day(tc.date), "", "", clk); ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "--") {
			t.Errorf("Disclose(%v, %s) = %v; want %q", tc.chs, tc.date, err, tc.want)
		}
	}
	if len(e.History) != 1 || len(e.Disclosures) != 0 {
		t.Fatal("a refused disclosure changed the event")
	}
	if err := e.Disclose([]Channel{Web, Center}, day("2026-11-20"), "https://x.gov.cn/1", "", clk); err != nil {
		t.Fatal(err)
	}
	if e.State != Open || len(e.Pending()) != 1 || e.Pending()[0] != Grassroots {
		t.Fatalf("after two channels: %s, pending %v", e.State, e.Pending())
	}
	// The last channel on the deadline day: done.
	if err := e.Disclose([]Channel{Grassroots}, day("2026-11-30"), "", "公示栏", clockOn("2026-11-30")); err != nil {
		t.Fatal(err)
	}
	if e.State != Done || e.ClosedOn != day("2026-11-30") {
		t.Fatalf("state %s closed %s", e.State, e.ClosedOn)
	}
	if err := e.Disclose([]Channel{Web}, day("2026-11-30"), "", "", clockOn("2026-11-30")); ErrorCode(err) != EConflict {
		t.Errorf("disclosing a closed event: %v", err)
	}

	// A day late: done_late.
	late := logged(t, "2026-11-02", "2026-11-02")
	if err := late.Disclose(Channels, day("2026-12-01"), "", "", clockOn("2026-12-01")); err != nil {
		t.Fatal(err)
	}
	if late.State != DoneLate {
		t.Errorf("disclosed after the deadline: %s", late.State)
	}
}

func TestCorrections(t *testing.T) {
	cal := calendar.Default()
	e := logged(t, "2026-11-02", "2026-11-02")
	clk := clockOn("2026-11-20")
	if err := e.Disclose(Channels, day("2026-11-20"), "", "", clk); err != nil || e.State != Done {
		t.Fatal(err, e.State)
	}
	// Retract one channel: open again, the record kept and voided.
	if err := e.Retract(Center, "", clk); ErrorCode(err) != EInvalid {
		t.Errorf("retract without a reason: %v", err)
	}
	if err := e.Retract(Center, "误登", clk); err != nil || e.State != Open {
		t.Fatalf("retract: %v, %s", err, e.State)
	}
	if len(e.Disclosures) != 3 || e.Disclosures[1].Void == nil || e.Disclosures[1].Void.Reason != "误登" {
		t.Errorf("disclosures after retract: %+v", e.Disclosures)
	}
	if err := e.Retract(Center, "again", clk); ErrorCode(err) != EInvalid {
		t.Errorf("retracting twice: %v", err)
	}
	// Waive, then reopen.
	if err := e.Waive("依法不予公开", clk); err != nil || e.State != Waived {
		t.Fatal(err)
	}
	if err := e.Waive("again", clk); ErrorCode(err) != EConflict {
		t.Errorf("waiving twice: %v", err)
	}
	// Reopening a waived event keeps the disclosures that still count.
	if err := e.Reopen("领导要求公开", clk); err != nil || e.State != Open {
		t.Fatal(err)
	}
	if p := e.Pending(); len(p) != 1 || p[0] != Center {
		t.Fatalf("pending after reopening a waived event: %v", p)
	}
	if err := e.Reopen("again", clk); ErrorCode(err) != EConflict {
		t.Errorf("reopening an open event: %v", err)
	}
	// A channel already disclosed is refused, not disclosed again.
	if err := e.Disclose([]Channel{Web}, day("2026-11-20"), "", "", clk); ErrorCode(err) != EInvalid || ErrorField(err) != FieldChannel || !strings.Contains(err.Error(), "渠道 web（政府网站）已于 2026-11-20 登记公开") {
		t.Errorf("disclosing web twice: %v", err)
	}
	// Reopening a done event voids its disclosures: all channels again.
	if err := e.Disclose([]Channel{Center, Center}, day("2026-11-20"), "", "", clk); err != nil || e.State != Done {
		t.Fatal(err, e.State)
	}
	if err := e.Reopen("内容有误", clk); err != nil || len(e.Pending()) != 3 {
		t.Fatalf("reopen done: %v, pending %v", err, e.Pending())
	}
	// Amend the date: deadline and status follow; old values in history.
	d := day("2026-11-09")
	if err := e.Amend(Amendment{Date: &d, Reason: "登记错了日期"}, cal, clk); err != nil {
		t.Fatal(err)
	}
	if e.Deadline != day("2026-12-07") {
		t.Errorf("deadline after amend: %s", e.Deadline)
	}
	last := e.History[len(e.History)-1]
	if last.Action != ActAmended || !strings.Contains(last.Detail, "日期 2026-11-02 → 2026-11-09") || !strings.Contains(last.Detail, "期限 2026-11-30 → 2026-12-07") {
		t.Errorf("amend history: %+v", last)
	}
	// A date after a recorded disclosure is refused.
	if err := e.Disclose([]Channel{Web}, day("2026-11-20"), "", "", clk); err != nil {
		t.Fatal(err)
	}
	late := day("2026-11-25")
	if err := e.Amend(Amendment{Date: &late, Reason: "x"}, cal, clk); ErrorCode(err) != EInvalid {
		t.Errorf("amend to after a disclosure: %v", err)
	}
	// Amending a done event after the fact can make it late.
	e2 := logged(t, "2026-11-02", "2026-11-02")
	if err := e2.Disclose(Channels, day("2026-11-30"), "", "", clockOn("2026-11-30")); err != nil || e2.State != Done {
		t.Fatal(err)
	}
	earlier := day("2026-10-30")
	if err := e2.Amend(Amendment{Date: &earlier, Reason: "实际在10月30日变更"}, cal, clockOn("2026-12-01")); err != nil {
		t.Fatal(err)
	}
	if e2.State != DoneLate || !strings.Contains(e2.History[len(e2.History)-1].Detail, "状态 按时公开 → 逾期公开") {
		t.Errorf("state after amend %s: %+v", e2.State, e2.History[len(e2.History)-1])
	}
}

func TestRecompute(t *testing.T) {
	e := logged(t, "2027-12-10", "2027-12-10")
	if e.Deadline != day("2028-01-10") || !e.Provisional {
		t.Fatalf("deadline %s provisional %v", e.Deadline, e.Provisional)
	}
	// A 2028 notice that, say, gives 2028-01-03 no day off and makes
	// 2028-01-02 (a Sunday) nothing special.
	c2, err := calendar.New(calendar.Schedule{Year: 2028, Origin: calendar.OriginImported, Days: []calendar.ScheduleDay{
		{Date: day("2028-01-01"), Name: "元旦", Off: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	changed, err := e.Recompute(c2, clockOn("2027-12-15"), "导入 2028 年放假安排")
	if err != nil || !changed {
		t.Fatal(err, changed)
	}
	if e.Deadline != day("2028-01-07") || e.Provisional {
		t.Errorf("recomputed: %s provisional %v", e.Deadline, e.Provisional)
	}
	last := e.History[len(e.History)-1]
	if last.Action != ActRecomputed || !strings.Contains(last.Detail, "期限 2028-01-10 → 2028-01-07") || last.Reason != "导入 2028 年放假安排" {
		t.Errorf("history %+v", last)
	}
	if changed, _ := e.Recompute(c2, clockOn("2027-12-15"), "again"); changed {
		t.Error("a second recompute on the same calendar changed something")
	}
}

// An on-time disclosure stays on time when a channel is recorded again
// after a retraction: the first disclosure that counts is what matters.
func TestFirstDisclosureCounts(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02") // deadline 2026-11-30
	if err := e.Disclose([]Channel{Web, Center}, day("2026-11-20"), "", "", clockOn("2026-11-20")); err != nil {
		t.Fatal(err)
	}
	// A second (voided) record on web does not move the first.
	e.Disclosures = append(e.Disclosures, Disclosure{Channel: Web, Date: day("2026-12-05"), Void: &Void{Action: ActRetracted}})
	if err := e.Disclose([]Channel{Grassroots}, day("2026-11-30"), "", "", clockOn("2026-12-08")); err != nil {
		t.Fatal(err)
	}
	if e.State != Done || e.ClosedOn != day("2026-11-30") {
		t.Errorf("state %s closed %s; want done on 2026-11-30", e.State, e.ClosedOn)
	}
}

// Status as of a past day: an event closed later was still open (or
// overdue) then.
func TestStatusAsOfBeforeClosing(t *testing.T) {
	e := logged(t, "2026-11-02", "2026-11-02")
	if err := e.Disclose(Channels, day("2026-12-03"), "", "", clockOn("2026-12-03")); err != nil || e.State != DoneLate {
		t.Fatal(err, e.State)
	}
	for asOf, want := range map[string]Status{"2026-11-27": Open, "2026-12-01": Overdue, "2026-12-03": DoneLate, "2026-12-10": DoneLate} {
		if got := e.Status(day(asOf)); got != want {
			t.Errorf("as of %s: %s, want %s", asOf, got, want)
		}
	}
}

// Amending the date re-judges logged_late against the day it was logged.
func TestAmendLoggedLate(t *testing.T) {
	cal := calendar.Default()
	e := logged(t, "2026-11-18", "2026-11-20")
	if e.LoggedLate {
		t.Fatal("logged 2 working days after: late")
	}
	d := day("2026-10-12")
	if err := e.Amend(Amendment{Date: &d, Reason: "实际日期更早"}, cal, clockOn("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if !e.LoggedLate || !strings.Contains(e.History[len(e.History)-1].Detail, "改记为补登") {
		t.Errorf("logged_late %v after amending to %s: %+v", e.LoggedLate, d, e.History[len(e.History)-1])
	}
}

// A calendar import re-judges done events too: an event disclosed on its
// provisional deadline was late if the official deadline is earlier.
func TestRecomputeDoneEvent(t *testing.T) {
	e := logged(t, "2027-12-10", "2027-12-10") // provisional deadline 2028-01-10
	if err := e.Disclose(Channels, day("2028-01-10"), "", "", clockOn("2028-01-10")); err != nil || e.State != Done {
		t.Fatal(err, e.State)
	}
	c2, _ := calendar.New(calendar.Schedule{Year: 2028, Origin: calendar.OriginImported, Days: []calendar.ScheduleDay{
		{Date: day("2028-01-01"), Name: "元旦", Off: true},
	}})
	changed, err := e.Recompute(c2, clockOn("2028-01-12"), "导入")
	if err != nil || !changed || e.Deadline != day("2028-01-07") || e.State != DoneLate {
		t.Fatalf("recompute: %v %v deadline %s state %s", changed, err, e.Deadline, e.State)
	}
	if d := e.History[len(e.History)-1].Detail; !strings.Contains(d, "状态 按时公开 → 逾期公开") {
		t.Errorf("history: %s", d)
	}
	// A provisional deadline that becomes official on the same day is a
	// change too: it is no longer provisional.
	e2 := logged(t, "2027-12-24", "2027-12-24") // passes 12-26..31: provisional
	before := e2.Deadline
	c3, _ := calendar.New(calendar.Schedule{Year: 2028, Origin: calendar.OriginImported, Days: []calendar.ScheduleDay{
		{Date: day("2028-01-01"), Name: "元旦", Off: true}, {Date: day("2028-01-03"), Name: "元旦", Off: true},
	}})
	changed, _ = e2.Recompute(c3, clockOn("2027-12-27"), "导入")
	if !changed || e2.Provisional || e2.Deadline != before || !strings.Contains(e2.History[len(e2.History)-1].Detail, "已由暂估转为正式") {
		t.Errorf("same-day recompute: changed %v provisional %v %s→%s", changed, e2.Provisional, before, e2.Deadline)
	}
}

// An event logged by mistake is cancelled (作废) from any state and
// restored to the very state it had; while cancelled, nothing else changes
// it, and it counts as no obligation.
func TestCancelAndRestore(t *testing.T) {
	cal := calendar.Default()
	for _, tc := range []struct {
		name  string
		setup func(*Event)
		want  Status
	}{
		{"open", func(*Event) {}, Open},
		{"done", func(e *Event) { e.Disclose(e.Channels, day("2026-11-10"), "", "", clockOn("2026-11-10")) }, Done},
		{"done late", func(e *Event) { e.Disclose(e.Channels, day("2026-12-10"), "", "", clockOn("2026-12-10")) }, DoneLate},
		{"waived", func(e *Event) { e.Waive("涉及国家秘密", clockOn("2026-11-12")) }, Waived},
		{"waived, cancelled and restored before", func(e *Event) {
			e.Waive("涉及国家秘密", clockOn("2026-11-12"))
			e.Cancel("误以为重复", clockOn("2026-11-13"))
			e.Restore("并不重复", clockOn("2026-11-14"))
		}, Waived},
		{"waived then reopened", func(e *Event) {
			e.Waive("涉及国家秘密", clockOn("2026-11-12"))
			e.Reopen("经复核应予公开", clockOn("2026-11-13"))
		}, Open},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := logged(t, "2026-11-02", "2026-11-02")
			tc.setup(e)
			if e.State != tc.want {
				t.Fatalf("set up as %s, want %s", e.State, tc.want)
			}
			closedOn := e.ClosedOn
			// Waived, nothing waits for disclosure any more.
			if v := ViewOf(e, cal, day("2026-12-15")); e.State == Waived && len(v.ChannelsPending) != 0 {
				t.Errorf("a waived event still waits on %v", v.ChannelsPending)
			}
			if err := e.Cancel("", clockOn("2026-12-15")); ErrorCode(err) != EInvalid {
				t.Errorf("cancel without a reason: %v", err)
			}
			if err := e.Cancel("与事件 3 重复", clockOn("2026-12-15")); err != nil {
				t.Fatal(err)
			}
			if e.State != Cancelled || !e.ClosedOn.IsZero() || e.Status(day("2026-12-20")) != Cancelled || e.Status(day("2026-11-05")) != Cancelled {
				t.Errorf("cancelled: state %s, closed %s", e.State, e.ClosedOn)
			}
			if v := ViewOf(e, cal, day("2026-12-15")); v.WorkdaysLeft != nil || len(v.ChannelsPending) != 0 {
				t.Errorf("a cancelled event still counts: %+v", v)
			}
			for what, err := range map[string]error{
				"cancel":   e.Cancel("again", clockOn("2026-12-15")),
				"disclose": e.Disclose([]Channel{Web}, day("2026-12-15"), "", "", clockOn("2026-12-15")),
				"waive":    e.Waive("x", clockOn("2026-12-15")),
				"retract":  e.Retract(Web, "x", clockOn("2026-12-15")),
				"reopen":   e.Reopen("x", clockOn("2026-12-15")),
				"amend":    e.Amend(Amendment{Summary: ptr("新摘要"), Reason: "x"}, cal, clockOn("2026-12-15")),
			} {
				if e := AsError(err); e == nil || e.Code != EConflict || e.Field != FieldState {
					t.Errorf("%s on a cancelled event: %v", what, err)
				}
			}
			if err := e.Restore("并非重复", clockOn("2026-12-16")); err != nil {
				t.Fatal(err)
			}
			if e.State != tc.want || e.ClosedOn != closedOn {
				t.Errorf("restored to %s (closed %s), want %s (closed %s)", e.State, e.ClosedOn, tc.want, closedOn)
			}
			if err := e.Restore("again", clockOn("2026-12-16")); ErrorCode(err) != EConflict {
				t.Errorf("restore of an event not cancelled: %v", err)
			}
			last := e.History[len(e.History)-1]
			if last.Action != ActRestored || last.Reason != "并非重复" || ActionName(last.Action) != "恢复" {
				t.Errorf("history: %+v", last)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
