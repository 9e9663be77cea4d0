package access

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/tracker"
)

func TestParseRoles(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Role
		err  string
	}{
		{"staff", []Role{Staff}, ""},
		{"officer,staff", []Role{Staff, Officer}, ""},
		{"经办人员、公开专员，staff", []Role{Staff, Officer}, ""},
		{" Supervisor ", []Role{Supervisor}, ""},
		{"admin,auditor", nil, "三员分立"},
		{"系统管理员,审计员", nil, "三员分立"},
		{"boss", nil, `角色 "boss" 无效：应为 staff（经办人员）、officer（公开专员）`},
		{"", nil, "没有指定角色"},
		{" , ", nil, "没有指定角色"},
	} {
		got, err := ParseRoles(tc.in)
		if tc.err != "" {
			if e := tracker.AsError(err); e == nil || e.Field != tracker.FieldRole || !strings.Contains(e.Message, tc.err) {
				t.Errorf("ParseRoles(%q) = %v, %v; want %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(roleStrings(got), ",") != strings.Join(roleStrings(tc.want), ",") {
			t.Errorf("ParseRoles(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func roleStrings(rs []Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	return out
}

// Deny by default: every operation is allowed to exactly the roles the
// issue gives it, an unknown operation to no one, no roles to nothing.
func TestAllowed(t *testing.T) {
	want := map[Operation]string{
		OpLog: "staff,officer", OpDisclose: "officer", OpWaive: "officer", OpAmend: "officer", OpRetract: "officer",
		OpReopen: "officer", OpCancel: "officer", OpRestore: "officer", OpImportEvents: "officer",
		OpEvents: "staff,officer,supervisor", OpEvent: "staff,officer,supervisor",
		OpMatters: "staff,officer,supervisor,admin", OpImportCatalog: "admin",
		OpCalendar: "staff,officer,supervisor,admin", OpImportCalendar: "admin",
		OpWeeklyReport: "officer,supervisor", OpSendWeeklyReport: "officer", OpRemindRun: "officer",
		OpOutbox: "officer,admin", OpFlushOutbox: "officer,admin", OpRetryMessage: "officer,admin",
		OpAudit: "auditor", OpVerifyAudit: "admin,auditor", OpLogins: "auditor",
		OpAccounts: "admin", OpSections: "admin", OpBackup: "admin", OpCheck: "admin", OpStatus: "officer,admin",
		OpOwnAccount: "staff,officer,supervisor,admin,auditor",
		// Only on the server's machine.
		OpInit: "", OpDump: "", OpJobs: "",
	}
	if len(Operations()) != len(want) {
		t.Errorf("%d operations in the table, %d here: %v", len(Operations()), len(want), Operations())
	}
	for _, op := range append(Operations(), "events.nosuch") {
		var got []string
		for _, r := range Roles {
			if Allowed([]Role{r}, op) {
				got = append(got, string(r))
			}
		}
		if strings.Join(got, ",") != want[op] {
			t.Errorf("%s allowed to %v, want %q", op, got, want[op])
		}
		if Allowed(nil, op) {
			t.Errorf("%s allowed to an account without roles", op)
		}
	}
	// Roles no account may hold together allow nothing, not even their own.
	for _, op := range []Operation{OpAudit, OpAccounts, OpOwnAccount} {
		if Allowed([]Role{Admin, Auditor}, op) {
			t.Errorf("admin with auditor may %s", op)
		}
	}
	if CheckRoles(nil) == nil {
		t.Error("no roles accepted")
	}
	// Nothing a supervisor or an auditor does changes data.
	for _, op := range []Operation{OpLog, OpDisclose, OpWaive, OpAmend, OpRetract, OpReopen, OpCancel, OpRestore, OpImportEvents,
		OpImportCatalog, OpImportCalendar, OpSendWeeklyReport, OpRemindRun, OpFlushOutbox, OpRetryMessage, OpAccounts, OpSections} {
		if Allowed([]Role{Supervisor, Auditor}, op) {
			t.Errorf("a supervisor or an auditor may %s", op)
		}
	}
}

func TestCheckSaysWhichRole(t *testing.T) {
	err := Check([]Role{Staff}, OpWaive)
	if e := tracker.AsError(err); e == nil || e.Code != tracker.EForbidden || e.Field != tracker.FieldRole ||
		e.Message != "这项操作需要公开专员的角色；当前账号是经办人员" {
		t.Errorf("%#v", err)
	}
	err = Check(nil, OpEvents)
	if e := tracker.AsError(err); e == nil || e.Message != "这项操作需要经办人员、公开专员或领导的角色；当前账号没有角色" {
		t.Errorf("%#v", err)
	}
	if err := Check([]Role{Officer}, "events.nosuch"); tracker.ErrorCode(err) != tracker.EForbidden {
		t.Errorf("unknown operation: %v", err)
	}
	if err := Check([]Role{Supervisor}, OpEvents); err != nil {
		t.Error(err)
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct{ name, pw, err string }{
		{"zhangsan", "Gongkai2026!", ""},
		{"zhangsan", "政务公开abc123", ""}, // 汉字 are a class of their own (others)
		{"zhangsan", "Ab1!", "密码太短：4 个字符，至少 8 个"},
		{"zhangsan", "abcdefgh12", "至少三类（现有 2 类）"},
		{"zhangsan", "ZhangSan2026", "不能包含账号名 zhangsan"},
		{"zhangsan", "nasgnahz-2026X", "不能包含账号名 zhangsan"},
		{"zhangsan", "Abc123!\tx", "控制字符"},
		{"zhangsan", "Abc1\u200b\u200b\u200b\u200b", "不可见字符"},
		{"zhangsan", "Abc1\u0301\u0301\u0301\u0301", "密码太短：4 个字符"},
		{"zhang.san", "ZhangSan2026!", "不能包含账号名 zhang.san"},
		{"a", "Gongkai2026!", ""},
		{"li", "Climbing2026!", ""},
		{"zhangsan", strings.Repeat("Ab1!", 40), "密码太长"},
		{"zhangsan", "Ab1!\xff\xfe\xfdxyz", "不是有效的文字"},
	} {
		err := CheckPassword(tc.name, tc.pw)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.pw, err)
			}
			continue
		}
		e := tracker.AsError(err)
		if e == nil || e.Field != tracker.FieldPassword || !strings.Contains(e.Message, tc.err) {
			t.Errorf("%q: %v, want %q", tc.pw, err, tc.err)
			continue
		}
		if len(tc.pw) >= 4 && strings.Contains(e.Message, tc.pw) {
			t.Errorf("the message repeats the password: %s", e.Message)
		}
	}
	seen := map[string]bool{}
	for range 200 {
		p := NewPassword()
		if err := CheckPassword("zhangsan", p); err != nil || len(p) != 16 || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("NewPassword() = %q: %v", p, err)
		}
		seen[p] = true
	}
}

func TestCheckName(t *testing.T) {
	for _, good := range []string{"zhangsan", "li.si", "wang_wu-2", "a"} {
		if err := CheckName(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range []string{"", "ZhangSan", "张三", "2zhang", "zhang san", "zhang\nsan", ".zhang", strings.Repeat("a", 33)} {
		if e := tracker.AsError(CheckName(bad)); e == nil || e.Field != tracker.FieldAccount {
			t.Errorf("%q accepted", bad)
		}
	}
}

// cheap are costs that keep the tests fast; the default's are checked
// apart.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := mustHasher(t, cheap, 2)
	a, err := h.Hash(ctx, "Gongkai2026!")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.Hash(ctx, "Gongkai2026!")
	if a == b || !strings.HasPrefix(a, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hashes %q and %q: want argon2id, salted", a, b)
	}
	for pw, want := range map[string]bool{"Gongkai2026!": true, "gongkai2026!": false, "": false, "Gongkai2026!x": false} {
		if ok, err := h.Verify(ctx, a, pw); err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v", pw, ok, err)
		}
	}
	// A hash written with other costs is verified with its own.
	strong, _ := mustHasher(t, Params{Memory: 256, Time: 2, Threads: 2}, 1).Hash(ctx, "Gongkai2026!")
	if ok, err := h.Verify(ctx, strong, "Gongkai2026!"); !ok || err != nil {
		t.Errorf("verify with the hash's own costs: %v, %v", ok, err)
	}
	// A password typed in another normal form (e + combining acute) is
	// the same password.
	cafe, _ := h.Hash(ctx, "Caf\u00e92026!")
	if ok, err := h.Verify(ctx, cafe, "Cafe\u03012026!"); !ok || err != nil {
		t.Errorf("NFD against NFC: %v, %v", ok, err)
	}
	// A stored hash that names costs past the bounds, or four times this
	// hasher's, or is written loosely, is refused without hashing.
	salt, key := "c2FsdHNhbHQ", "aGFzaGhhc2hoYXNoaGFzaA"
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=2097152,t=16,p=255$" + salt + "$" + key,
		"$argon2id$v=19$m=1048576,t=1,p=1$" + salt + "$" + key, // within the bounds, past 4× this hasher's
		"$argon2id$v=19$m=64,t=5,p=1$" + salt + "$" + key,
		"$argon2id$v=19x$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=1junk$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 200),
	} {
		if _, err := h.Verify(ctx, bad, "x"); err == nil {
			t.Errorf("hash %q read", bad)
		}
	}
	if err := h.VerifyNone(ctx, "Gongkai2026!"); err != nil {
		t.Error(err)
	}
}

