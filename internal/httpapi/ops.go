package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
)

var (
	errRouteNotFound    = apperr.Error{Code: httpx.CodeRouteNotFound, Vi: "Không có đường dẫn này.", En: "There is no such route."}
	errMethodNotAllowed = apperr.Error{Code: httpx.CodeMethodNotAllowed, Vi: "Đường dẫn này không hỗ trợ phương thức đó.", En: "This route does not support that method."}
)

// healthz answers 200 while the process runs.
func (h *handler) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 when the store is reachable within 2 s, else 503 + Retry-After.
func (h *handler) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.Ping(ctx); err != nil {
		h.Logger.WarnContext(ctx, "store not ready", "err", err)
		fail(c, apperr.ErrUnavailable)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// openapi serves the HTTP contract.
func (h *handler) openapi(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", h.Spec)
}
