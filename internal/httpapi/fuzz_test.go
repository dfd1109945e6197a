package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
)

// bindCodes are the codes bindJSON and bindQuery refuse with: all 4xx.
var bindCodes = map[apperr.Code]bool{apperr.CodeInvalid: true, apperr.CodeMalformed: true, apperr.CodeTooLarge: true,
	"unsupported_media_type": true}

// checkBindError fails unless err is a coded client error of binding.
func checkBindError(t *testing.T, err error) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || !bindCodes[e.Code] {
		t.Fatalf("bind error %v (%T), want an *apperr.Error of a 4xx binding code", err, err)
	}
	if e.Code == apperr.CodeInvalid && len(e.Fields) == 0 {
		t.Fatalf("validation error %v names no field", err)
	}
}

// fuzzContext is a gin context of a request with body, its body bounded as
// httpx.LimitBody bounds every request's.
func fuzzContext(contentType string, body []byte) *gin.Context {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	c.Request.Body = http.MaxBytesReader(w, c.Request.Body, httpx.MaxBody)
	if contentType != "" {
		c.Request.Header.Set("Content-Type", contentType)
	}
	return c
}

// bindTargets are request bodies of the API with nested structs, pointers,
// slices, embedded structs and times.
var bindTargets = []func() any{
	func() any { return new(createCentreRequest) },   // nested struct of slices of structs, *bool
	func() any { return new(updateCentreRequest) },   // pointers to all of it
	func() any { return new(residentRequest) },       // a nested *struct with a *time.Time
	func() any { return new(sessionRequest) },        // times, a slice of strings
	func() any { return new(createSeriesRequest) },   // an embedded struct, *int
	func() any { return new(requiredReasonRequest) }, // the smallest
}

// FuzzBindJSON drives bindJSON, the strict JSON binder of every request body,
// with any content type and body into the API's request types. Nothing panics;
// every refusal is an *apperr.Error with a 4xx binding code (never internal); a
// body it accepts, marshalled again, is accepted again and binds to the same
// value.
func FuzzBindJSON(f *testing.F) {
	const ct = "application/json"
	for _, s := range []struct {
		target      uint8
		contentType string
		body        string
	}{
		{0, ct, `{"name":"Điểm hỗ trợ Bạch Mai","address":"12 Phố Huế","seats":4,"active":true,` +
			`"opening_hours":{"mon":[{"open":"08:00","close":"11:30"},{"open":"13:30","close":"17:00"}],"sun":[]}}`},
		{0, ct, `{"name":"A","address":"B","opening_hours":{"mon":[{"open":"08:00"}]}}`},
		{0, ct, `{"name":"A","address":"B","opening_hours":{"mon":[{},{},{},{},{}]}}`},
		{0, ct, `{"name":"A","address":"B","opening_hours":{"MON":[]}}`},
		{0, ct, `{"name":"A","address":"B","opening_hours":{"mon":{"open":"08:00"}}}`},
		{1, ct, `{"name":null,"opening_hours":null,"seats":null}`},
		{1, ct, `{"opening_hours":{"tue":[{"open":"08:00","close":"09:00","extra":1}]}}`},
		{2, ct, `{"full_name":"Nguyễn Thị Hoa","birth_year":1958,"residential_group":"Tổ 5","gender":"female",` +
			`"consent":{"version":"2026-01","given_at":"2026-11-26T09:30:00+07:00"}}`},
		{2, ct, `{"full_name":"A","birth_year":1958,"residential_group":"T","consent":{"version":"v","given_at":"hôm qua"}}`},
		{2, ct, `{"full_name":"A","birth_year":1958,"residential_group":"T","consent":{"version":"v","given_at":"1999-12-31T23:59:59Z"}}`},
		{2, ct, `{"full_name":"A","birth_year":"1958","residential_group":"T"}`},
		{2, ct, `{"full_name":"A","birth_year":1e400,"residential_group":"T"}`},
		{3, ct, `{"course_id":"c","starts_at":"2026-12-01T08:00:00Z","ends_at":"2026-12-01T10:00:00.123456789+07:00",` +
			`"capacity":20,"trainers":["Trần Văn Nam","Lê Thị Bé"]}`},
		{3, ct, `{"course_id":"c","starts_at":"2101-01-01T00:00:00Z","ends_at":"2026-12-01T10:00:00Z","capacity":1,"trainers":["x"]}`},
		{3, ct, `{"course_id":"c","starts_at":"2026-12-01T08:00:00Z","ends_at":"2026-12-01T10:00:00Z","capacity":1,"trainers":[1]}`},
		{4, ct, `{"rule":"FREQ=WEEKLY;BYDAY=MO","start_time":"08:00","end_time":"10:00","title":"Ca sáng","role":"guide",` +
			`"places":2,"first_date":"2026-12-01","horizon_weeks":8}`},
		{4, ct, `{"start_time":"08:00","end_time":"10:00","title":"T","role":"guide","places":2,"first_date":"2026-12-01","horizon_weeks":0}`},
		{4, ct, `{"seriesRequest":{}}`},
		{5, ct, `{"reason":"Nhầm lẫn"}`},
		{5, ct, `{"reason":"a"} {"reason":"b"}`},
		{5, ct, `{"reason":"a"}]`},
		{5, ct, `[{"reason":"a"}]`},
		{5, ct, `"reason"`},
		{5, ct, `null`},
		{5, ct, ``},
		{5, ct, "  \n\t"},
		{5, ct, `{"reason":"\ud800"}`},
		{5, ct, "{\"reason\":\"\xff\"}"},
		{5, ct, "\ufeff{\"reason\":\"a\"}"},
		{5, ct, `{"reason":` + strings.Repeat(`{"a":`, 10000) + strings.Repeat(`}`, 10000) + `}`},
		{5, ct, `{"reason":"` + strings.Repeat("x", httpx.MaxBody) + `"}`},
		{5, "application/problem+json; charset=utf-8", `{"reason":"a"}`},
		{5, "text/plain", `{"reason":"a"}`},
		{5, "application/json; charset", `{"reason":"a"}`},
		{5, ";;;", `{"reason":"a"}`},
	} {
		f.Add(s.target, s.contentType, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, target uint8, contentType string, body []byte) {
		newDst := bindTargets[int(target)%len(bindTargets)]
		dst := newDst()
		if err := bindJSON(fuzzContext(contentType, body), dst); err != nil {
			checkBindError(t, err)
			return
		}
		again, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("marshal the accepted %T: %v", dst, err)
		}
		dst2 := newDst()
		if err := bindJSON(fuzzContext("application/json", again), dst2); err != nil {
			t.Fatalf("%s accepted as %s, which is refused: %v", body, again, err)
		}
		if third, _ := json.Marshal(dst2); !bytes.Equal(third, again) {
			t.Fatalf("%s binds as %s, then as %s", body, again, third)
		}
	})
}

