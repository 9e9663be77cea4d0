package notify

import (
	"bytes"
	"encoding/json"
	"testing"
)

type rec struct {
	ID   int    `json:"id"`
	Note string `json:"note"`
}

func TestWriteJSONList(t *testing.T) {
	for _, tc := range []struct {
		items []rec
		want  string
	}{
		{nil, "[]\n"},
		{[]rec{{1, "a<b>&c"}}, "[\n  {\"id\":1,\"note\":\"a\\u003cb\\u003e\\u0026c\"}\n]\n"},
		{[]rec{{1, "x"}, {2, "公示栏"}}, "[\n  {\"id\":1,\"note\":\"x\"},\n  {\"id\":2,\"note\":\"公示栏\"}\n]\n"},
	} {
		var b bytes.Buffer
		if err := WriteJSONList(&b, tc.items); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%v: %q, want %q", tc.items, b.String(), tc.want)
		}
		var back []rec
		if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != len(tc.items) {
			t.Errorf("%v: read back %v, %v", tc.items, back, err)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, rec{7, "https://example.gov.cn/?a=1&b=<2>"}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"id\": 7,\n  \"note\": \"https://example.gov.cn/?a=1&b=<2>\"\n}\n"; b.String() != want {
		t.Errorf("%q, want %q", b.String(), want)
	}
}
