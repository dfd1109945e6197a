package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/identity"
	"ecitizen/internal/skills"
	"ecitizen/internal/store/storetest"
	"ecitizen/internal/vntime"
)

type coverageOut struct {
	WardID       string   `json:"ward_id"`
	SharePercent *float64 `json:"share_percent"`
	GoalPercent  *float64 `json:"goal_percent"`
	Needed       *int     `json:"ecitizens_needed"`
	Target       *struct {
		AdultPopulation int `json:"adult_population"`
	} `json:"target"`
	Summary struct {
		Residents struct {
			Registered int `json:"registered"`
			ECitizens  int `json:"ecitizens"`
			Reached    int `json:"reached"`
		} `json:"residents"`
		Skills []struct {
			Code      string `json:"code"`
			NameVi    string `json:"name_vi"`
			Residents int    `json:"residents"`
		} `json:"skills"`
		Helped struct {
			Last7Days int `json:"last_7_days"`
		} `json:"helped"`
		Upcoming struct {
			Booked int `json:"booked"`
		} `json:"upcoming"`
	} `json:"summary"`
}

func wardCoverageOf(t *testing.T, env *testEnv, token, ward string) coverageOut {
	t.Helper()
	rec := env.do("GET", "/api/v1/wards/"+ward+"/coverage", token, nil)
	mustStatus(t, rec, http.StatusOK)
	var out coverageOut
	decodeBody(t, rec, &out)
	return out
}

func skillResidents(c coverageOut, code string) int {
	for _, s := range c.Summary.Skills {
		if s.Code == code {
			return s.Residents
		}
	}
	return -1
}

func TestCoverageHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "COV")
			year := testNow().In(hanoi).Year()
			mustStatus(t, env.do("PUT", "/api/v1/wards/"+w.wardA+"/targets/"+strconv.Itoa(year), w.admin,
				map[string]int{"adult_population": 10, "households": 4}), 200)
			mustStatus(t, env.do("PUT", "/api/v1/district/targets/"+strconv.Itoa(year), w.admin, map[string]float64{"ecitizen_share_percent": 30}), 200)

			if err := env.coverage.Refresh(t.Context()); err != nil {
				t.Fatalf("refresh: %v", err)
			}
			empty := wardCoverageOf(t, env, w.staffA, w.wardA)
			if empty.Summary.Residents.Registered != 0 || empty.SharePercent == nil || *empty.SharePercent != 0 || *empty.Needed != 3 {
				t.Fatalf("empty ward: %+v", empty)
			}
			hoa := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa", "", ""))
			lan := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Lê Thị Lan", "", ""))
			env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Trần Văn Nam", "", ""))
			// A name without a letter could never be named by its initial on the
			// e-citizen certificate: refused at registration.
			rec := env.do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "123 456", "", ""))
			assertProblem(t, rec, 400, "invalid")
			if !strings.Contains(rec.Body.String(), `"letters"`) {
				t.Fatalf("no letters: %s", rec.Body)
			}
			var last string
			for _, s := range requiredSkills {
				last = env.created(w.staffA, "/api/v1/residents/"+hoa+"/progress", progressBody(s))
			}
			env.created(w.staffA, "/api/v1/residents/"+lan+"/progress", progressBody("vneid_level2"))

			got := wardCoverageOf(t, env, w.staffA, w.wardA)
			r := got.Summary.Residents
			if r.Registered != 3 || r.ECitizens != 1 || r.Reached != 2 || got.Summary.Helped.Last7Days != 2 {
				t.Fatalf("residents %+v helped %+v", r, got.Summary.Helped)
			}
			if *got.SharePercent != 10 || *got.GoalPercent != 30 || *got.Needed != 2 || got.Target.AdultPopulation != 10 {
				t.Fatalf("share %v goal %v needed %v", *got.SharePercent, *got.GoalPercent, *got.Needed)
			}
			if n := skillResidents(got, "vneid_level2"); n != 2 {
				t.Fatalf("vneid_level2 shown by %d residents, want 2", n)
			}
			if got.Summary.Skills[0].NameVi == "" {
				t.Fatalf("skill without its Vietnamese name: %+v", got.Summary.Skills[0])
			}
			assertProblem(t, env.do("GET", "/api/v1/wards/"+w.wardA+"/coverage", w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", "/api/v1/wards/"+w.wardA+"/coverage/trends", w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", "/api/v1/centres/"+w.centreA+"/coverage", w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", "/api/v1/district/coverage", w.staffA, nil), 403, "forbidden")

			// Revoking the completing record takes the e-citizen back, in the
			// summary and in this week's trend.
			mustStatus(t, env.do("POST", "/api/v1/progress/"+last+"/revoke", w.staffA, map[string]string{"reason": "Ghi nhầm người"}), 200)
			got = wardCoverageOf(t, env, w.staffA, w.wardA)
			if got.Summary.Residents.ECitizens != 0 || *got.Needed != 3 {
				t.Fatalf("after the revocation: %+v needed %d", got.Summary.Residents, *got.Needed)
			}
			rec = env.do("GET", "/api/v1/wards/"+w.wardA+"/coverage/trends", w.staffA, nil)
			mustStatus(t, rec, 200)
			var tr struct {
				Weeks []struct {
					WeekStart    string `json:"week_start"`
					NewResidents int    `json:"new_residents"`
					NewECitizens int    `json:"new_ecitizens"`
				} `json:"weeks"`
			}
			decodeBody(t, rec, &tr)
			if len(tr.Weeks) != 52 || tr.Weeks[51].NewResidents != 3 || tr.Weeks[51].NewECitizens != 0 {
				t.Fatalf("trend: %d weeks, this week %+v", len(tr.Weeks), tr.Weeks[len(tr.Weeks)-1])
			}

			rec = env.do("GET", "/api/v1/district/coverage", w.admin, nil)
			mustStatus(t, rec, 200)
			var o struct {
				Wards []struct {
					Rank int         `json:"rank"`
					Ward coverageOut `json:"ward"`
				} `json:"wards"`
				BelowTarget []struct {
					Ward coverageOut `json:"ward"`
				} `json:"below_target"`
			}
			decodeBody(t, rec, &o)
			if len(o.Wards) < 2 || o.Wards[0].Ward.WardID != w.wardA || o.Wards[0].Rank != 1 {
				t.Fatalf("ranks: %+v", o.Wards)
			}
			if len(o.BelowTarget) != 1 || o.BelowTarget[0].Ward.WardID != w.wardA {
				t.Fatalf("below target: %+v", o.BelowTarget)
			}
			mustStatus(t, env.do("GET", "/api/v1/centres/"+w.centreA+"/coverage", w.staffA, nil), 200)
			mustStatus(t, env.do("GET", "/api/v1/district/coverage/trends", w.admin, nil), 200)
		})
	}
}

