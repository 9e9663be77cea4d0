package web

import (
	"net/http"
	"net/url"
	"strings"

	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
)

// adminPage is the 管理 page's data: accounts and sections, with the
// form that failed filled again, or a one-time password just made.
type adminPage struct {
	Accounts []app.AccountInfo
	Sections []access.Section
	Level1s  []string
	Roles    []access.Role
	// Failed names the form of the error ("account", "section:NAME", …);
	// Form is what it had.
	Failed string
	Form   url.Values
	// Password is a one-time password just made, shown once.
	Password *app.AccountPassword
	Tab      string
}

// Has reports whether the failed form had value in its field.
func (p *adminPage) Has(field, value string) bool {
	for _, v := range p.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

// Value is the failed form's field.
func (p *adminPage) Value(field string) string { return p.Form.Get(field) }

func (s *Server) adminPage(q *request) (*adminPage, error) {
	p := &adminPage{Roles: access.Roles, Tab: "accounts"}
	accounts, err := s.cfg.Service.Accounts(q.Context())
	if err != nil {
		return nil, err
	}
	sections, err := s.cfg.Service.Sections(q.Context())
	if err != nil {
		return nil, err
	}
	p.Accounts, p.Sections = accounts.Accounts, sections.Sections
	if cat, err := s.cfg.Service.Matters(q.Context(), app.MatterQuery{}); err == nil {
		for _, m := range cat.Matters {
			if len(p.Level1s) == 0 || p.Level1s[len(p.Level1s)-1] != m.Level1 {
				p.Level1s = appendNew(p.Level1s, m.Level1)
			}
		}
	}
	return p, nil
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// accounts is GET /admin/accounts.
func (s *Server) accounts(w http.ResponseWriter, q *request) error {
	p, err := s.adminPage(q)
	if err != nil {
		return err
	}
	done := map[string]string{"created": "账号已建立。", "updated": "账号已修改。", "disable": "账号已停用，其登录已全部撤销。",
		"enable": "账号已启用。", "unlock": "账号已解锁。", "section": "股室已保存。"}[q.URL.Query().Get("done")]
	s.page(w, q, http.StatusOK, "admin", &view{Title: "账号与股室", Nav: "admin", Notice: done, Data: p})
	return nil
}

// adminFailed shows the admin page again with a form's error.
func (s *Server) adminFailed(w http.ResponseWriter, q *request, form string, err error) error {
	e := tracker.AsError(err)
	if e == nil || status(err) >= 500 || e.Code == tracker.EForbidden {
		return err
	}
	p, perr := s.adminPage(q)
	if perr != nil {
		return perr
	}
	p.Failed, p.Form = form, q.PostForm
	s.page(w, q, status(err), "admin", &view{Title: "账号与股室", Nav: "admin", Error: e, Data: p})
	return nil
}

func roles(form url.Values) []access.Role {
	var out []access.Role
	for _, r := range form["role"] {
		out = append(out, access.Role(r))
	}
	return out
}

// accountCreate is POST /admin/accounts: a new account, its one-time
// password shown once.
func (s *Server) accountCreate(w http.ResponseWriter, q *request) error {
	if err := q.ParseForm(); err != nil {
		return formError(err)
	}
	f := q.PostForm
	out, err := s.cfg.Service.CreateAccount(q.Context(), app.AccountInput{Name: strings.TrimSpace(f.Get("name")),
		Display: strings.TrimSpace(f.Get("display")), Email: strings.TrimSpace(f.Get("email")), Roles: roles(f), Sections: f["section"]})
	if err != nil {
		return s.adminFailed(w, q, "account", err)
	}
	return s.showPassword(w, q, out, "账号 "+out.Account.Name+" 已建立。")
}

// showPassword shows a one-time password, once: the page is not kept
// (no-store) and the password is in no address.
func (s *Server) showPassword(w http.ResponseWriter, q *request, out *app.AccountPassword, notice string) error {
	p, err := s.adminPage(q)
	if err != nil {
		return err
	}
	p.Password = out
	s.page(w, q, http.StatusOK, "admin", &view{Title: "账号与股室", Nav: "admin", Notice: notice, Data: p})
	return nil
}

// accountUpdate is POST /admin/accounts/{name}: its name, e-mail, roles
// and sections.
func (s *Server) accountUpdate(w http.ResponseWriter, q *request) error {
	if err := q.ParseForm(); err != nil {
		return formError(err)
	}
	f := q.PostForm
	name := q.PathValue("name")
	display, email, rs, secs := strings.TrimSpace(f.Get("display")), strings.TrimSpace(f.Get("email")), roles(f), f["section"]
	if secs == nil {
		secs = []string{}
	}
	_, err := s.cfg.Service.UpdateAccount(q.Context(), app.AccountUpdate{Name: name, Display: &display, Email: &email, Roles: &rs, Sections: &secs})
	if err != nil {
		return s.adminFailed(w, q, "account:"+name, err)
	}
	s.redirect(w, q.Request, "/admin/accounts?done=updated")
	return nil
}

// accountState is POST /admin/accounts/{name}/{disable,enable,unlock}.
func (s *Server) accountState(action string) handler {
	return func(w http.ResponseWriter, q *request) error {
		if err := q.ParseForm(); err != nil {
			return formError(err)
		}
		if _, err := s.cfg.Service.SetAccountState(q.Context(), app.AccountState{Name: q.PathValue("name"), Action: action}); err != nil {
			return s.adminFailed(w, q, "account:"+q.PathValue("name"), err)
		}
		s.redirect(w, q.Request, "/admin/accounts?done="+action)
		return nil
	}
}

// accountReset is POST /admin/accounts/{name}/reset-password.
func (s *Server) accountReset(w http.ResponseWriter, q *request) error {
	if err := q.ParseForm(); err != nil {
		return formError(err)
	}
	out, err := s.cfg.Service.ResetPassword(q.Context(), q.PathValue("name"))
	if err != nil {
		return s.adminFailed(w, q, "account:"+q.PathValue("name"), err)
	}
	return s.showPassword(w, q, out, "账号 "+out.Account.Name+" 的密码已重置，其登录已全部撤销。")
}

// sectionSave is POST /admin/sections (new) and /admin/sections/{name}.
func (s *Server) sectionSave(create bool) handler {
	return func(w http.ResponseWriter, q *request) error {
		if err := q.ParseForm(); err != nil {
			return formError(err)
		}
		in := app.SectionInput{Name: strings.TrimSpace(q.PostForm.Get("name")), Level1: q.PostForm["level1"], New: create}
		form := "section"
		if !create {
			in.Name = q.PathValue("name")
			form = "section:" + in.Name
		}
		if _, err := s.cfg.Service.PutSection(q.Context(), in); err != nil {
			return s.adminFailed(w, q, form, err)
		}
		s.redirect(w, q.Request, "/admin/accounts?done=section")
		return nil
	}
}
