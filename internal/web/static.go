package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// Static files (static/), served under /static/ with a content hash in the
// link's query so they can be cached for a year, gzipped once at start for
// readers on slow connections. Pages themselves are not compressed: they hold
// the CSRF token next to reflected input (BREACH), and they are small.
//
//go:embed static
var staticFS embed.FS

type asset struct {
	plain, gz []byte
	version   string
	ctype     string
}

func loadStatic() (map[string]*asset, error) {
	out := map[string]*asset{}
	files, err := fs.Glob(staticFS, "static/*")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := staticFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = w.Write(b)
		if err := w.Close(); err != nil {
			return nil, err
		}
		name := path.Base(f)
		out[name] = &asset{plain: b, gz: gz.Bytes(), version: hex.EncodeToString(sum[:6]),
			ctype: mime.TypeByExtension(path.Ext(name))}
	}
	return out, nil
}

// static serves an embedded file, gzipped when the browser accepts it.
func (h *handler) static(c *gin.Context) {
	a, ok := h.pages.static[c.Param("file")]
	if !ok {
		h.notFound(c)
		return
	}
	hd := c.Writer.Header()
	if c.Query("v") == a.version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	hd.Set("ETag", `"`+a.version+`"`)
	hd.Add("Vary", "Accept-Encoding")
	if c.GetHeader("If-None-Match") == `"`+a.version+`"` {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.plain
	if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	c.Data(http.StatusOK, a.ctype, body)
}
