package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/atomic"
)

// Client is app.Service over the API: the CLI on a desk, or on the
// server's machine through its socket. Who acts is the token's account
// (or, through the socket, the local user): the context's actor is not
// sent.
type Client struct {
	// Base is the server's address ("https://gongkai.example.gov.cn"); for
	// a socket, "http://gongkai" with HTTP dialling it.
	Base  string
	Token string
	HTTP  *http.Client
	// Where names the server in messages: its address, or the socket's
	// path.
	Where string
}

var _ app.Service = (*Client)(nil)

// defaultClient follows no redirect (the API makes none, and a token must
// not follow one to another address or to plain HTTP) and gives up on a
// server that does not answer a connection in 10 s.
var defaultClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
	},
}

// NewSocketClient returns a Client that reaches the server through its
// Unix socket at path.
func NewSocketClient(path string) *Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &Client{Base: "http://gongkai", Where: path, HTTP: &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// call sends in (nil: no body) and reads the answer into out (nil: none).
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &tracker.Error{Code: tracker.EUnavailable, Field: FieldServer, Err: err,
			Message: fmt.Sprintf("服务器 %s 的应答无法读取（%v）", c.where(), err)}
	}
	return nil
}

// FieldServer is the field of failures to reach the server.
const FieldServer = "server"

func (c *Client) where() string {
	if c.Where != "" {
		return c.Where
	}
	return c.Base
}

// send sends a request and returns a successful response, or the
// server's error as a *tracker.Error.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		js, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Base, "/")+path, body)
	if err != nil {
		return nil, &tracker.Error{Code: tracker.EInvalid, Field: FieldServer, Err: err,
			Message: fmt.Sprintf("服务器地址 %q 无效（%v）", c.Base, err)}
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &tracker.Error{Code: tracker.EUnavailable, Field: FieldServer, Err: err,
			Message: fmt.Sprintf("无法连接服务器 %s：%s", c.where(), tracker.OSProblem(err))}
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e Error
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(b, &e) != nil || e.Code == "" {
		return nil, &tracker.Error{Code: tracker.EUnavailable, Field: FieldServer,
			Message: fmt.Sprintf("服务器 %s 应答 %s（不是 gongkai 的应答：地址对吗？）", c.where(), resp.Status)}
	}
	return nil, &tracker.Error{Code: e.Code, Field: e.Field, Message: e.Message}
}

// localOnly is the answer to what only the server's machine may do.
func localOnly(op access.Operation) error {
	return access.Check(nil, op)
}

// Init is done on the server's machine only: through its socket.
func (c *Client) Init(ctx context.Context) (out *app.InitResult, err error) {
	return out, c.call(ctx, "POST", "/api/v1/init", nil, &out)
}

func (c *Client) Log(ctx context.Context, in app.LogInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", "/api/v1/events", in, &out)
}

func eventPath(id uint64, what string) string {
	return "/api/v1/events/" + strconv.FormatUint(id, 10) + "/" + what
}

func (c *Client) Disclose(ctx context.Context, in app.DiscloseInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "disclose"), in, &out)
}

func (c *Client) Waive(ctx context.Context, in app.WaiveInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "waive"), in, &out)
}

func (c *Client) Amend(ctx context.Context, in app.AmendInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "amend"), in, &out)
}

func (c *Client) Retract(ctx context.Context, in app.RetractInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "retract"), in, &out)
}

func (c *Client) Reopen(ctx context.Context, in app.ReopenInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "reopen"), in, &out)
}

func (c *Client) Cancel(ctx context.Context, in app.ReasonInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "cancel"), in, &out)
}

func (c *Client) Restore(ctx context.Context, in app.ReasonInput) (out *app.EventDetail, err error) {
	return out, c.call(ctx, "POST", eventPath(in.Event, "restore"), in, &out)
}

func (c *Client) ImportEvents(ctx context.Context, in app.ImportEventsInput) (out *app.ImportEventsResult, err error) {
	if in.Progress != nil {
		in.Progress("check", 0, len(in.Rows))
	}
	return out, c.call(ctx, "POST", "/api/v1/events/import", in, &out)
}

// Events reads every page of the list.
func (c *Client) Events(ctx context.Context, q app.EventQuery) (*app.EventList, error) {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Open {
		v.Set("open", "true")
	}
	if q.Overdue {
		v.Set("overdue", "true")
	}
	if q.DueWithin != nil {
		v.Set("due_within", strconv.Itoa(*q.DueWithin))
	}
	set("matter", q.Matter)
	set("level1", q.Level1)
	set("text", q.Text)
	set("by", q.By)
	set("order", q.Order)
	set("section", q.Section)
	for k, d := range map[string]calendar.Date{"from": q.From, "to": q.To, "as_of": q.AsOf, "due_from": q.DueFrom, "due_to": q.DueTo} {
		if !d.IsZero() {
			v.Set(k, d.String())
		}
	}
	var st []string
	for _, s := range q.Status {
		st = append(st, string(s))
	}
	set("status", strings.Join(st, ","))
	v.Set("limit", strconv.Itoa(MaxLimit))
	out := &app.EventList{Events: []tracker.EventView{}}
	for offset := 0; ; {
		v.Set("offset", strconv.Itoa(offset))
		var page EventPage
		if err := c.call(ctx, "GET", "/api/v1/events?"+v.Encode(), nil, &page); err != nil {
			return nil, err
		}
		out.AsOf = page.AsOf
		out.Events = append(out.Events, page.Events...)
		offset += len(page.Events)
		if !page.More || len(page.Events) == 0 {
			return out, nil
		}
		if page.AsOf != q.AsOf && q.AsOf.IsZero() {
			v.Set("as_of", page.AsOf.String()) // the later pages as of the same day
		}
	}
}