func mustHasher(t *testing.T, p Params, parallel int) *Hasher {
	t.Helper()
	h, err := NewHasher(p, parallel)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Costs a stored hash could not be verified with are refused when the
// hasher is made; a hasher not made by NewHasher fails, not hangs.
func TestHasherParams(t *testing.T) {
	for _, p := range []Params{{}, {Memory: 4, Time: 1, Threads: 1}, {Memory: 64, Time: 17, Threads: 1}, {Memory: 64, Time: 1, Threads: 0}, {Memory: 1<<20 + 1, Time: 1, Threads: 1}} {
		if _, err := NewHasher(p, 1); err == nil {
			t.Errorf("%+v taken", p)
		}
	}
	var zero Hasher
	if _, err := zero.Hash(context.Background(), "Gongkai2026!"); err == nil {
		t.Error("a zero Hasher hashed")
	}
}

func TestDefaultParams(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with 64 MiB")
	}
	h := mustHasher(t, DefaultParams, 1)
	a, err := h.Hash(context.Background(), "Gongkai2026!")
	if err != nil || !strings.HasPrefix(a, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("%q, %v", a, err)
	}
}

// No more than the hasher's slots hash at once; a caller that cannot
// wait is told the server is busy.
func TestHasherBoundsConcurrency(t *testing.T) {
	h := mustHasher(t, Params{Memory: 1 << 10, Time: 2, Threads: 1}, 2)
	var now, most atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			if err := h.acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			n := now.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			now.Add(-1)
			h.release()
		})
	}
	wg.Wait()
	if most.Load() > 2 {
		t.Errorf("%d hashed at once, want at most 2", most.Load())
	}
	h.slots <- struct{}{}
	h.slots <- struct{}{} // both taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "Gongkai2026!"); tracker.ErrorCode(err) != tracker.EBusy {
		t.Errorf("a full hasher: %v", err)
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, hb := NewToken()
	if a == b || ha == hb || !strings.HasPrefix(a, "gk_") || len(a) != 46 || TokenHash(a) != ha || strings.Contains(ha, a) {
		t.Errorf("tokens %q %q, hashes %q %q", a, b, ha, hb)
	}
}

