package tracker

import "testing"

func TestEventBindingSound(t *testing.T) {
	for _, tc := range []struct {
		b    EventBinding
		want string
	}{
		{EventBinding{Bound: 3, Unbound: []uint64{}}, "3 个事件均与审计日志所记相符。"},
		// Events older than the hashes, before the baseline binds them.
		{EventBinding{Bound: 1, Unbound: []uint64{2, 5}},
			"1 个事件与审计日志所记相符；2 个未绑定（写于审计日志记录事件哈希之前，尚未建立基线），内容无从核对：事件 2、5。"},
	} {
		if got := tc.b.Sound(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.b, got, tc.want)
		}
	}
}