func (c *Client) Event(ctx context.Context, q app.EventRef) (out *app.EventDetail, err error) {
	path := "/api/v1/events/" + strconv.FormatUint(q.ID, 10)
	if !q.AsOf.IsZero() {
		path += "?as_of=" + q.AsOf.String()
	}
	return out, c.call(ctx, "GET", path, nil, &out)
}

func (c *Client) Overview(ctx context.Context, q app.OverviewQuery) (out *app.Overview, err error) {
	v := url.Values{}
	if !q.AsOf.IsZero() {
		v.Set("as_of", q.AsOf.String())
	}
	if q.Overdue != 0 {
		v.Set("overdue", strconv.Itoa(q.Overdue))
	}
	return out, c.call(ctx, "GET", "/api/v1/overview?"+v.Encode(), nil, &out)
}

func (c *Client) SentReports(ctx context.Context) (out *app.SentReportList, err error) {
	return out, c.call(ctx, "GET", "/api/v1/reports/sent", nil, &out)
}

func (c *Client) SentReportContent(ctx context.Context, day calendar.Date) (out *app.SentReport, err error) {
	return out, c.call(ctx, "GET", "/api/v1/reports/sent/"+day.String(), nil, &out)
}

func (c *Client) Status(ctx context.Context) (out *app.SystemStatus, err error) {
	return out, c.call(ctx, "GET", "/api/v1/status", nil, &out)
}

func (c *Client) Matters(ctx context.Context, q app.MatterQuery) (out *app.MatterList, err error) {
	return out, c.call(ctx, "GET", "/api/v1/matters?search="+url.QueryEscape(q.Search), nil, &out)
}

func (c *Client) Matter(ctx context.Context, query string) (out *app.MatterDetail, err error) {
	return out, c.call(ctx, "GET", "/api/v1/matters/"+url.PathEscape(query), nil, &out)
}

func (c *Client) ImportCatalog(ctx context.Context, in app.CatalogImportInput) (out *app.CatalogImportResult, err error) {
	return out, c.call(ctx, "POST", "/api/v1/catalog/import", in, &out)
}

func (c *Client) Audit(ctx context.Context, q app.AuditQuery) (out *app.AuditList, err error) {
	v := url.Values{}
	for k, d := range map[string]calendar.Date{"from": q.From, "to": q.To} {
		if !d.IsZero() {
			v.Set(k, d.String())
		}
	}
	if q.Event != 0 {
		v.Set("event", strconv.FormatUint(q.Event, 10))
	}
	if q.Actor != "" {
		v.Set("actor", q.Actor)
	}
	if q.Action != "" {
		v.Set("action", q.Action)
	}
	path := "/api/v1/audit"
	if q.Logins {
		path += "/logins"
	}
	return out, c.call(ctx, "GET", path+"?"+v.Encode(), nil, &out)
}

func (c *Client) VerifyAudit(ctx context.Context) (out *app.AuditVerification, err error) {
	return out, c.call(ctx, "GET", "/api/v1/audit/verify", nil, &out)
}

// Calendar is the server's: the schedules in force there.
func (c *Client) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	var s CalendarSchedules
	if err := c.call(ctx, "GET", "/api/v1/calendar", nil, &s); err != nil {
		return nil, err
	}
	return calendar.New(s.Schedules...)
}

func (c *Client) ImportCalendar(ctx context.Context, in app.CalendarImportInput) (out *app.CalendarImportResult, err error) {
	return out, c.call(ctx, "POST", "/api/v1/calendar/import", in, &out)
}

func (c *Client) RemindRun(ctx context.Context, in app.RemindInput) (out *app.RemindResult, err error) {
	return out, c.call(ctx, "POST", "/api/v1/reminders/run", in, &out)
}

func (c *Client) WeeklyReport(ctx context.Context, in app.ReportInput) (out *tracker.WeeklyReport, err error) {
	path := "/api/v1/reports/weekly"
	if !in.Day.IsZero() {
		path += "?day=" + in.Day.String()
	}
	return out, c.call(ctx, "GET", path, nil, &out)
}

func (c *Client) SendWeeklyReport(ctx context.Context, in app.ReportInput) (out *app.ReportSent, err error) {
	return out, c.call(ctx, "POST", "/api/v1/reports/weekly/send", in, &out)
}

func (c *Client) SendDueWeeklyReports(ctx context.Context, _ app.Schedule) (*app.ReportSent, error) {
	return nil, localOnly(access.OpJobs)
}