// Concurrent records while summaries are read: the last summary served equals
// one computed afresh by a new service (no snapshot), and the counts the
// successful requests imply.
func TestCoverageConcurrentWritesHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "CCW")
			const n = 8
			residents := make([]string, n)
			for i := range residents {
				residents[i] = env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Người dân "+strconv.Itoa(i), "", ""))
			}
			stop := make(chan struct{})
			var readers sync.WaitGroup
			for range 3 {
				readers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						if rec := env.do("GET", "/api/v1/wards/"+w.wardA+"/coverage", w.staffA, nil); rec.Code != 200 {
							t.Errorf("summary while writing: %d %s", rec.Code, rec.Body)
							return
						}
					}
				})
			}
			// Bookings race too: 12 volunteers for 2 shifts of 3 places each.
			shifts := []string{w.shift(t, "Ca sáng", localTime(2, 8, 0), 2, 3), w.shift(t, "Ca chiều", localTime(2, 14, 0), 2, 3)}
			_, tokens := w.volunteers(t, 12)
			var booked atomic.Int64
			var writers sync.WaitGroup
			for i, tok := range tokens {
				writers.Go(func() {
					switch rec := env.do("POST", "/api/v1/shifts/"+shifts[i%2]+"/bookings", tok, map[string]bool{}); rec.Code {
					case 201:
						booked.Add(1)
					case 409:
					default:
						t.Errorf("booking: %d %s", rec.Code, rec.Body)
					}
				})
			}
			for _, res := range residents {
				for _, s := range requiredSkills {
					writers.Go(func() {
						if rec := env.do("POST", "/api/v1/residents/"+res+"/progress", w.staffA, progressBody(s)); rec.Code != 201 {
							t.Errorf("record: %d %s", rec.Code, rec.Body)
						}
					})
				}
			}
			writers.Wait()
			close(stop)
			readers.Wait()

			got := wardCoverageOf(t, env, w.staffA, w.wardA)
			if r := got.Summary.Residents; r.Registered != n || r.ECitizens != n || r.Reached != n {
				t.Fatalf("after %d residents showed every skill: %+v", n, r)
			}
			if b := got.Summary.Upcoming.Booked; b != int(booked.Load()) || b != 6 {
				t.Fatalf("upcoming places booked %d; %d bookings answered 201, 6 places", b, booked.Load())
			}
			for _, s := range requiredSkills {
				if k := skillResidents(got, s); k != n {
					t.Fatalf("%s shown by %d, want %d", s, k, n)
				}
			}
			fw, err := skills.Load(content.FS, "skills.yaml")
			if err != nil {
				t.Fatal(err)
			}
			fresh := coverage.NewService(coverage.Deps{Store: env.store, Directory: env.directory, Targets: env.directory, Framework: fw, Now: testNow})
			want, err := fresh.Ward(t.Context(), identity.Caller{UserID: "admin", Role: identity.RoleAdmin}, w.wardA)
			if err != nil {
				t.Fatal(err)
			}
			served, err := env.coverage.Ward(t.Context(), identity.Caller{UserID: "admin", Role: identity.RoleAdmin}, w.wardA)
			if err != nil {
				t.Fatal(err)
			}
			want.Summary.AsOf, served.Summary.AsOf = time.Time{}, time.Time{}
			if !reflect.DeepEqual(served.Summary, want.Summary) {
				t.Fatalf("served summary differs from a fresh one:\n got %+v\nwant %+v", served.Summary, want.Summary)
			}
		})
	}
}

