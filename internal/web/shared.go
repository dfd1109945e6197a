package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/certificate"
	"ecitizen/internal/directory"
	"ecitizen/internal/export"
	paging "ecitizen/internal/page"
)

// What every audience's pages share: the choices of a <select>, wards and their
// names in the reader's language, the wards a reader runs, the active centres,
// sending export tables as a file, and QR codes as images.

// option is one choice of a <select>.
type option struct{ Value, Label string }

// WardName is a ward's name in the reader's language.
func (v *view) WardName(w *directory.Ward) string {
	if w == nil {
		return ""
	}
	if v.Lang == "en" && w.NameEn != "" {
		return w.NameEn
	}
	return w.NameVi
}

// wardNameOf is the name of ward id in the reader's language, "" when unknown.
func (h *handler) wardNameOf(ctx context.Context, v *view, id string) string {
	w, err := h.Directory.Ward(ctx, id)
	if err != nil {
		return ""
	}
	return v.WardName(w)
}

// allWards lists every ward matching f, by code, through every page.
func (h *handler) allWards(ctx context.Context, f directory.WardFilter) ([]*directory.Ward, error) {
	var out []*directory.Ward
	p := paging.Request{Limit: paging.MaxLimit}
	for {
		ws, next, err := h.Directory.Wards(ctx, f, p)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
		if next == "" || len(ws) == 0 {
			return out, nil
		}
		p.After = ws[len(ws)-1].Code
	}
}

// managedWards are the wards the reader runs: every active ward for admins, their
// own for ward staff (none for other roles).
func (h *handler) managedWards(ctx context.Context, v *view) ([]*directory.Ward, error) {
	if v.Caller.IsAdmin() {
		return h.allWards(ctx, directory.WardFilter{Status: directory.WardActive})
	}
	var out []*directory.Ward
	for _, id := range v.Caller.Scope.WardIDs {
		w, err := h.Directory.Ward(ctx, id)
		if err != nil {
			continue // a ward removed from the directory: nothing to show
		}
		out = append(out, w)
	}
	return out, nil
}

// centreChoice is an active centre with its ward's name in the reader's language.
type centreChoice struct{ ID, Name, Ward string }

// activeCentres lists the active centres of the active wards (a merged ward has
// none left: they moved with the merge), by ward then name: two paged queries,
// not one per ward.
func (h *handler) activeCentres(ctx context.Context, v *view) ([]centreChoice, error) {
	ws, err := h.allWards(ctx, directory.WardFilter{Status: directory.WardActive})
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ws))
	for _, w := range ws {
		names[w.ID] = v.WardName(w)
	}
	var out []centreChoice
	p := paging.Request{Limit: paging.MaxLimit}
	for {
		cs, next, err := h.Directory.ActiveCentres(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if ward, ok := names[c.WardID]; ok {
				out = append(out, centreChoice{ID: c.ID, Name: c.Name, Ward: ward})
			}
		}
		if next == "" || len(cs) == 0 {
			break
		}
		p.After = cs[len(cs)-1].ID
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Ward != out[j].Ward {
			return out[i].Ward < out[j].Ward
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// sendTables answers tables as a downloaded file of format, built whole first so
// a failure is still an error page (the API's exports send the same bytes).
func (h *handler) sendTables(c *gin.Context, name string, format export.Format, lang string, tables []export.Table) {
	var buf bytes.Buffer
	if err := export.Write(&buf, format, tables, lang); err != nil {
		h.serverError(c, err)
		return
	}
	c.Header("Content-Disposition", export.ContentDisposition(export.FileName(name, time.Now().In(zone), format)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, format.ContentType(), buf.Bytes())
}

// qrImage is a QR code of text (a link we made) as a PNG data: URL for an
// <img src>; html/template lets it through because it is never from input.
func qrImage(text string) (template.URL, error) {
	png, err := certificate.QRCode(text)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil // #nosec G203 -- our own PNG
}
