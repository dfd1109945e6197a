package web

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
)

// form is a submitted form as the page shows it again: what was typed, each
// field's problem next to the field, and a message for the whole form.
type form struct {
	Values url.Values
	Errors map[string]string
	Error  string
}

// newForm holds the request's posted values (none for a GET).
func newForm(c *gin.Context) *form {
	f := &form{Values: url.Values{}, Errors: map[string]string{}}
	if c.Request.Method != "GET" {
		_ = c.Request.ParseMultipartForm(httpx.MaxBody) // also parses urlencoded forms
		for k, vs := range c.Request.PostForm {
			if k != "_csrf" && !isSecretField(k) {
				f.Values[k] = vs
			}
		}
	}
	return f
}

// isSecretField: passwords are never sent back into a page.
func isSecretField(name string) bool {
	switch name {
	case "password", "current_password", "new_password", "password_again":
		return true
	}
	return false
}

// setError puts a domain error's field problems next to their fields and its
// message above the form. API field names (snake_case JSON names) are the form's
// field names.
func (f *form) setError(e *apperr.Error, lang string) {
	for _, fe := range e.Fields {
		msg := fe.Vi
		if lang == "en" {
			msg = fe.En
		}
		if _, dup := f.Errors[fe.Field]; !dup {
			f.Errors[fe.Field] = msg
		}
	}
	f.Error = e.Message(lang)
}

// Get is a field's typed value.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Err is a field's problem, "" when none.
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Has reports whether a checkbox or select of name had value.
func (f *form) Has(name, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}
