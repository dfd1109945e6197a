package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/vi"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	entrans "github.com/go-playground/validator/v10/translations/en"
	vitrans "github.com/go-playground/validator/v10/translations/vi"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
	"ecitizen/internal/vntime"
)

var (
	errMalformed = apperr.New(apperr.CodeMalformed, "Nội dung JSON không hợp lệ.", "The JSON body is malformed.")
	errTooLarge  = apperr.New(apperr.CodeTooLarge, "Nội dung yêu cầu vượt quá 1 MiB.", "The request body is larger than 1 MiB.")
	errMedia     = apperr.New(httpx.CodeUnsupportedMedia, "Nội dung phải là application/json.", "The body must be application/json.")
	errBadUTF8   = apperr.New(apperr.CodeMalformed, "Nội dung không phải UTF-8 hợp lệ.", "The body is not valid UTF-8.")
)

// requestRules is how the API validates a request's DTO: by its `binding` tags,
// with the JSON names (or, for a query, the form names) a client sent as the
// fields of its errors, and messages in Vietnamese and English. It is the API's
// own validator, built on first use, and not gin's binding.Validator: importing
// the API changes nothing in gin.
var requestRules = sync.OnceValue(newRules)

type rules struct {
	validate         *validator.Validate
	transVi, transEn ut.Translator
}

func newRules() *rules {
	v := validator.New()
	v.SetTagName("binding") // the tag gin's binding reads, which the DTOs use
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			name, _, _ = strings.Cut(f.Tag.Get("form"), ",")
		}
		return name
	})
	uni := ut.New(vi.New(), vi.New(), en.New())
	r := &rules{validate: v}
	r.transVi, _ = uni.GetTranslator("vi")
	r.transEn, _ = uni.GetTranslator("en")
	if err := vitrans.RegisterDefaultTranslations(v, r.transVi); err != nil {
		panic(err)
	}
	if err := entrans.RegisterDefaultTranslations(v, r.transEn); err != nil {
		panic(err)
	}
	return r
}

// validate checks dst, a pointer to a request's DTO, against its binding tags.
func validate(dst any) error { return requestRules().validate.Struct(dst) }

// bindJSON decodes the request body strictly into dst and validates it: a body of
// valid UTF-8 JSON, at most 1 MiB, one object with only known fields of the right
// types. Every failure is a coded 4xx error.
func bindJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errMedia
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if httpx.TooLarge(err) {
			return errTooLarge
		}
		return errMalformed
	}
	if !utf8.Valid(body) {
		return errBadUTF8
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var pe *time.ParseError
		if errors.As(err, &pe) {
			return errTime(valuePath(body, pe.Value))
		}
		return bindError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errMalformed // a second value after the object
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return errMalformed
	}
	if err := exactKeys(reflect.TypeOf(dst), doc, ""); err != nil {
		return err
	}
	if err := validate(dst); err != nil {
		return bindError(err)
	}
	return timesInBounds(reflect.ValueOf(dst), "")
}

var timeType = reflect.TypeOf(time.Time{})

