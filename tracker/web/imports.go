package web

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// importPage is the 导入 page's data: the forms, or a dry run's result
// with the form that applies it (carrying the same file).
type importPage struct {
	Kind     string // calendar or catalog
	File     app.FileInput
	Encoded  string // the file, for the form that applies it
	Digest   string
	Calendar *app.CalendarImportResult
	Catalog  *app.CatalogImportResult
	Applied  bool
}

// imports is GET /admin/imports.
func (s *Server) imports(w http.ResponseWriter, q *request) error {
	s.page(w, q, http.StatusOK, "imports", &view{Title: "导入日历和目录", Nav: "admin", Data: &importPage{}})
	return nil
}

// importFile reads the file of an import's form: uploaded (a dry run),
// or carried by the form that applies a dry run's result.
func importFile(q *request) (app.FileInput, error) {
	if err := q.ParseMultipartForm(maxUpload); err != nil {
		return app.FileInput{}, formError(err)
	}
	if enc := q.PostFormValue("data"); enc != "" {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return app.FileInput{}, tracker.Invalid(tracker.FieldFile, "表单中的文件内容无法读取，请重新上传")
		}
		return app.FileInput{Name: filepath.Base(q.PostFormValue("name")), Data: b}, nil
	}
	f, h, err := q.FormFile("file")
	if err != nil {
		return app.FileInput{}, tracker.Invalid(tracker.FieldFile, "没有选择文件")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return app.FileInput{}, formError(err)
	}
	if len(b) > maxUpload {
		return app.FileInput{}, tracker.FieldErrorf(eTooLarge, tracker.FieldFile, "文件太大：至多 %d MB", maxUpload>>20)
	}
	return app.FileInput{Name: filepath.Base(h.Filename), Data: b}, nil
}

// importRun is POST /admin/imports/{calendar,catalog}: a dry run shown
// with what it would change, or (apply=1) the import.
func (s *Server) importRun(kind string) handler {
	return func(w http.ResponseWriter, q *request) error {
		file, err := importFile(q)
		p := &importPage{Kind: kind, File: file}
		apply := q.PostFormValue("apply") == "1"
		if err == nil {
			p.Encoded = base64.StdEncoding.EncodeToString(file.Data)
			p.Digest = fmt.Sprintf("%x", sha256.Sum256(file.Data))[:16]
			switch kind {
			case "calendar":
				p.Calendar, err = s.cfg.Service.ImportCalendar(q.Context(), app.CalendarImportInput{FileInput: file, DryRun: !apply})
			case "catalog":
				p.Catalog, err = s.cfg.Service.ImportCatalog(q.Context(), app.CatalogImportInput{FileInput: file, DryRun: !apply,
					Force: apply && q.PostFormValue("force") == "1"})
			}
			p.Applied = apply && err == nil
		}
		v := &view{Title: "导入日历和目录", Nav: "admin", Data: p}
		if e := tracker.AsError(err); e != nil && status(err) < 500 && e.Code != tracker.EForbidden {
			v.Error = e
			s.page(w, q, status(err), "imports", v)
			return nil
		} else if err != nil {
			return err
		}
		if p.Applied {
			v.Notice = "已导入。"
		}
		s.page(w, q, http.StatusOK, "imports", v)
		return nil
	}
}
