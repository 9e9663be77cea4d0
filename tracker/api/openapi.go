package api

import (
	"encoding"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "embed"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// The OpenAPI 3.1 document of the API: made from docs and the Go types
// of each route's body and answer (Spec), checked in as openapi.json and
// served at /api/v1/openapi.json. Tests fail when a route is missing from
// docs, when openapi.json is not what Spec makes, and when an answer does
// not match its schema.

//go:embed openapi.json
var openapiJSON []byte

// routeDoc documents one route.
type routeDoc struct {
	Method, Path, Summary string
	Open                  bool // no token needed
	In, Out               any  // zero values of the body's and the answer's types; nil: none
	Status                int  // of success; 0: 200
	Query                 []string
	// Content is the answer's media type when it is not JSON.
	Content string
}

var eventQuery = []string{"open", "overdue", "due_within", "matter", "level1", "text", "by", "from", "to", "as_of", "status", "section", "due_from", "due_to", "order", "offset", "limit"}
var auditParams = []string{"from", "to", "event", "actor", "action"}

// docs are every route of the API.
var docs = []routeDoc{
	{Method: "GET", Path: "/api/v1/health", Summary: "服务器是否在运行", Open: true, Out: map[string]string{}},
	{Method: "GET", Path: "/api/v1/openapi.json", Summary: "本文档", Open: true, Content: "application/json"},
	{Method: "POST", Path: "/api/v1/login", Summary: "登录：签发登录凭据", Open: true, In: app.LoginInput{}, Out: app.LoginResult{}},
	{Method: "POST", Path: "/api/v1/logout", Summary: "退出：撤销本次请求的凭据", Status: 204},
	{Method: "GET", Path: "/api/v1/whoami", Summary: "当前账号", Out: app.AccountInfo{}},
	{Method: "POST", Path: "/api/v1/password", Summary: "修改自己的密码", In: app.PasswordChange{}, Status: 204},
	{Method: "GET", Path: "/api/v1/tokens", Summary: "登录凭据列表", Out: app.TokenList{}, Query: []string{"account"}},
	{Method: "DELETE", Path: "/api/v1/tokens/{id}", Summary: "撤销登录凭据", Status: 204},

	{Method: "GET", Path: "/api/v1/events", Summary: "事件列表（分页）", Out: EventPage{}, Query: eventQuery},
	{Method: "POST", Path: "/api/v1/events", Summary: "登记事件（dry_run：只预览期限，不登记，200）", In: app.LogInput{}, Out: app.EventDetail{}, Status: 201},
	{Method: "GET", Path: "/api/v1/overview", Summary: "总览：未结、逾期、将到期的件数，按时公开率，逾期最久的事件", Out: app.Overview{}, Query: []string{"as_of", "overdue"}},
	{Method: "GET", Path: "/api/v1/events/{id}", Summary: "一个事件（ETag：版本）", Out: app.EventDetail{}, Query: []string{"as_of"}},
	{Method: "POST", Path: "/api/v1/events/{id}/disclose", Summary: "登记公开（If-Match）", In: app.DiscloseInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/{id}/waive", Summary: "免于公开（If-Match）", In: app.WaiveInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/{id}/amend", Summary: "更正（If-Match）", In: app.AmendInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/{id}/retract", Summary: "撤回一个渠道的公开记录（If-Match）", In: app.RetractInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/{id}/reopen", Summary: "重新打开（If-Match）", In: app.ReasonInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/{id}/cancel", Summary: "作废（If-Match）", In: app.ReasonInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/{id}/restore", Summary: "恢复作废的事件（If-Match）", In: app.ReasonInput{}, Out: app.EventDetail{}},
	{Method: "POST", Path: "/api/v1/events/import", Summary: "导入台账", In: app.ImportEventsInput{}, Out: app.ImportEventsResult{}},

	{Method: "GET", Path: "/api/v1/matters", Summary: "公开目录的事项", Out: app.MatterList{}, Query: []string{"search"}},
	{Method: "GET", Path: "/api/v1/matters/{query}", Summary: "一个事项（序号或名称）", Out: app.MatterDetail{}},
	{Method: "POST", Path: "/api/v1/catalog/import", Summary: "导入公开目录（可先 dry_run）", In: app.CatalogImportInput{}, Out: app.CatalogImportResult{}},
	{Method: "GET", Path: "/api/v1/calendar", Summary: "现行的放假安排", Out: CalendarSchedules{}},
	{Method: "GET", Path: "/api/v1/calendar/add", Summary: "从某日起数若干个工作日", Out: CalendarAdd{}, Query: []string{"date", "days"}},
	{Method: "GET", Path: "/api/v1/calendar/explain", Summary: "逐日说明期限是怎样算出来的", Out: CalendarExplanation{}, Query: []string{"date", "days"}},
	{Method: "GET", Path: "/api/v1/calendar/between", Summary: "两个日期之间的工作日数", Out: CalendarBetween{}, Query: []string{"from", "to"}},
	{Method: "GET", Path: "/api/v1/calendar/status", Summary: "各年放假安排是正式的还是暂估的", Out: CalendarStatus{}, Query: []string{"today"}},
	{Method: "POST", Path: "/api/v1/calendar/import", Summary: "导入一年的放假安排（可先 dry_run）", In: app.CalendarImportInput{}, Out: app.CalendarImportResult{}},

	{Method: "POST", Path: "/api/v1/reminders/run", Summary: "执行一次提醒", In: app.RemindInput{}, Out: app.RemindResult{}},
	{Method: "GET", Path: "/api/v1/reports/weekly", Summary: "周报（format：json、html、xlsx、csv）", Out: tracker.WeeklyReport{}, Query: []string{"day", "format"}},
	{Method: "POST", Path: "/api/v1/reports/weekly/send", Summary: "发出周报", In: app.ReportInput{}, Out: app.ReportSent{}},
	{Method: "GET", Path: "/api/v1/reports/sent", Summary: "发出过的周报（保存的原样，不重新计算）", Out: app.SentReportList{}},
	{Method: "GET", Path: "/api/v1/reports/sent/{day}", Summary: "某日发出的周报，含正文和附件", Out: app.SentReport{}},
	{Method: "GET", Path: "/api/v1/outbox", Summary: "发件箱", Out: app.OutboxList{}},
	{Method: "POST", Path: "/api/v1/outbox/flush", Summary: "发出待发的邮件", In: app.FlushInput{}, Out: app.Delivery{}},
	{Method: "POST", Path: "/api/v1/outbox/{id}/retry", Summary: "重发投递失败的邮件", In: app.RetryInput{}, Out: app.Delivery{}},

	{Method: "GET", Path: "/api/v1/audit", Summary: "审计日志", Out: app.AuditList{}, Query: auditParams},
	{Method: "GET", Path: "/api/v1/audit/logins", Summary: "登录记录", Out: app.AuditList{}, Query: auditParams},
	{Method: "GET", Path: "/api/v1/audit/verify", Summary: "校验审计日志", Out: app.AuditVerification{}},

	{Method: "GET", Path: "/api/v1/accounts", Summary: "账号列表", Out: app.AccountList{}},
	{Method: "POST", Path: "/api/v1/accounts", Summary: "新建账号（返回一次性密码）", In: app.AccountInput{}, Out: app.AccountPassword{}, Status: 201},
	{Method: "PATCH", Path: "/api/v1/accounts/{name}", Summary: "修改账号", In: app.AccountUpdate{}, Out: app.AccountInfo{}},
	{Method: "POST", Path: "/api/v1/accounts/{name}/disable", Summary: "停用账号", Out: app.AccountInfo{}},
	{Method: "POST", Path: "/api/v1/accounts/{name}/enable", Summary: "启用账号", Out: app.AccountInfo{}},
	{Method: "POST", Path: "/api/v1/accounts/{name}/unlock", Summary: "解锁账号", Out: app.AccountInfo{}},
	{Method: "POST", Path: "/api/v1/accounts/{name}/reset-password", Summary: "重置密码（返回一次性密码）", Out: app.AccountPassword{}},
	{Method: "GET", Path: "/api/v1/sections", Summary: "股室列表", Out: app.SectionList{}},
	{Method: "POST", Path: "/api/v1/sections", Summary: "新建股室", In: app.SectionInput{}, Out: access.Section{}, Status: 201},
	{Method: "PUT", Path: "/api/v1/sections/{name}", Summary: "修改股室", In: app.SectionInput{}, Out: access.Section{}},

	{Method: "POST", Path: "/api/v1/init", Summary: "初始化数据库（仅服务器本机）", Out: app.InitResult{}},
	{Method: "GET", Path: "/api/v1/dump", Summary: "全部记录，每行一条 JSON（仅服务器本机）", Query: []string{"bucket"}, Content: "application/x-ndjson"},
	{Method: "GET", Path: "/api/v1/status", Summary: "系统状态：数据库、发件箱、最近一次备份、后台任务", Out: app.SystemStatus{}},
	{Method: "GET", Path: "/api/v1/check", Summary: "检查数据库", Out: app.CheckResult{}},
	{Method: "GET", Path: "/api/v1/backup", Summary: "下载数据库的一致副本", Content: "application/octet-stream"},
}

// Spec returns the OpenAPI document that docs and the Go types make.
func Spec() ([]byte, error) {
	g := &specGen{schemas: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, d := range docs {
		op := map[string]any{"summary": d.Summary, "operationId": operationID(d)}
		if !d.Open {
			op["security"] = []any{map[string]any{"token": []string{}}}
		}
		var params []any
		for _, name := range pathParams(d.Path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range d.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if strings.Contains(d.Summary, "If-Match") {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if d.In != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(d.In))}}}
		}
		status := d.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case d.Content != "":
			ok["content"] = map[string]any{d.Content: map[string]any{}}
		case d.Out != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(d.Out))}}
		}
		responses := map[string]any{strconv.Itoa(status): ok,
			"default": map[string]any{"description": "错误", "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(Error{}))}}}}
		op["responses"] = responses
		if paths[d.Path] == nil {
			paths[d.Path] = map[string]any{}
		}
		paths[d.Path][strings.ToLower(d.Method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "gongkai API", "version": "1",
			"description": "政务公开时限提醒的接口。除 health、openapi.json 和 login 外，请求须带 Authorization: Bearer 登录凭据；错误为 {code, field, message}。"},
		"paths": paths,
		"components": map[string]any{
			"schemas":         g.schemas,
			"securitySchemes": map[string]any{"token": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func operationID(d routeDoc) string {
	id := strings.ToLower(d.Method)
	for _, p := range strings.Split(strings.TrimPrefix(d.Path, "/api/v1/"), "/") {
		p = strings.Trim(p, "{}")
		p = strings.NewReplacer("-", "_", ".", "_").Replace(p)
		id += "_" + p
	}
	return id
}

func pathParams(path string) []string {
	var out []string
	for _, p := range strings.Split(path, "/") {
		if strings.HasPrefix(p, "{") {
			out = append(out, strings.Trim(p, "{}"))
		}
	}
	return out
}

// specGen makes JSON schemas of Go types as encoding/json writes them.
type specGen struct{ schemas map[string]any }

var (
	timeType      = reflect.TypeFor[time.Time]()
	dateType      = reflect.TypeFor[calendar.Date]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
)

func (g *specGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case t == rawType, t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType):
		return map[string]any{} // its own JSON, whatever it is
	case t.Kind() != reflect.Pointer && t.Implements(textType), t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textType) && t.Kind() == reflect.Struct:
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem())
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": []string{"string", "null"}, "contentEncoding": "base64"}
		}
		return map[string]any{"type": []string{"array", "null"}, "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": []string{"object", "null"}, "additionalProperties": g.schema(t.Elem())}
	case reflect.Func, reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, done := g.schemas[name]; done {
			return ref
		}
		g.schemas[name] = map[string]any{} // recursion stops here
		props, required := map[string]any{}, []string{}
		g.fields(t, props, &required)
		sort.Strings(required)
		s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			s["required"] = required
		}
		g.schemas[name] = s
		return ref
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 {
		name = name[:i]
	}
	return pkg + "." + name
}

// fields adds a struct's fields as encoding/json writes them, embedded
// structs' flattened.
func (g *specGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}
