package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/store/storetest"
)

// residentFixture registers residents of ward A for the matrix: one to read,
// change and reveal, one to erase.
func (f *matrixFixture) residentFixture(t *testing.T) {
	a := f.tokens[admin]
	f.residentA = f.env.created(a, "/api/v1/residents", residentBody(f.wardA, "Nguyễn Văn Mẫu", "0912 000 001", "001203000001"))
	f.eraseResidentA = f.env.created(a, "/api/v1/residents", residentBody(f.wardA, "Trần Thị Xoá", "", ""))
}

// residentBody registers a resident of a ward (born 1958, group "Tổ 5") with
// consent to the shipped version.
func residentBody(wardID, name, phone, nationalID string) map[string]any {
	b := map[string]any{"ward_id": wardID, "full_name": name, "birth_year": 1958, "gender": "female",
		"residential_group": "Tổ 5", "notes": "Cần hỗ trợ cài VNeID", "consent": map[string]any{"version": "2026-11"}}
	if phone != "" {
		b["phone"] = phone
	}
	if nationalID != "" {
		b["national_id"] = nationalID
	}
	return b
}

// The personal numbers of TestResidentsHTTP, as digits that must appear in no
// log line and no response but a reveal's (the "+84"/"0" prefix aside).
var secretDigits = []string{"912345678", "987654321", "001203004567", "079188001234", "933111222"}

func TestResidentsHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := testLogger(&lockedWriter{w: &logs, mu: &logMu})
			prev := slog.Default()
			slog.SetDefault(logger)
			t.Cleanup(func() { slog.SetDefault(prev) })
			env := buildTestEnv(t, ad, envSettings{logger: logger})
			w := newRosterWorld(t, env, "RES")
			ids, toks := w.volunteers(t, 2)
			ctx := context.Background()

			// Every response but a reveal's is kept, to grep for numbers at the end.
			var seen bytes.Buffer
			do := func(method, path, token string, body any) *httptest.ResponseRecorder {
				t.Helper()
				rec := env.do(method, path, token, body)
				// The path is left out: a search names the number it looks for.
				fmt.Fprintf(&seen, "%s %d %s\n", method, rec.Code, rec.Body)
				for k, v := range rec.Header() {
					fmt.Fprintf(&seen, "%s: %s\n", k, v)
				}
				return rec
			}
			create := func(token string, body map[string]any) map[string]any {
				t.Helper()
				rec := do("POST", "/api/v1/residents", token, body)
				mustStatus(t, rec, 201)
				return decode(t, rec)
			}

			// The consent text is public.
			rec := do("GET", "/api/v1/consent", "", nil)
			mustStatus(t, rec, 200)
			if c := decode(t, rec); c["version"] != "2026-11" || !strings.Contains(c["text_vi"].(string), "Nghị định 13/2023/NĐ-CP") {
				t.Fatalf("consent: %v", c)
			}

			// Registration by staff: numbers stored, never returned.
			r1 := create(w.staffA, residentBody(w.wardA, "Nguyễn Văn A", "0912 345 678", "001203004567"))
			id1 := r1["id"].(string)
			if r1["has_phone"] != true || r1["has_national_id"] != true || r1["ward_id"] != w.wardA || r1["full_name"] != "Nguyễn Văn A" {
				t.Fatalf("registered: %v", r1)
			}
			if c := r1["consent"].(map[string]any); c["version"] != "2026-11" || c["recorded_by"] == "" {
				t.Fatalf("consent of the resident: %v", c)
			}
			// Refusals, with field names and no number in the message.
			noConsent := residentBody(w.wardA, "Lê Văn B", "", "")
			delete(noConsent, "consent")
			assertField(t, do("POST", "/api/v1/residents", w.staffA, noConsent), "consent", "required")
			unknown := residentBody(w.wardA, "Lê Văn B", "", "")
			unknown["consent"] = map[string]any{"version": "1999-01"}
			assertField(t, do("POST", "/api/v1/residents", w.staffA, unknown), "consent.version", "unknown")
			assertField(t, do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "Lê Văn B", "0243 826 1234", "")), "phone", "phone")
			assertField(t, do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "Lê Văn B", "", "07918800123")), "national_id", "cccd")
			old := residentBody(w.wardA, "Lê Văn B", "", "")
			old["birth_year"] = 1899
			assertField(t, do("POST", "/api/v1/residents", w.staffA, old), "birth_year", "range")
			assertProblem(t, do("POST", "/api/v1/residents", w.staffB, residentBody(w.wardA, "Lê Văn B", "", "")), 404, "not_found")
			assertField(t, do("POST", "/api/v1/residents", toks[0], residentBody(w.wardA, "Lê Văn B", "", "")), "centre_id", "required")

			// Exact duplicates through the blind index, whatever the writing.
			for _, body := range []map[string]any{
				residentBody(w.wardA, "Phạm Thị C", "+84 912-345-678", ""),
				residentBody(w.wardA, "Phạm Thị C", "", "0012 0300 4567"),
			} {
				rec := do("POST", "/api/v1/residents", w.staffA, body)
				assertProblem(t, rec, 409, "duplicate_resident")
				if p := problemOf(t, rec); p.ExistingID != id1 {
					t.Fatalf("existing_id %q, want %s", p.ExistingID, id1)
				}
			}
			// Possible duplicates: same folded name, birth year and group.
			same := residentBody(w.wardA, "nguyen van a", "", "")
			rec = do("POST", "/api/v1/residents", w.staffA, same)
			assertProblem(t, rec, 409, "possible_duplicate")
			if p := problemOf(t, rec); p.ExistingID != id1 {
				t.Fatalf("existing_id %q, want %s", p.ExistingID, id1)
			}
			same["duplicate_override_reason"] = "Người khác, cùng tên, ở cùng tổ"
			twin := create(w.staffA, same)
			if twin["duplicate_override_reason"] != "Người khác, cùng tên, ở cùng tổ" {
				t.Fatalf("override reason not kept: %v", twin)
			}

			// A volunteer on duty at the centre registers for its ward; one who
			// is not is refused.
			shift := w.shift(t, "Ca hỗ trợ người dân", localTime(1, 8, 0), 2, 5)
			mustStatus(t, do("POST", "/api/v1/shifts/"+shift+"/bookings", toks[0], map[string]bool{}), 201)
			moveShift(t, env, shift, testNow().Add(-10*time.Minute), 2*time.Hour)
			mustStatus(t, do("POST", "/api/v1/shifts/"+shift+"/attendance/"+ids[0], w.staffA,
				map[string]string{"action": "checkin", "reason": "Quét mã thay"}), 201)
			byVolunteer := residentBody("", "Đỗ Thị Dung", "0987.654.321", "")
			delete(byVolunteer, "ward_id")
			byVolunteer["centre_id"] = w.centreA
			r3 := create(toks[0], byVolunteer)
			if r3["ward_id"] != w.wardA || r3["created_by"] != ids[0] || r3["consent"].(map[string]any)["recorded_by"] != ids[0] {
				t.Fatalf("registered by a volunteer: %v", r3)
			}
			byVolunteer["full_name"] = "Đỗ Văn Em"
			byVolunteer["phone"] = ""
			assertProblem(t, do("POST", "/api/v1/residents", toks[1], byVolunteer), 403, "not_on_duty")

			// Search within scope: folded name words, exact numbers.
			search := "/api/v1/wards/" + w.wardA + "/residents"
			found := func(token, query string) []string {
				t.Helper()
				rec := do("GET", search+query, token, nil)
				mustStatus(t, rec, 200)
				var l struct {
					Items []residentJSON `json:"items"`
				}
				decodeBody(t, rec, &l)
				out := []string{}
				for _, r := range l.Items {
					out = append(out, r.ID)
				}
				return out
			}
			for q, want := range map[string][]string{
				"?q=nguyen+van+a":           {id1, twin["id"].(string)},
				"?q=NGUYỄN+A":               {id1, twin["id"].(string)},
				"?q=dung":                   {r3["id"].(string)},
				"?q=ung":                    {},
				"?phone=0912345678":         {id1},
				"?phone=%2B84987654321":     {r3["id"].(string)},
				"?national_id=001203004567": {id1},
				"?q=dung&phone=0912345678":  {},
			} {
				if got := found(w.staffA, q); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("search %s: %v, want %v", q, got, want)
				}
			}
			if got := found(toks[0], "?q=nguyen"); len(got) != 2 {
				t.Errorf("the volunteer on duty finds %v", got)
			}
			assertField(t, do("GET", search+"?phone=12345", w.staffA, nil), "phone", "phone")
			assertProblem(t, do("GET", search, w.staffB, nil), 404, "not_found")
			assertProblem(t, do("GET", search, toks[1], nil), 403, "not_on_duty")
			assertProblem(t, do("GET", "/api/v1/residents/"+id1, w.staffB, nil), 404, "not_found")
			mustStatus(t, do("GET", "/api/v1/residents/"+id1, toks[0], nil), 200)

			// Reveal: staff only, one audit record per call.
			reveal := func(token, id string) map[string]any {
				t.Helper()
				rec := env.do("POST", "/api/v1/residents/"+id+"/reveal", token, map[string]string{"reason": "Gọi điện hẹn lịch hỗ trợ"})
				mustStatus(t, rec, 200)
				if rec.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("reveal Cache-Control %q", rec.Header().Get("Cache-Control"))
				}
				return decode(t, rec)
			}
			audits := func() []*resident.Audit {
				t.Helper()
				as, err := env.store.ListAudit(ctx, w.wardA, page.Request{})
				if err != nil {
					t.Fatal(err)
				}
				return as
			}
			got := reveal(w.staffA, id1)
			if got["phone"] != "+84912345678" || got["national_id"] != "001203004567" {
				t.Fatalf("revealed %v", got)
			}
			if as := audits(); len(as) != 1 || as[0].By == "" || as[0].ResidentID != id1 || as[0].Reason != "Gọi điện hẹn lịch hỗ trợ" ||
				fmt.Sprint(as[0].Fields) != "[phone national_id]" || as[0].ID != got["audit_id"] {
				t.Fatalf("audit after one reveal: %+v", as)
			}
			reveal(env.adminToken(), id1)
			if n := len(audits()); n != 2 {
				t.Fatalf("%d audit records after two reveals", n)
			}
			assertProblem(t, do("POST", "/api/v1/residents/"+id1+"/reveal", toks[0], map[string]string{"reason": "Tò mò"}), 403, "forbidden")
			assertProblem(t, do("POST", "/api/v1/residents/"+id1+"/reveal", w.staffB, map[string]string{"reason": "Tò mò"}), 404, "not_found")
			assertField(t, do("POST", "/api/v1/residents/"+id1+"/reveal", w.staffA, map[string]string{"reason": "  "}), "reason", "length")
			if n := len(audits()); n != 2 {
				t.Fatalf("refused reveals wrote audit records: %d", n)
			}

			// Changes: a new number is re-encrypted; one another resident holds is refused.
			rec = do("PATCH", "/api/v1/residents/"+twin["id"].(string), w.staffA, map[string]any{"phone": "0933 111 222", "notes": "Đã có điện thoại"})
			mustStatus(t, rec, 200)
			if p := decode(t, rec); p["has_phone"] != true || p["notes"] != "Đã có điện thoại" {
				t.Fatalf("patched %v", p)
			}
			rec = do("PATCH", "/api/v1/residents/"+twin["id"].(string), w.staffA, map[string]any{"phone": "0987654321"})
			assertProblem(t, rec, 409, "duplicate_resident")
			if got := reveal(w.staffA, twin["id"].(string)); got["phone"] != "+84933111222" || got["national_id"] != nil {
				t.Fatalf("revealed after a refused change: %v", got)
			}

			// Erasure keeps the count, destroys personal data and frees the numbers.
			before, err := env.store.CountResidents(ctx, w.wardA)
			if err != nil {
				t.Fatal(err)
			}
			assertProblem(t, do("POST", "/api/v1/residents/"+id1+"/erase", w.staffB, map[string]string{"reason": "Yêu cầu xoá"}), 404, "not_found")
			rec = do("POST", "/api/v1/residents/"+id1+"/erase", w.staffA, map[string]string{"reason": "Người dân yêu cầu xoá dữ liệu"})
			mustStatus(t, rec, 200)
			if e := decode(t, rec); e["full_name"] != "" || e["birth_year"] != nil || e["has_phone"] != false || e["erased_at"] == nil || e["ward_id"] != w.wardA {
				t.Fatalf("erased: %v", e)
			}
			after, err := env.store.CountResidents(ctx, w.wardA)
			if err != nil || after != before {
				t.Fatalf("count %d after erasure, %d before (%v)", after, before, err)
			}
			row, err := env.store.ResidentByID(ctx, id1)
			if err != nil {
				t.Fatal(err)
			}
			if row.FullName != "" || row.NameKey != "" || row.Phone != nil || row.NationalID != nil || row.PhoneIndex != "" ||
				row.NationalIndex != "" || row.Group != "" || row.Notes != "" || row.BirthYear != 0 || row.ErasedAt == nil {
				t.Fatalf("personal data left in the store: %+v", row)
			}
			assertProblem(t, do("POST", "/api/v1/residents/"+id1+"/erase", w.staffA, map[string]string{"reason": "Lần nữa"}), 409, "resident_erased")
			assertProblem(t, do("POST", "/api/v1/residents/"+id1+"/reveal", w.staffA, map[string]string{"reason": "Xem lại"}), 409, "resident_erased")
			assertProblem(t, do("PATCH", "/api/v1/residents/"+id1, w.staffA, map[string]string{"notes": "x"}), 409, "resident_erased")
			if got := found(w.staffA, "?q=nguyen+van+a"); fmt.Sprint(got) != fmt.Sprint([]string{twin["id"].(string)}) {
				t.Errorf("search after erasure: %v", got)
			}
			again := create(w.staffA, residentBody(w.wardA, "Vũ Văn Giang", "0912345678", "001203004567"))
			if again["has_phone"] != true {
				t.Fatalf("re-registered: %v", again)
			}

			// The audit trail: the ward's staff and admins, newest first.
			rec = do("GET", "/api/v1/wards/"+w.wardA+"/audit?limit=2", w.staffA, nil)
			mustStatus(t, rec, 200)
			var trail struct {
				Items      []auditJSON `json:"items"`
				NextCursor *string     `json:"next_cursor"`
			}
			decodeBody(t, rec, &trail)
			if len(trail.Items) != 2 || trail.Items[0].Action != "erase" || trail.Items[0].ResidentID != id1 || trail.NextCursor == nil {
				t.Fatalf("audit trail: %s", rec.Body)
			}
			assertProblem(t, do("GET", "/api/v1/wards/"+w.wardA+"/audit", w.staffB, nil), 404, "not_found")
			assertProblem(t, do("GET", "/api/v1/wards/"+w.wardA+"/audit", toks[0], nil), 403, "forbidden")

			// No number anywhere but in reveals: not in a response, a header, nor a log line.
			logMu.Lock()
			logged := logs.String()
			logMu.Unlock()
			if !strings.Contains(logged, "/api/v1/residents") {
				t.Fatal("the log captured nothing")
			}
			for _, d := range secretDigits {
				if strings.Contains(logged, d) {
					t.Errorf("the log holds %s", d)
				}
				if strings.Contains(seen.String(), d) {
					t.Errorf("a response holds %s", d)
				}
			}
		})
	}
}

