package tracker

import (
	"strings"
	"testing"
)

// A recipient address is one address on one line, as the configuration's.
func TestAddress(t *testing.T) {
	for _, ok := range []string{"officer@example.gov.cn", " 专员 <officer@example.gov.cn> "} {
		if got, err := Address(FieldTo, ok); err != nil || got != strings.TrimSpace(ok) {
			t.Errorf("Address(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "   ", "officer", "a@b.cn\nBcc: x@y.cn", "a@b.cn, c@d.cn", "\u202ea@b.cn", strings.Repeat("a", 400) + "@b.cn"} {
		_, err := Address(FieldTo, bad)
		if e := AsError(err); e == nil || e.Code != EInvalid || e.Field != FieldTo {
			t.Errorf("Address(%q) = %v, want an invalid recipient", bad, err)
		}
	}
}