// timesInBounds refuses any date-time of a request body or query (a time.Time
// field, at any depth) outside vntime's bounds, 2000 to 2100, with the field error
// "range" under its JSON name.
func timesInBounds(v reflect.Value, path string) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		if !t.IsZero() && (t.Before(vntime.Earliest) || !t.Before(vntime.Latest.AddDate(0, 0, 1))) {
			return apperr.Invalid(path, "range", "Thời điểm phải từ năm 2000 đến năm 2100.", "The time is between the years 2000 and 2100.")
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name, _, _ = strings.Cut(f.Tag.Get("form"), ",") // a query's field
			}
			if name == "-" {
				continue
			}
			p := path
			if name != "" && !f.Anonymous {
				p = strings.TrimPrefix(path+"."+name, ".")
			}
			if err := timesInBounds(v.Field(i), p); err != nil {
				return err
			}
		}
	case v.Kind() == reflect.Slice || v.Kind() == reflect.Array:
		for i := range v.Len() {
			if err := timesInBounds(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// requiredReasonRequest is the body of an action that must say why: a
// revocation, a void, a reveal, an erasure.
type requiredReasonRequest struct {
	Reason string `json:"reason" binding:"required,max=500"`
}

// bindQuery binds and validates query parameters into dst.
func bindQuery(c *gin.Context, dst any) error {
	// Gin drops a query string it cannot decode; refuse it instead.
	if _, err := url.ParseQuery(c.Request.URL.RawQuery); err != nil {
		return apperr.Invalid("query", "query", "Chuỗi truy vấn không hợp lệ.", "The query string is malformed.")
	}
	// Mapped as gin's ShouldBindQuery maps a query; validated by the API's rules.
	if err := binding.MapFormWithTag(dst, c.Request.URL.Query(), "form"); err != nil {
		return bindError(err)
	}
	if err := validate(dst); err != nil {
		return bindError(err)
	}
	return timesInBounds(reflect.ValueOf(dst), "")
}

// bindError turns a decoding or validation error into a coded validation error.
func bindError(err error) error {
	var (
		ve    validator.ValidationErrors
		te    *json.UnmarshalTypeError
		se    *json.SyntaxError
		pe    *time.ParseError
		numEr interface{ Unwrap() error }
	)
	switch {
	case errors.As(err, &ve):
		out := &apperr.Error{Code: apperr.CodeInvalid, Vi: "Dữ liệu không hợp lệ.", En: "The input is not valid."}
		r := requestRules()
		for _, fe := range ve {
			field := fieldPath(fe.Namespace())
			out.Fields = append(out.Fields, apperr.FieldError{Field: field, Code: fe.Tag(), Vi: fe.Translate(r.transVi), En: fe.Translate(r.transEn)})
		}
		return out
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.Invalid(field, "type", "Trường "+field+" có kiểu dữ liệu không đúng (cần "+te.Type.String()+").",
			"The field "+field+" has the wrong type (expected "+te.Type.String()+").")
	case errors.As(err, &se):
		return errMalformed
	case errors.As(err, &pe):
		return errTime("body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(field, "unknown_field", "Trường "+field+" không được hỗ trợ.", "The field "+field+" is not allowed.")
	case errors.As(err, &numEr):
		// strconv errors from query binding ("limit=abc").
		return apperr.Invalid("query", "type", "Tham số truy vấn có kiểu dữ liệu không đúng.", "A query parameter has the wrong type.")
	}
	return errMalformed
}

// errTime is the error of a time that is not RFC 3339, at field.
func errTime(field string) error {
	return apperr.Invalid(field, "date_time", "Thời điểm phải theo RFC 3339, ví dụ 2026-12-31T17:00:00Z.",
		"A time must be RFC 3339, e.g. 2026-12-31T17:00:00Z.")
}

// valuePath finds the field of body holding the string value, as fieldPath writes
// it ("starts_at", "slots[1].from"): encoding/json does not say which field's
// UnmarshalJSON failed, only the value it refused. "body" when it is not found.
func valuePath(body []byte, value string) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "body"
	}
	var walk func(v any, path string) (string, bool)
	walk = func(v any, path string) (string, bool) {
		switch v := v.(type) {
		case string:
			return path, v == value
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys) // deterministic when two fields hold the same bad value
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if found, ok := walk(v[k], p); ok {
					return found, true
				}
			}
		case []any:
			for i, e := range v {
				if found, ok := walk(e, path+"["+strconv.Itoa(i)+"]"); ok {
					return found, true
				}
			}
		}
		return "", false
	}
	if p, ok := walk(doc, ""); ok && p != "" {
		return p
	}
	return "body"
}

// fieldPath turns a validator namespace ("createCentreRequest.opening_hours.mon[0].open",
// "userQuery.listQuery.limit") into the path a client knows ("opening_hours.mon[0].open",
// "limit"): Go type and embedded-struct names (they have capitals) are dropped.
func fieldPath(ns string) string {
	var keep []string
	for _, seg := range strings.Split(ns, ".") {
		if strings.ToLower(seg) == seg {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
