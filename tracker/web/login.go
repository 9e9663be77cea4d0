package web

import (
	"net/http"
	"strings"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// loginForm is the login page's data.
type loginForm struct {
	Account    string
	Next       string
	Why        string
	MustChange bool
}

// safeNext is where to go after a login: a path of this site only.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || len(next) > 2000 {
		return "/"
	}
	return next
}

func (s *Server) loginShow(w http.ResponseWriter, q *request) error {
	f := loginForm{Next: safeNext(q.URL.Query().Get("next"))}
	switch q.URL.Query().Get("why") {
	case "idle":
		f.Why = "超过 30 分钟未操作，已自动退出，请重新登录。"
	case "ended":
		f.Why = "登录已失效（已退出、过期或被管理员撤销），请重新登录。"
	case "out":
		f.Why = "已退出。"
	}
	if f.Next == "/" {
		f.Next = ""
	}
	s.page(w, q, http.StatusOK, "login", &view{Title: "登录", Data: f})
	return nil
}

func (s *Server) loginCheck(w http.ResponseWriter, q *request) error {
	if err := q.ParseForm(); err != nil {
		return formError(err)
	}
	f := loginForm{Account: strings.TrimSpace(q.PostForm.Get("account")), Next: safeNext(q.PostForm.Get("next")),
		MustChange: q.PostForm.Has("new_password")}
	var in app.LoginInput
	again := func(err error) error {
		e := tracker.AsError(err)
		if e != nil && e.Code == tracker.EMustChange {
			f.MustChange = true
		}
		if e == nil {
			return err
		}
		if e.Code == tracker.EMustChange && in.NewPassword == "" {
			// Not a failure: the form now asks for the new password.
			s.page(w, q, http.StatusOK, "login", &view{Title: "登录", Data: f})
			return nil
		}
		s.page(w, q, status(err), "login", &view{Title: "登录", Error: e, Data: f})
		return nil
	}
	if s.cfg.AllowLogin != nil && !s.cfg.AllowLogin(q.Request, f.Account) {
		w.Header().Set("Retry-After", "60")
		return again(tracker.FieldErrorf(eTooMany, tracker.FieldAccount, "登录尝试太频繁，请一分钟后再试"))
	}
	in = app.LoginInput{Account: f.Account, Password: q.PostForm.Get("password"), Kind: access.WebSession,
		Label: browserLabel(q.UserAgent())}
	if f.MustChange {
		in.NewPassword = q.PostForm.Get("new_password")
		if in.NewPassword != q.PostForm.Get("new_password2") {
			return again(tracker.FieldErrorf(tracker.EInvalid, tracker.FieldNewPassword, "两次输入的新密码不一致"))
		}
	}
	out, err := s.cfg.Service.Login(q.Context(), in)
	if err != nil {
		return again(err)
	}
	s.setCookie(w, q.Request, out.Token)
	s.redirect(w, q.Request, f.Next)
	return nil
}

// browserLabel names a session's browser for the list of tokens.
func browserLabel(ua string) string {
	name := "浏览器"
	for _, b := range []struct{ sub, name string }{{"Edg/", "Edge"}, {"QIHU", "360 浏览器"}, {"Chrome/", "Chrome"}, {"Firefox/", "Firefox"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.sub) {
			name = b.name
			break
		}
	}
	return "网页（" + name + "）"
}

func (s *Server) logout(w http.ResponseWriter, q *request) error {
	if err := s.cfg.Service.Logout(q.Context()); err != nil {
		return err
	}
	s.dropCookie(w, q.Request)
	s.redirect(w, q.Request, "/login?why=out")
	return nil
}

func (s *Server) passwordShow(w http.ResponseWriter, q *request) error {
	s.page(w, q, http.StatusOK, "password", &view{Title: "修改密码"})
	return nil
}

func (s *Server) passwordChange(w http.ResponseWriter, q *request) error {
	if err := q.ParseForm(); err != nil {
		return formError(err)
	}
	in := app.PasswordChange{Current: q.PostForm.Get("current"), New: q.PostForm.Get("new")}
	err := error(nil)
	if in.New != q.PostForm.Get("new2") {
		err = tracker.FieldErrorf(tracker.EInvalid, tracker.FieldNewPassword, "两次输入的新密码不一致")
	} else {
		err = s.cfg.Service.ChangePassword(q.Context(), in)
	}
	if e := tracker.AsError(err); e != nil {
		s.page(w, q, status(err), "password", &view{Title: "修改密码", Error: e})
		return nil
	} else if err != nil {
		return err
	}
	me := *q.me // the cached principal is shared: not changed here
	me.MustChange = false
	q.me = &me
	s.page(w, q, http.StatusOK, "password", &view{Title: "修改密码", Notice: "密码已修改。"})
	return nil
}

// formError is a form that could not be read.
func formError(err error) error {
	return tracker.FieldErrorf(tracker.EInvalid, "body", "提交的表单无法读取：%v", err)
}
