package site

import (
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

// maxFormBytes bounds a submitted form (file uploads have their own limit).
const maxFormBytes = 1 << 20

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return f.Tag.Get("form") })
	_ = v.RegisterValidation("date", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		if s == "" {
			return true
		}
		_, err := time.Parse("2006-01-02", s)
		return err == nil
	})
	_ = v.RegisterValidation("clock", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		if s == "" {
			return true
		}
		_, err := time.Parse("15:04", s)
		return err == nil
	})
	return v
}

// decodeForm parses the request's form into dst, a pointer to a struct whose fields carry
// `form:"name"` tags (string, bool, int64 and []string fields), and returns the values as typed,
// for showing the form again.
func decodeForm(w http.ResponseWriter, r *http.Request, dst any) (view.Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return view.NewForm(), domain.Errorf(domain.Invalid, "error.bad_form")
	}
	f := view.NewForm()
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("form")
		if name == "" {
			continue
		}
		f.Order = append(f.Order, name)
		vals := r.PostForm[name]
		for i, v := range vals {
			vals[i] = cleanText(v)
		}
		first := ""
		if len(vals) > 0 {
			first = vals[0]
		}
		f.Values[name] = first
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(strings.TrimSpace(first))
		case reflect.Bool:
			fv.SetBool(first == "on" || first == "true" || first == "1")
		case reflect.Int64, reflect.Int:
			n, err := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
			if first != "" && err != nil {
				f.Errors[name] = "error.not_a_number"
			}
			fv.SetInt(n)
		case reflect.Slice:
			fv.Set(reflect.ValueOf(vals))
			f.Values[name] = strings.Join(vals, ",")
		}
	}
	return f, nil
}

// cleanText drops from a form value what no browser sends and PostgreSQL cannot store: NUL
// bytes and invalid UTF-8.
func cleanText(v string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(v, "\x00", ""), "\uFFFD")
}

// check validates dst and adds a translated message beside each failing field. It reports
// whether the form is valid.
func (s *Server) check(t *i18n.Translator, dst any, f *view.Form) bool {
	for k, key := range f.Errors {
		f.Errors[k] = t.T(key)
	}
	err := s.validate.Struct(dst)
	var verrs validator.ValidationErrors
	if errors.As(err, &verrs) {
		for _, fe := range verrs {
			name := fe.Field()
			if _, ok := f.Errors[name]; ok {
				continue
			}
			f.Errors[name] = validationMessage(t, fe)
		}
	}
	return len(f.Errors) == 0
}

func validationMessage(t *i18n.Translator, fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return t.T("validation.required")
	case "email":
		return t.T("validation.email")
	case "max":
		n, _ := strconv.Atoi(fe.Param())
		return t.N("validation.max", n)
	case "min":
		n, _ := strconv.Atoi(fe.Param())
		return t.N("validation.min", n)
	case "oneof":
		return t.T("validation.oneof")
	case "date":
		return t.T("validation.date")
	case "clock":
		return t.T("validation.clock")
	case "url", "http_url":
		return t.T("validation.url")
	case "eqfield":
		return t.T("validation.eqfield")
	default:
		return t.T("validation.invalid")
	}
}

// applyDomainError copies a domain error's field messages into the form; it reports whether the
// error was one the form can show.
func applyDomainError(t *i18n.Translator, err error, f *view.Form) bool {
	e, ok := domain.AsError(err)
	if !ok || (e.Code != domain.Invalid && e.Code != domain.Conflict) {
		return false
	}
	for k, key := range e.Fields {
		f.Errors[k] = t.T(key)
	}
	if len(e.Fields) == 0 {
		f.Summary = message(t, e)
	}
	return true
}

// runeLen counts characters, not bytes, for length limits on names in any script.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// parseDay parses a yyyy-mm-dd field.
func parseDay(s string) (time.Time, bool) {
	d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	return d, err == nil
}
