package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gongkai/tracker/api"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the routes' Go types")

// openapi.json is what the routes' Go types make: run
// go test ./tracker/api -run OpenAPI -update after changing one.
func TestOpenAPIUpToDate(t *testing.T) {
	want, err := api.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("openapi.json is not what the routes' Go types make: run go test ./tracker/api -run OpenAPIUpToDate -update")
	}
}

// Every route is in the document, and the document has no route the
// server lacks.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadSpec(t)
	s := api.New(api.Config{Service: &api.Client{}})
	served := map[string]bool{}
	for _, p := range s.Patterns() {
		served[p] = true
		method, path, _ := strings.Cut(p, " ")
		if doc.op(method, path) == nil {
			t.Errorf("%s is not in openapi.json", p)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.json has %s %s, which the server does not serve", strings.ToUpper(method), path)
			}
		}
	}
	// Served as it is checked in.
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var served2 map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&served2); err != nil || served2["openapi"] != "3.1.0" {
		t.Errorf("served: %v %v", served2["openapi"], err)
	}
}

// spec is the parts of the document the checks read.
type spec struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

type operation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func (s *spec) op(method, path string) *operation {
	raw, ok := s.Paths[path][strings.ToLower(method)]
	if !ok {
		return nil
	}
	var op operation
	json.Unmarshal(raw, &op)
	return &op
}

// match finds the documented route of a request's path.
func (s *spec) match(method, path string) (string, *operation) {
	for p := range s.Paths {
		re := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		if regexp.MustCompile(re).MatchString(path) {
			if op := s.op(method, p); op != nil {
				return p, op
			}
		}
	}
	return "", nil
}

// validate checks a JSON value against a schema of the subset the
// document uses: type (one or several), properties, required,
// additionalProperties, items, anyOf, $ref.
func (s *spec) validate(schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		sub, ok := s.Components.Schemas[name]
		if !ok {
			return []string{at + ": no schema " + name}
		}
		return s.validate(sub, v, at)
	}
	if alts, ok := schema["anyOf"].([]any); ok {
		for _, alt := range alts {
			if len(s.validate(alt.(map[string]any), v, at)) == 0 {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %v matches none of anyOf", at, v)}
	}
	var types []string
	switch ty := schema["type"].(type) {
	case string:
		types = []string{ty}
	case []any:
		for _, x := range ty {
			types = append(types, x.(string))
		}
	}
	if len(types) > 0 && !slices.Contains(types, jsonTypeOf(v)) && !(jsonTypeOf(v) == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: a %s, the document says %v", at, jsonTypeOf(v), types)}
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		if props != nil {
			for k, val := range x {
				p, ok := props[k]
				if !ok {
					if schema["additionalProperties"] == false {
						out = append(out, at+": property "+k+" is not in the document")
					}
					continue
				}
				out = append(out, s.validate(p.(map[string]any), val, at+"."+k)...)
			}
			if req, ok := schema["required"].([]any); ok {
				for _, r := range req {
					if _, ok := x[r.(string)]; !ok {
						out = append(out, at+": required property "+r.(string)+" is missing")
					}
				}
			}
		} else if ap, ok := schema["additionalProperties"].(map[string]any); ok {
			for k, val := range x {
				out = append(out, s.validate(ap, val, at+"."+k)...)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, val := range x {
				out = append(out, s.validate(items, val, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
	}
	return out
}

func jsonTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// conformance wraps a handler so that every JSON answer is checked
// against the document; the problems are reported when the test ends.
func conformance(t *testing.T, h http.Handler) http.Handler {
	doc := loadSpec(t)
	var mu sync.Mutex
	var problems []string
	checked := 0
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Error(p)
		}
		if checked == 0 {
			t.Error("no answer was checked against openapi.json")
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		w.Write(body)
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || r.URL.Path == "/api/v1/openapi.json" {
			return
		}
		path, op := doc.match(r.Method, r.URL.Path)
		mu.Lock()
		defer mu.Unlock()
		if op == nil {
			if rec.Code < 400 {
				problems = append(problems, fmt.Sprintf("%s %s answered %d, and is not in openapi.json", r.Method, r.URL.Path, rec.Code))
			}
			return
		}
		resp, ok := op.Responses[strconv.Itoa(rec.Code)]
		if !ok {
			if rec.Code < 400 {
				problems = append(problems, fmt.Sprintf("%s %s answered %d, which openapi.json does not give", r.Method, path, rec.Code))
				return
			}
			resp = op.Responses["default"]
		}
		c, ok := resp.Content["application/json"]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s %s answered %d with JSON, which openapi.json does not give", r.Method, path, rec.Code))
			return
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: not JSON: %v", r.Method, path, err))
			return
		}
		checked++
		for _, p := range doc.validate(c.Schema, v, r.Method+" "+path+" "+strconv.Itoa(rec.Code)) {
			problems = append(problems, p)
		}
	})
}

// The checker itself finds what does not match.
func TestValidatorFindsMismatches(t *testing.T) {
	doc := loadSpec(t)
	_, op := doc.match("GET", "/api/v1/events/12")
	schema := op.Responses["200"].Content["application/json"].Schema
	for _, tc := range []struct {
		body, want string
	}{
		{`{"as_of": "2026-11-20", "view": {}, "event": null, "late_after": 5, "version": "v1"}`, "version: a string"},
		{`{"as_of": "2026-11-20", "view": {}, "event": null, "late_after": 5}`, "required property version is missing"},
		{`{"as_of": "2026-11-20", "view": {}, "event": null, "late_after": 5, "version": 1, "owner": "x"}`, "property owner is not in the document"},
	} {
		var v any
		json.Unmarshal([]byte(tc.body), &v)
		got := strings.Join(doc.validate(schema, v, "x"), "\n")
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.body, got, tc.want)
		}
	}
}
