package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// need lets through signed-in users with one of roles. A signed-out reader is
// sent to sign in (and back here after); another role is refused.
func (h *handler) need(roles ...identity.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		v := viewOf(c)
		if v.User == nil {
			if c.Request.Method == http.MethodGet {
				flash := ""
				if v.expired {
					flash = "login.expired"
				}
				h.redirect(c, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()), flash)
			} else {
				h.refuse(c, http.StatusUnauthorized, "error.sign_in")
			}
			c.Abort()
			return
		}
		for _, r := range roles {
			if v.Caller.Role == r {
				c.Next()
				return
			}
		}
		h.refuse(c, http.StatusForbidden, "error.forbidden")
		c.Abort()
	}
}

func (h *handler) home(c *gin.Context) {
	v := viewOf(c)
	v.Title = v.T("home.title")
	h.render(c, http.StatusOK, "home", v)
}

type loginData struct{ Next string }

func (h *handler) loginPage(c *gin.Context) {
	v := viewOf(c)
	if v.User != nil {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	v.Data = loginData{Next: localPath(c.Query("next"))}
	h.render(c, http.StatusOK, "login", v)
}

func (h *handler) login(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	next := localPath(c.PostForm("next"))
	v.Data = loginData{Next: next}
	ctx := c.Request.Context()
	pair, err := h.Identity.Login(ctx, c.PostForm("email"), c.PostForm("password"), c.ClientIP())
	if err != nil {
		h.fail(c, "login", v, err)
		return
	}
	caller, err := h.Identity.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		h.fail(c, "login", v, err)
		return
	}
	if err := h.signIn(c, caller); err != nil {
		h.fail(c, "login", v, err)
		return
	}
	h.redirect(c, next, "flash.signed_in")
}

func (h *handler) logout(c *gin.Context) {
	if err := h.signOut(c, viewOf(c)); err != nil {
		h.serverError(c, err)
		return
	}
	h.redirect(c, "/", "flash.signed_out")
}

type registerData struct{ Code string }

func (h *handler) registerPage(c *gin.Context) {
	v := viewOf(c)
	v.Data = registerData{Code: c.Query("code")}
	h.render(c, http.StatusOK, "register", v)
}

func (h *handler) register(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	v.Data = registerData{}
	ctx := c.Request.Context()
	err := h.Identity.Register(ctx, identity.Registration{
		Code: c.PostForm("invite_code"), Email: c.PostForm("email"), DisplayName: c.PostForm("display_name"),
		Phone: c.PostForm("phone"), Password: c.PostForm("password"),
	}, c.ClientIP())
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == identity.CodeInviteInvalid {
			e = fieldOf(e, "invite_code")
			err = e
		}
		h.fail(c, "register", v, err)
		return
	}
	// The same for a new address and one that has an account: sign in next.
	h.redirect(c, "/login", "flash.registered")
}

func (h *handler) accountPage(c *gin.Context) {
	h.render(c, http.StatusOK, "account", viewOf(c))
}

func (h *handler) changePassword(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	err := h.Identity.ChangePassword(c.Request.Context(), v.Caller, c.PostForm("current_password"), c.PostForm("new_password"))
	if err != nil {
		e := apperr.As(err)
		switch {
		case e != nil && e.Code == identity.CodeWrongPassword:
			err = fieldOf(e, "current_password")
		case e != nil && e.Code == apperr.CodeInvalid:
			err = renameField(e, "password", "new_password")
		}
		h.fail(c, "account", v, err)
		return
	}
	h.redirect(c, "/account", "flash.password_changed")
}

// fieldOf returns e with its message also shown next to field.
func fieldOf(e *apperr.Error, field string) *apperr.Error {
	cp := *e
	cp.Fields = append([]apperr.FieldError{{Field: field, Code: string(e.Code), Vi: e.Vi, En: e.En}}, e.Fields...)
	return &cp
}

// renameField returns e with the problems of field from shown at field to (the
// API's name and the form's differ).
func renameField(e *apperr.Error, from, to string) *apperr.Error {
	cp := *e
	cp.Fields = make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field == from {
			f.Field = to
		}
		cp.Fields[i] = f
	}
	return &cp
}
