package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// The message catalogues: locales/*.vi.yaml and locales/*.en.yaml, one file per
// audience, flat keys ("nav.courses") with the same keys in both languages (a test
// checks this and that every key a template or handler uses exists).
//
//go:embed locales/*.yaml
var localeFS embed.FS

// Languages, Vietnamese first.
var languages = []string{"vi", "en"}

// langCookie remembers the reader's language for a year.
const langCookie = "ecitizen_lang"

type catalogue struct {
	bundle *i18n.Bundle
	loc    map[string]*i18n.Localizer
}

func loadCatalogue() (*catalogue, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
			return nil, fmt.Errorf("web: message catalogue %s: %w", f, err)
		}
	}
	c := &catalogue{bundle: b, loc: map[string]*i18n.Localizer{}}
	for _, l := range languages {
		c.loc[l] = i18n.NewLocalizer(b, l)
	}
	return c, nil
}

// translate returns message id in lang with args as name/value pairs; a "Count"
// argument also chooses the plural form. A missing message shows its id (the
// catalogue test keeps that from shipping).
func (c *catalogue) translate(lang, id string, args ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			k := fmt.Sprint(args[i])
			data[k] = args[i+1]
			if k == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := c.loc[lang].Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// has reports whether id is in the catalogue of lang.
func (c *catalogue) has(lang, id string) bool {
	_, err := c.loc[lang].Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// langOf is the reader's language: the remembered choice, else Vietnamese.
func langOf(c *gin.Context) string {
	if ck, err := c.Cookie(langCookie); err == nil && ck == "en" {
		return "en"
	}
	return "vi"
}

// switchLang remembers the language chosen by /lang/:lang and goes back to the
// page the reader was on (a local path only).
func (h *handler) switchLang(c *gin.Context) {
	l := c.Param("lang")
	if l != "vi" && l != "en" {
		h.notFound(c)
		return
	}
	setCookie(c, langCookie, l, 365*24*time.Hour, h.sessions.secure)
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
}

// localPath returns p when it is a path on this site, else "/", so a link cannot
// send the reader elsewhere.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}