func (c *Client) Outbox(ctx context.Context) (out *app.OutboxList, err error) {
	return out, c.call(ctx, "GET", "/api/v1/outbox", nil, &out)
}

func (c *Client) FlushOutbox(ctx context.Context, in app.FlushInput) (out *app.Delivery, err error) {
	return out, c.call(ctx, "POST", "/api/v1/outbox/flush", in, &out)
}

func (c *Client) RetryMessage(ctx context.Context, in app.RetryInput) (out *app.Delivery, err error) {
	return out, c.call(ctx, "POST", "/api/v1/outbox/"+strconv.FormatUint(in.ID, 10)+"/retry", in, &out)
}

// Backup downloads a consistent copy of the server's database into dst,
// a new file on this machine.
func (c *Client) Backup(ctx context.Context, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return tracker.Invalid(tracker.FieldFile, "备份文件 %q 已存在：请换一个文件名，或先移走旧文件", dst)
	}
	resp, err := c.send(ctx, "GET", "/api/v1/backup", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	err = atomic.Write(dst, 0o600, false, func(w io.Writer) error {
		_, err := io.Copy(w, resp.Body)
		return err
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, atomic.ErrExist):
		return tracker.Invalid(tracker.FieldFile, "备份文件 %s 在备份期间被其他程序创建，未覆盖它：请换一个文件名", dst)
	}
	return &tracker.Error{Code: tracker.EUnavailable, Field: tracker.FieldFile, Err: err,
		Message: fmt.Sprintf("备份到 %s 失败：%s", dst, tracker.OSProblem(err))}
}

func (c *Client) Check(ctx context.Context) (out *app.CheckResult, err error) {
	return out, c.call(ctx, "GET", "/api/v1/check", nil, &out)
}

// Dump is done on the server's machine only: through its socket.
func (c *Client) Dump(ctx context.Context, bucket string, w io.Writer) error {
	resp, err := c.send(ctx, "GET", "/api/v1/dump?bucket="+url.QueryEscape(bucket), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

func (c *Client) Login(ctx context.Context, in app.LoginInput) (out *app.LoginResult, err error) {
	return out, c.call(ctx, "POST", "/api/v1/login", in, &out)
}

func (c *Client) Logout(ctx context.Context) error {
	return c.call(ctx, "POST", "/api/v1/logout", nil, nil)
}

func (c *Client) Whoami(ctx context.Context) (out *app.AccountInfo, err error) {
	return out, c.call(ctx, "GET", "/api/v1/whoami", nil, &out)
}

func (c *Client) ChangePassword(ctx context.Context, in app.PasswordChange) error {
	return c.call(ctx, "POST", "/api/v1/password", in, nil)
}

func (c *Client) Tokens(ctx context.Context, q app.TokenQuery) (out *app.TokenList, err error) {
	return out, c.call(ctx, "GET", "/api/v1/tokens?account="+url.QueryEscape(q.Account), nil, &out)
}

func (c *Client) RevokeToken(ctx context.Context, in app.TokenRevoke) error {
	return c.call(ctx, "DELETE", "/api/v1/tokens/"+url.PathEscape(in.ID), nil, nil)
}

func (c *Client) CreateAccount(ctx context.Context, in app.AccountInput) (out *app.AccountPassword, err error) {
	return out, c.call(ctx, "POST", "/api/v1/accounts", in, &out)
}

func accountPath(name, what string) string {
	p := "/api/v1/accounts/" + url.PathEscape(name)
	if what != "" {
		p += "/" + what
	}
	return p
}

func (c *Client) ResetPassword(ctx context.Context, name string) (out *app.AccountPassword, err error) {
	return out, c.call(ctx, "POST", accountPath(name, "reset-password"), nil, &out)
}

func (c *Client) Accounts(ctx context.Context) (out *app.AccountList, err error) {
	return out, c.call(ctx, "GET", "/api/v1/accounts", nil, &out)
}

func (c *Client) UpdateAccount(ctx context.Context, in app.AccountUpdate) (out *app.AccountInfo, err error) {
	return out, c.call(ctx, "PATCH", accountPath(in.Name, ""), in, &out)
}

func (c *Client) SetAccountState(ctx context.Context, in app.AccountState) (out *app.AccountInfo, err error) {
	switch in.Action {
	case app.AccountDisable, app.AccountEnable, app.AccountUnlock:
	default:
		return nil, tracker.Invalid(tracker.FieldAction, "操作 %q 无效：应为 disable、enable 或 unlock", in.Action)
	}
	return out, c.call(ctx, "POST", accountPath(in.Name, in.Action), nil, &out)
}

func (c *Client) PutSection(ctx context.Context, in app.SectionInput) (out *access.Section, err error) {
	if in.New {
		return out, c.call(ctx, "POST", "/api/v1/sections", in, &out)
	}
	return out, c.call(ctx, "PUT", "/api/v1/sections/"+url.PathEscape(in.Name), in, &out)
}

func (c *Client) Sections(ctx context.Context) (out *app.SectionList, err error) {
	return out, c.call(ctx, "GET", "/api/v1/sections", nil, &out)
}
