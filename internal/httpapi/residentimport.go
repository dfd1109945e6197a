package httpapi

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
)

// Bulk import of residents: a CSV file (text/csv, UTF-8) for a ward, answered
// with a per-row report that names fields, never numbers.

var errCSVMedia = apperr.New(httpx.CodeUnsupportedMedia, "Nội dung phải là text/csv (UTF-8).", "The body must be text/csv (UTF-8).")

type importIssueJSON struct {
	Row        int     `json:"row"`
	Field      *string `json:"field"`
	Code       string  `json:"code"`
	Message    string  `json:"message"`
	ExistingID *string `json:"existing_id"`
}

type importReportJSON struct {
	DryRun          bool              `json:"dry_run"`
	Rows            int               `json:"rows"`
	Created         int               `json:"created"`
	AlreadyImported int               `json:"already_imported"`
	Duplicates      int               `json:"duplicates"`
	Invalid         int               `json:"invalid"`
	Report          []importIssueJSON `json:"report"`
}

func (h *handler) importResidents(c *gin.Context) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "text/csv" {
		fail(c, errCSVMedia)
		return
	}
	dryRun := false
	if v := c.Query("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail(c, apperr.Invalid("dry_run", "boolean", "dry_run là true hoặc false.", "dry_run is true or false."))
			return
		}
		dryRun = b
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if httpx.TooLarge(err) {
			fail(c, errTooLarge)
			return
		}
		fail(c, errMalformed)
		return
	}
	rep, err := h.Residents.Import(c.Request.Context(), caller(c), c.Param("id"), body, dryRun)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := importReportJSON{DryRun: rep.DryRun, Rows: rep.Rows, Created: rep.Created, AlreadyImported: rep.AlreadyImported,
		Duplicates: rep.Duplicates, Invalid: rep.Invalid, Report: []importIssueJSON{}}
	for _, is := range rep.Issues {
		m := is.Vi
		if l == "en" {
			m = is.En
		}
		out.Report = append(out.Report, importIssueJSON{Row: is.Row, Field: optional(is.Field), Code: is.Code, Message: m,
			ExistingID: optional(is.Existing)})
	}
	c.JSON(http.StatusOK, out)
}