// The exports hold what the JSON answers hold (which the randomised store test
// compares with a brute-force recomputation), in Vietnamese by default.
func TestCoverageExportsHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "CEX")
			year := testNow().In(hanoi).Year()
			mustStatus(t, env.do("PUT", "/api/v1/wards/"+w.wardA+"/targets/"+strconv.Itoa(year), w.admin,
				map[string]int{"adult_population": 40, "households": 15}), 200)
			res := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa", "+84912345678", "001089012345"))
			for _, s := range requiredSkills {
				env.created(w.staffA, "/api/v1/residents/"+res+"/progress", progressBody(s))
			}
			sum := wardCoverageOf(t, env, w.staffA, w.wardA)
			base := "/api/v1/wards/" + w.wardA + "/coverage/export"

			rec := env.do("GET", base+"?format=csv&table=summary", w.staffA, nil)
			mustStatus(t, rec, 200)
			if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="ecitizen-ward-RACEX-summary-`) {
				t.Errorf("Content-Disposition %q", cd)
			}
			rows := readCSVExport(t, rec.Body.Bytes())
			values := map[string]string{}
			for _, r := range rows[1:] {
				values[r[0]] = r[1]
			}
			if rows[0][0] != "Chỉ số" || values["Công dân số"] != strconv.Itoa(sum.Summary.Residents.ECitizens) ||
				values["Người dân đã đăng ký"] != "1" || values["Tỷ lệ công dân số (%)"] != "2.5" {
				t.Fatalf("summary CSV: %q", rows)
			}
			for _, b := range [][]byte{rec.Body.Bytes()} {
				if bytes.Contains(b, []byte("912345678")) || bytes.Contains(b, []byte("001089012345")) || bytes.Contains(b, []byte("Nguyễn Thị Hoa")) {
					t.Fatalf("personal data in the export: %s", b)
				}
			}

			rec = env.do("GET", base+"?format=xlsx&lang=en", w.staffA, nil)
			mustStatus(t, rec, 200)
			f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := strings.Join(f.GetSheetList(), ","); got != "summary,skills,trends" {
				t.Fatalf("sheets %s", got)
			}
			trend, _ := f.GetRows("trends", excelize.Options{RawCellValue: true})
			if len(trend) != 2+52 || trend[1][0] != "Week starting" || trend[len(trend)-1][1] != "1" || trend[len(trend)-1][2] != "1" {
				t.Fatalf("trends sheet: %d rows, header %q, last %q", len(trend), trend[1], trend[len(trend)-1])
			}
			skillsRows, _ := f.GetRows("skills", excelize.Options{RawCellValue: true})
			if skillsRows[2][0] != "vneid_level2" || skillsRows[2][2] != "yes" || skillsRows[2][3] != "1" {
				t.Fatalf("skills sheet: %q", skillsRows[:3])
			}

			for _, bad := range []struct{ query, field string }{
				{"?format=csv", "table"}, {"?format=xlsx&table=wards", "table"}, {"?format=pdf&table=summary", "format"},
				{"?table=summary", "format"}, {"?format=csv&table=summary&lang=fr", "lang"},
			} {
				rec := env.do("GET", base+bad.query, w.staffA, nil)
				assertProblem(t, rec, 400, "invalid")
				if !strings.Contains(rec.Body.String(), `"field":"`+bad.field+`"`) {
					t.Errorf("%s: %s", bad.query, rec.Body)
				}
			}
			assertProblem(t, env.do("GET", base+"?format=csv&table=summary", w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", "/api/v1/district/coverage/export?format=xlsx", w.staffA, nil), 403, "forbidden")

			rec = env.do("GET", "/api/v1/district/coverage/export?format=csv&table=wards", w.admin, nil)
			mustStatus(t, rec, 200)
			rows = readCSVExport(t, rec.Body.Bytes())
			if rows[0][0] != "Hạng" || len(rows) != 1+2 || rows[1][1] != "RACEX" || rows[1][4] != "1" {
				t.Fatalf("district wards CSV: %q", rows)
			}
			rec = env.do("GET", "/api/v1/district/coverage/export?format=xlsx", w.admin, nil)
			mustStatus(t, rec, 200)
			f2, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer f2.Close()
			if got := strings.Join(f2.GetSheetList(), ","); got != strings.Join(coverage.DistrictTables, ",") {
				t.Fatalf("district sheets %s", got)
			}
			mustStatus(t, env.do("GET", "/api/v1/centres/"+w.centreA+"/coverage/export?format=xlsx", w.staffA, nil), 200)
		})
	}
}

// TestRenderedOverview checks that the district's JSON, kept between overviews
// of one Version, is byte for byte what rendering each overview gives.
func TestRenderedOverview(t *testing.T) {
	share := 12.5
	render := func(o *coverage.Overview) overviewJSON {
		row := wardRowJSON{Rank: 1, Ward: wardSummaryJSON{WardID: "w1", NameVi: "Phường <Bến Nghé> & \"as_of\":\"0001-01-01T00:00:00Z\"",
			SharePercent: &share, Summary: summaryJSON{AsOf: o.AsOf, Skills: []skillCountJSON{}, Equipment: []usageCountJSON{}}}}
		return overviewJSON{AsOf: o.AsOf, Year: o.Year, Total: summaryJSON{AsOf: o.AsOf, Skills: []skillCountJSON{}, Equipment: []usageCountJSON{}},
			Wards: []wardRowJSON{row}, BelowTarget: []wardRowJSON{row}, Unfilled: []unfilledJSON{}, Lacking: []lackJSON{}}
	}
	var r renderedOverview
	calls := 0
	counted := func(o *coverage.Overview) overviewJSON { calls++; return render(o) }
	at := time.Date(2026, 12, 8, 9, 30, 1, 123000000, vntime.Zone)
	for i, o := range []*coverage.Overview{
		{Version: 1, AsOf: at, Year: 2026},
		{Version: 1, AsOf: at.Add(time.Second), Year: 2026},
		{Version: 2, AsOf: at.Add(2 * time.Second), Year: 2027},
		{Version: 2, AsOf: at.Add(3 * time.Second).UTC(), Year: 2027},
	} {
		got, err := r.body(o, counted)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(render(o))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("overview %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if calls != 2 {
		t.Fatalf("rendered %d times, want once per version", calls)
	}
}