// lockedWriter serialises writes of concurrent handlers to one buffer.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestResidentsSamePhoneRegisteredOnce(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "RC")
			const n = 100
			recs := make([]*httptest.ResponseRecorder, n)
			reqs := make([]*http.Request, n)
			for i := range n {
				reqs[i] = env.newRequest("POST", "/api/v1/residents", w.staffA,
					residentBody(w.wardA, fmt.Sprintf("Người dân số %d", i), "0912 777 888", ""))
			}
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					recs[i] = httptest.NewRecorder()
					env.handler.ServeHTTP(recs[i], reqs[i])
				})
			}
			close(start)
			wg.Wait()
			created, holder := 0, ""
			for _, rec := range recs {
				if rec.Code == 201 {
					created++
					holder = decode(t, rec)["id"].(string)
				}
			}
			if created != 1 {
				t.Fatalf("%d registrations of one phone succeeded", created)
			}
			for i, rec := range recs {
				if rec.Code == 201 {
					continue
				}
				if rec.Code != 409 {
					t.Fatalf("registration %d: %d %s", i, rec.Code, rec.Body)
				}
				if p := problemOf(t, rec); p.Code != resident.CodeDuplicateResident || p.ExistingID != holder {
					t.Fatalf("registration %d: %+v, want duplicate_resident naming %s", i, p, holder)
				}
			}
			count, err := env.store.CountResidents(context.Background(), w.wardA)
			if err != nil || count != 1 {
				t.Fatalf("%d residents stored (%v), want 1", count, err)
			}
		})
	}
}