// FuzzBindQuery drives bindQuery with any query string into a query of the
// API with a limit, a cursor and two times (equipment usage). Nothing panics;
// every refusal is an *apperr.Error with a 4xx binding code; a query it
// accepts, written again, binds to the same values.
func FuzzBindQuery(f *testing.F) {
	for _, q := range []string{"", "limit=20&cursor=YQ", "from=2026-11-01T00:00:00%2B07:00&to=2026-12-01T00:00:00Z",
		"from=2026-11-01T00:00:00.5Z", "from=2026-11-01", "from=1999-12-31T23:59:59Z", "to=2101-01-01T00:00:00Z",
		"limit=abc", "limit=-1", "limit=0", "limit=+5", "limit=99999999999999999999", "limit=1&limit=2",
		"cursor=" + strings.Repeat("A", 301), "cursor=%zz", "cursor=%E1%BB%87", "cursor=%ff", "a=1;b=2", "&&&=&",
		"from=", "from=%00", "unknown=1"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		bind := func(rawQuery string) (*usageQuery, error) {
			c := fuzzContext("", nil)
			c.Request.Method = http.MethodGet
			c.Request.URL.RawQuery = rawQuery
			var q usageQuery
			return &q, bindQuery(c, &q)
		}
		q, err := bind(rawQuery)
		if err != nil {
			checkBindError(t, err)
			return
		}
		v := url.Values{}
		if q.Limit != 0 {
			v.Set("limit", strconv.Itoa(q.Limit))
		}
		if q.Cursor != "" {
			v.Set("cursor", q.Cursor)
		}
		if !q.From.IsZero() {
			v.Set("from", q.From.Format(time.RFC3339Nano))
		}
		if !q.To.IsZero() {
			v.Set("to", q.To.Format(time.RFC3339Nano))
		}
		q2, err := bind(v.Encode())
		if err != nil {
			t.Fatalf("%q accepted as %q, which is refused: %v", rawQuery, v.Encode(), err)
		}
		if q2.Limit != q.Limit || q2.Cursor != q.Cursor || !q2.From.Equal(q.From) || !q2.To.Equal(q.To) {
			t.Fatalf("%q binds as %+v, then as %+v", rawQuery, q, q2)
		}
	})
}
