package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"gongkai/tracker"
)

// Error is the body of every failed request.
type Error struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Codes of the API's own failures, beside tracker's.
const (
	ETooLarge     = "too_large"
	ETooMany      = "too_many_requests"
	EInternal     = "internal"
	EMethod       = "method_not_allowed"
	EUnsupported  = "unsupported_media_type"
	FieldBody     = "body"
	FieldIfMatch  = "if-match"
	FieldEndpoint = "path"
)

// statusOf is the HTTP status of each error code.
var statusOf = map[string]int{
	tracker.EInvalid:         http.StatusBadRequest,
	tracker.EUnauthenticated: http.StatusUnauthorized,
	tracker.EForbidden:       http.StatusForbidden,
	tracker.EMustChange:      http.StatusForbidden,
	tracker.ENotFound:        http.StatusNotFound,
	tracker.EConflict:        http.StatusConflict,
	ETooLarge:                http.StatusRequestEntityTooLarge,
	EUnsupported:             http.StatusUnsupportedMediaType,
	tracker.ELocked:          http.StatusLocked,
	ETooMany:                 http.StatusTooManyRequests,
	tracker.EBusy:            http.StatusServiceUnavailable,
	tracker.EUnavailable:     http.StatusServiceUnavailable,
	tracker.EDamaged:         http.StatusInternalServerError,
	EMethod:                  http.StatusMethodNotAllowed,
	EInternal:                http.StatusInternalServerError,
}

// writeError answers with err: a *tracker.Error as it is, anything else
// as an internal error whose detail goes to the log only.
func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	body := Error{Code: EInternal, Message: "服务器内部错误，请联系系统管理员查看服务器日志"}
	if e := tracker.AsError(err); e != nil {
		body = Error{Code: e.Code, Field: e.Field, Message: e.Message}
	}
	status, ok := statusOf[body.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if body.Code == tracker.EUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gongkai"`)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decode reads a JSON body into v: one object, no unknown field, within
// the body's bound. Failures name the field.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return tracker.FieldErrorf(EUnsupported, FieldBody, "请求内容的类型 %q 不对：应为 application/json", ct)
	}
	d := json.NewDecoder(r.Body)
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil && d.More() {
		return tracker.FieldErrorf(tracker.EInvalid, FieldBody, "请求内容在 JSON 对象之后还有多余的内容")
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return tracker.FieldErrorf(ETooLarge, FieldBody, "请求内容太大：至多 %d 字节", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return tracker.FieldErrorf(tracker.EInvalid, FieldBody, "请求内容为空：应为一个 JSON 对象")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return tracker.FieldErrorf(tracker.EInvalid, FieldBody, "请求内容不是有效的 JSON（%v）", err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = FieldBody
		}
		return tracker.FieldErrorf(tracker.EInvalid, field, "字段 %s 的类型不对：应为 %s", field, jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return tracker.FieldErrorf(tracker.EInvalid, name, "未知字段 %q", name)
	}
	// A value that reads itself (a date, a kind) and refuses.
	if e := tracker.AsError(err); e != nil {
		return err
	}
	return tracker.FieldErrorf(tracker.EInvalid, FieldBody, "请求内容无法读取（%v）", err)
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "字符串"
	case "int", "int64", "uint64", "uint", "int32", "float64":
		return "数字"
	case "bool":
		return "true 或 false"
	case "slice":
		return "数组"
	case "struct", "map", "ptr":
		return "对象"
	}
	return kind
}
