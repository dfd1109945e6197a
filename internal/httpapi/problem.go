package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
)

const (
	problemTypePrefix     = "urn:ecitizen:problem:"
	problemJSON           = "application/problem+json"
	defaultRetryAfterSecs = 5
)

// titles are the short, generic summaries of each status, in both languages.
var titles = map[int][2]string{
	http.StatusBadRequest:            {"Yêu cầu không hợp lệ", "Bad request"},
	http.StatusUnauthorized:          {"Chưa xác thực", "Unauthorized"},
	http.StatusForbidden:             {"Không được phép", "Forbidden"},
	http.StatusNotFound:              {"Không tìm thấy", "Not found"},
	http.StatusMethodNotAllowed:      {"Phương thức không được hỗ trợ", "Method not allowed"},
	http.StatusConflict:              {"Xung đột dữ liệu", "Conflict"},
	http.StatusGone:                  {"Không còn hiệu lực", "Gone"},
	http.StatusRequestEntityTooLarge: {"Nội dung quá lớn", "Content too large"},
	http.StatusUnsupportedMediaType:  {"Định dạng không được hỗ trợ", "Unsupported media type"},
	http.StatusUnprocessableEntity:   {"Không thể xử lý yêu cầu", "Unprocessable content"},
	http.StatusTooManyRequests:       {"Quá nhiều yêu cầu", "Too many requests"},
	http.StatusInternalServerError:   {"Lỗi hệ thống", "Internal server error"},
	http.StatusServiceUnavailable:    {"Dịch vụ tạm thời không sẵn sàng", "Service unavailable"},
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail"`
	Code      apperr.Code  `json:"code"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []fieldError `json:"errors,omitempty"`
	// ExistingID names the record a conflict is with (duplicate_resident,
	// possible_duplicate).
	ExistingID string `json:"existing_id,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

var langMatcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})

// lang picks "vi" (the default) or "en" from Accept-Language. Browsers and
// apps send a handful of distinct headers, so the choice is kept per header
// (a pure function of it), for maxLangs headers at most.
func lang(c *gin.Context) string {
	h := c.GetHeader("Accept-Language")
	if h == "" {
		return "vi"
	}
	if l, ok := langs.Load(h); ok {
		return l.(string)
	}
	l := "vi"
	if tags, _, err := language.ParseAcceptLanguage(h); err == nil && len(tags) > 0 {
		if _, i, _ := langMatcher.Match(tags...); i == 1 {
			l = "en"
		}
	}
	if langCount.Load() < maxLangs && len(h) <= 200 {
		if _, loaded := langs.LoadOrStore(h, l); !loaded {
			langCount.Add(1)
		}
	}
	return l
}

var (
	langs     sync.Map // Accept-Language header → "vi" or "en"
	langCount atomic.Int32
)

const maxLangs = 1024

// fail writes err as problem+json and aborts. Only *apperr.Error text reaches the
// client; everything else is logged (with the request id, which the request's
// context carries) and answered 500 (or 503 store_busy when the request ran out
// of time).
func fail(c *gin.Context, err error) {
	e := apperr.As(err)
	if e == nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
			e = apperr.ErrBusy // a store operation that ran out of time
		default:
			e = apperr.New(apperr.CodeInternal, "Đã có lỗi hệ thống. Vui lòng thử lại sau.", "Something went wrong on our side. Please try again later.")
		}
		logOf(c).ErrorContext(c.Request.Context(), "request failed", "route", c.FullPath(), "err", err)
	}
	status, ok := httpx.Status(e.Code)
	if !ok {
		logOf(c).ErrorContext(c.Request.Context(), "error code without status", "code", e.Code)
		status = http.StatusInternalServerError
	}
	l := lang(c)
	t := titles[status]
	title := t[0]
	if l == "en" {
		title = t[1]
	}
	p := Problem{
		Type: problemTypePrefix + string(e.Code), Title: title, Status: status,
		Detail: e.Message(l), Code: e.Code, Instance: c.Request.URL.Path, RequestID: httpx.RequestID(c),
		ExistingID: e.Existing,
	}
	for _, f := range e.Fields {
		m := f.Vi
		if l == "en" {
			m = f.En
		}
		p.Errors = append(p.Errors, fieldError{Field: f.Field, Code: f.Code, Message: m})
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	} else if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		c.Header("Retry-After", strconv.Itoa(defaultRetryAfterSecs))
	}
	c.Header("Content-Language", l)
	c.Header("Cache-Control", "no-store")
	c.Render(status, problemRender{p})
	c.Abort()
}

// problemRender writes a Problem with the problem+json content type.
type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonEncode(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", problemJSON)
}