func TestLockout(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	a := &Account{Name: "zhangsan"}
	for i := 1; i <= 4; i++ {
		if err := a.Attempt(now, false, DefaultLockout); tracker.ErrorCode(err) != EBadLogin || a.Locked(now) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	err := a.Attempt(now, false, DefaultLockout)
	if tracker.ErrorCode(err) != ELocked || !a.Locked(now) || !a.Locked(now.Add(14*time.Minute)) || a.Locked(now.Add(15*time.Minute)) {
		t.Fatalf("the fifth failure: %v, %+v", err, a)
	}
	// While locked, even the right password is refused, and nothing counts.
	if err := a.Attempt(now.Add(time.Minute), true, DefaultLockout); tracker.ErrorCode(err) != ELocked || !a.Locked(now.Add(time.Minute)) {
		t.Errorf("the right password while locked: %v, %+v", err, a)
	}
	if err := a.Attempt(now.Add(time.Minute), false, DefaultLockout); tracker.ErrorCode(err) != ELocked || a.Failures != 0 {
		t.Errorf("a failure while locked: %v, %+v", err, a)
	}
	later := now.Add(20 * time.Minute)
	a.Attempt(later, false, DefaultLockout)
	if err := a.Attempt(later, true, DefaultLockout); err != nil || a.Failures != 0 {
		t.Errorf("after a good login: %v, %+v", err, a)
	}
	// A lockout set to nothing is the default, not a lock at the first failure.
	b := &Account{Name: "lisi"}
	if err := b.Attempt(now, false, Lockout{}); tracker.ErrorCode(err) != EBadLogin {
		t.Errorf("Lockout{}: %v", err)
	}
	a.Attempt(now, false, Lockout{After: 1, For: time.Hour})
	a.Unlock()
	if a.Locked(now) {
		t.Error("unlocked account still locked")
	}
}

// BenchmarkHash is one login's cost at the default costs:
//
//	go test ./tracker/access -run XXX -bench Hash -benchmem
func BenchmarkHash(b *testing.B) {
	h, _ := NewHasher(DefaultParams, 1)
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "Gongkai2026!"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSections(t *testing.T) {
	cat := tracker.EmbeddedCatalog()
	l1 := cat.Level1s()
	if len(l1) < 2 {
		t.Fatalf("一级事项: %v", l1)
	}
	s := &Section{Name: " 社保股 ", Level1: []string{l1[0], " " + l1[1], l1[0]}}
	if err := CheckSection(s, cat); err != nil || s.Name != "社保股" || len(s.Level1) != 2 {
		t.Errorf("%+v, %v", s, err)
	}
	for _, tc := range []struct {
		s     Section
		field string
		want  string
	}{
		{Section{Name: "", Level1: l1[:1]}, tracker.FieldSection, "股室名称不能为空"},
		{Section{Name: "社保\x1b股", Level1: l1[:1]}, tracker.FieldSection, "股室名称"},
		{Section{Name: "社保股"}, tracker.FieldLevel1, "没有指定一级事项"},
		{Section{Name: "社保股", Level1: []string{"不存在的事项"}}, tracker.FieldLevel1, `一级事项 "不存在的事项" 不在目录`},
	} {
		e := tracker.AsError(CheckSection(&tc.s, cat))
		if e == nil || e.Field != tc.field || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%+v: %v, want %s %q", tc.s, e, tc.field, tc.want)
		}
	}
	secs := []Section{{Name: "甲", Level1: l1[:1]}, {Name: "乙", Level1: l1[:2]}}
	for _, tc := range []struct {
		roles []Role
		secs  []Section
		all   bool
		reach []string
	}{
		{[]Role{Officer}, nil, true, nil},
		{[]Role{Supervisor}, nil, true, nil},
		{[]Role{Staff, Officer}, secs[:1], true, nil},
		{[]Role{Staff}, secs, false, l1[:2]},
		{[]Role{Staff}, nil, false, nil},
		{[]Role{Staff, Admin}, secs[:1], false, l1[:1]},
		{[]Role{Admin}, secs, false, nil},
		{[]Role{Auditor}, nil, false, nil},
	} {
		sc := ScopeOf(tc.roles, tc.secs)
		if sc.All != tc.all || strings.Join(sc.Level1, "|") != strings.Join(tc.reach, "|") {
			t.Errorf("ScopeOf(%v, %v) = %+v", tc.roles, tc.secs, sc)
		}
		if !tc.all && len(tc.reach) < len(l1) && sc.Reaches(l1[len(l1)-1]) {
			t.Errorf("%v reaches %s", tc.roles, l1[len(l1)-1])
		}
	}
}
