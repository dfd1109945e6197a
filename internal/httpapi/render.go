package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/page"
)

// listQuery is the pagination every list accepts.
type listQuery struct {
	Limit  int    `form:"limit" binding:"omitempty,min=1"`
	Cursor string `form:"cursor" binding:"max=300"`
}

// pageOf binds the pagination query; a limit above the maximum is capped.
func pageOf(c *gin.Context, q *listQuery) (page.Request, error) {
	if err := bindQuery(c, q); err != nil {
		return page.Request{}, err
	}
	return page.New(q.Limit, q.Cursor)
}

// listJSON is the shape of every list response.
type listJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// renderList maps items with conv and writes a list response.
func renderList[S, T any](c *gin.Context, items []S, next string, conv func(S) T) {
	out := listJSON[T]{Items: make([]T, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}
