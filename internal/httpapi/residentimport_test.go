package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/resident"
	"ecitizen/internal/store/storetest"
)

// csvBody is a request body sent as text/csv by testEnv.newRequest.
type csvBody string

type importReportT struct {
	DryRun          bool `json:"dry_run"`
	Rows            int  `json:"rows"`
	Created         int  `json:"created"`
	AlreadyImported int  `json:"already_imported"`
	Duplicates      int  `json:"duplicates"`
	Invalid         int  `json:"invalid"`
	Report          []struct {
		Row        int     `json:"row"`
		Field      *string `json:"field"`
		Code       string  `json:"code"`
		Message    string  `json:"message"`
		ExistingID *string `json:"existing_id"`
	} `json:"report"`
}

// entry returns the first report entry of a row ("" codes when none).
func (r importReportT) entry(row int) (field, code, existing string) {
	for _, e := range r.Report {
		if e.Row == row {
			if e.Field != nil {
				field = *e.Field
			}
			if e.ExistingID != nil {
				existing = *e.ExistingID
			}
			return field, e.Code, existing
		}
	}
	return "", "", ""
}

// mixedImport is the file: good rows (2, 3, 8, 12) and bad ones. Row 12
// spans lines 12 and 13 (a quoted note on two lines), so the last row is line 14.
func mixedImport(now time.Time) string {
	day := func(d int) string { return now.AddDate(0, 0, -d).Format(time.DateOnly) }
	lines := []string{
		"\ufeffHọ tên,Năm sinh,Giới tính,Số điện thoại,CCCD,Tổ dân phố,Ghi chú,Đồng ý,Ngày đồng ý",
		"Nguyễn Thị Hoa,1955,nữ,0912 111 222,,Tổ 3,Cần cài VNeID,có," + day(30),                     // 2 created
		"Trần Văn Bình,1960,nam,,,Tổ 4,,x,",                                                         // 3 created, no numbers
		"Lê Thị Cúc,1962,,,,Tổ 4,,có,31/02/2025",                                                    // 4 bad date
		"Phạm Văn Dũng,1970,,,,Tổ 5,,,",                                                             // 5 no consent
		"Hoàng Thị Em,1971,,0912.111.222,,Tổ 5,,có,",                                                // 6 phone of row 2
		`"=HYPERLINK(""http://x.example"",""bấm"")",1980,,,,Tổ 6,,có,`,                              // 7 formula
		`Robert'); DROP TABLE residents;--,1981,,,,Tổ 6,"{""$ne"":""""}",có,`,                       // 8 created literally
		"Vũ Văn \xff\xfe,1982,,,,Tổ 6,,có,",                                                         // 9 not UTF-8
		"Đặng Thị Giang,1890,,,,Tổ 7,,có,",                                                          // 10 birth year
		"Ngô Văn Hùng,1975,,,0012 0300 9999,Tổ 7,,có," + day(800),                                   // 11 consent too old
		"Bùi Thị Lan,1990,,,079188009876,Tổ 8,\"Ghi chú\nhai dòng\",có," + now.Format(time.RFC3339), // 12-13 created
		"Bùi Thị Lan,1990,,,,Tổ 8,,có,",                                                             // 14 possible duplicate of 12
	}
	return strings.Join(lines, "\n") + "\n"
}

// importDigits are the numbers of mixedImport, which no report or log may hold.
var importDigits = []string{"912111222", "0912 111 222", "0912.111.222", "079188009876", "0012 0300 9999", "001203009999"}

func TestImportResidentsHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := testLogger(&lockedWriter{w: &logs, mu: &logMu})
			env := buildTestEnv(t, ad, envSettings{logger: logger})
			w := newRosterWorld(t, env, "IMP")
			_, toks := w.volunteers(t, 1)
			ctx := context.Background()
			path := "/api/v1/wards/" + w.wardA + "/residents/import"
			file := csvBody(mixedImport(testNow()))
			var seen bytes.Buffer
			run := func(token string, body any, q string) importReportT {
				t.Helper()
				rec := env.do("POST", path+q, token, body)
				seen.Write(rec.Body.Bytes())
				mustStatus(t, rec, 200)
				var rep importReportT
				decodeBody(t, rec, &rep)
				return rep
			}
			count := func() int {
				t.Helper()
				n, err := env.store.CountResidents(ctx, w.wardA)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}

			// Scope and the file itself.
			assertProblem(t, env.do("POST", path, w.staffB, file), 404, "not_found")
			assertProblem(t, env.do("POST", path, toks[0], file), 403, "forbidden")
			assertProblem(t, env.do("POST", path, w.staffA, map[string]string{"a": "b"}), 415, "unsupported_media_type")
			assertField(t, env.do("POST", path, w.staffA, csvBody("ho_ten,nam_sinh,to_dan_pho,dong_y,mat_khau\n")), "file", "unknown_column")
			assertField(t, env.do("POST", path, w.staffA, csvBody("ho_ten,nam_sinh,dong_y\n")), "residential_group", "required")
			var big strings.Builder
			big.WriteString("ho_ten,nam_sinh,to_dan_pho,dong_y\n")
			for i := range resident.MaxImportRows + 1 {
				fmt.Fprintf(&big, "Người số %d,1960,Tổ 1,có\n", i)
			}
			assertField(t, env.do("POST", path, w.staffA, csvBody(big.String())), "file", "too_many_rows")
			assertProblem(t, env.do("POST", path, w.staffA, csvBody(big.String()+strings.Repeat("x", 1<<20))), 413, "body_too_large")
			if n := count(); n != 0 {
				t.Fatalf("%d residents after refused files", n)
			}

			// A dry run stores nothing and tells what would happen.
			dry := run(w.staffA, file, "?dry_run=true")
			if !dry.DryRun || dry.Created != 4 || dry.Invalid != 6 || count() != 0 {
				t.Fatalf("dry run: %+v, %d stored", dry, count())
			}

			rep := run(w.staffA, file, "")
			if rep.Rows != 12 || rep.Created != 4 || rep.Invalid != 6 || rep.Duplicates != 2 || rep.AlreadyImported != 0 {
				t.Fatalf("import: %+v", rep)
			}
			if n := count(); n != 4 {
				t.Fatalf("%d residents stored, want 4", n)
			}
			for _, want := range []struct {
				row         int
				field, code string
			}{
				{4, "consent.given_at", "date"}, {5, "consent", "required"}, {6, "phone", "duplicate_resident"},
				{7, "full_name", "formula"}, {9, "full_name", "encoding"}, {10, "birth_year", "range"},
				{11, "consent.given_at", "range"}, {14, "full_name", "possible_duplicate"},
			} {
				field, code, _ := rep.entry(want.row)
				if field != want.field || code != want.code {
					t.Errorf("row %d: %s %s, want %s %s", want.row, field, code, want.field, want.code)
				}
			}
			for _, row := range []int{2, 3, 8, 12, 13} {
				if _, code, _ := rep.entry(row); code != "" {
					t.Errorf("row %d reported %s", row, code)
				}
			}
			// Messages are Vietnamese by default.
			if !strings.Contains(rep.Report[0].Message, "ngày") && !strings.Contains(rep.Report[0].Message, "Ngày") {
				t.Errorf("message %q", rep.Report[0].Message)
			}

			// SQL- and NoSQL-looking text is stored literally.
			rec := env.do("GET", "/api/v1/wards/"+w.wardA+"/residents?q="+url.QueryEscape("robert"), w.staffA, nil)
			mustStatus(t, rec, 200)
			items := decode(t, rec)["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("search robert: %v", items)
			}
			r := items[0].(map[string]any)
			if r["full_name"] != "Robert'); DROP TABLE residents;--" || r["notes"] != `{"$ne":""}` {
				t.Fatalf("stored %q %q", r["full_name"], r["notes"])
			}

			// Importing again stores nothing new.
			again := run(w.staffA, file, "")
			if again.Created != 0 || again.AlreadyImported != 4 || again.Duplicates != 2 || again.Invalid != 6 {
				t.Fatalf("re-import: %+v", again)
			}
			if n := count(); n != 4 {
				t.Fatalf("%d residents after re-import, want 4", n)
			}
			for _, row := range []int{2, 3, 8, 12} {
				if _, code, _ := again.entry(row); code != "already_imported" {
					t.Errorf("re-import row %d: %s", row, code)
				}
			}

			// Erasing an imported resident destroys its import claim too: the row
			// is no longer known, and importing the file again records it anew.
			_, _, binh := again.entry(3)
			mustStatus(t, env.do("POST", "/api/v1/residents/"+binh+"/erase", w.staffA, map[string]string{"reason": "Người dân yêu cầu xoá"}), 200)
			if rep := run(w.staffA, file, ""); rep.Created != 1 || rep.AlreadyImported != 3 || count() != 5 {
				t.Fatalf("import after an erasure: %+v, %d stored", rep, count())
			}

			// English on request.
			req := env.newRequest("POST", path, w.staffA, file)
			req.Header.Set("Accept-Language", "en")
			en := env.serve(req)
			seen.Write(en.Body.Bytes())
			if !strings.Contains(en.Body.String(), "imported before") {
				t.Errorf("English report: %s", en.Body)
			}

			logMu.Lock()
			logged := logs.String()
			logMu.Unlock()
			if !strings.Contains(logged, "/residents/import") {
				t.Fatal("the log captured nothing")
			}
			for _, d := range importDigits {
				if strings.Contains(logged, d) || strings.Contains(seen.String(), d) {
					t.Errorf("a report or the log holds %s", d)
				}
			}
		})
	}
}

func TestImportResidentsConcurrently(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "IMC")
			// Rows with and without numbers.
			var b strings.Builder
			b.WriteString("full_name,birth_year,residential_group,phone,consent\n")
			for i := range 10 {
				phone := ""
				if i%2 == 0 {
					phone = fmt.Sprintf("0912 300 %03d", i)
				}
				fmt.Fprintf(&b, "Người dân %d,1960,Tổ %d,%s,yes\n", i, i%3, phone)
			}
			const n = 4
			recs := make([]*httptest.ResponseRecorder, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				req := env.newRequest("POST", "/api/v1/wards/"+w.wardA+"/residents/import", w.staffA, csvBody(b.String()))
				wg.Go(func() {
					<-start
					recs[i] = httptest.NewRecorder()
					env.handler.ServeHTTP(recs[i], req)
				})
			}
			close(start)
			wg.Wait()
			created := 0
			for i, rec := range recs {
				mustStatus(t, rec, 200)
				var rep importReportT
				decodeBody(t, rec, &rep)
				if rep.Created+rep.AlreadyImported+rep.Duplicates != 10 || rep.Invalid != 0 {
					t.Fatalf("import %d: %+v", i, rep)
				}
				created += rep.Created
			}
			count, err := env.store.CountResidents(context.Background(), w.wardA)
			if err != nil || count != 10 || created != 10 {
				t.Fatalf("%d residents stored (%v), %d reported created; want 10", count, err, created)
			}
		})
	}
}
