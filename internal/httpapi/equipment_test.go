package httpapi

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
)

// equipmentFixture adds a device at the matrix's centre A.
func (f *matrixFixture) equipmentFixture(t *testing.T) {
	f.deviceA = f.env.created(f.tokens[admin], "/api/v1/centres/"+f.centreA+"/devices",
		map[string]string{"kind": "computer", "label": "Máy tính số 1"})
	f.usageA = f.env.created(f.tokens[admin], "/api/v1/centres/"+f.centreA+"/device-usage",
		usageBody(f.deviceA, 300*24*time.Hour, time.Hour))
}

// usageBody is a session of procedure use of a device, ending ago before now.
func usageBody(device string, ago, length time.Duration) map[string]any {
	to := testNow().Add(-ago).UTC()
	return map[string]any{"device_id": device, "from": to.Add(-length).Format(time.RFC3339), "to": to.Format(time.RFC3339),
		"purpose": "procedure", "procedure": "Đăng ký thường trú"}
}

type usageReportBody struct {
	Items []struct {
		ID       string  `json:"id"`
		DeviceID string  `json:"device_id"`
		Minutes  int     `json:"minutes"`
		ShiftID  *string `json:"shift_id"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Totals     struct {
		Sessions  int `json:"sessions"`
		Minutes   int `json:"minutes"`
		ByPurpose []struct {
			Purpose  string `json:"purpose"`
			Sessions int    `json:"sessions"`
			Minutes  int    `json:"minutes"`
		} `json:"by_purpose"`
		ByDevice []struct {
			DeviceID string `json:"device_id"`
			Label    string `json:"label"`
			Sessions int    `json:"sessions"`
			Minutes  int    `json:"minutes"`
		} `json:"by_device"`
	} `json:"totals"`
}

func TestEquipment(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "EQ")
			ids, toks := w.volunteers(t, 5)
			devices := "/api/v1/centres/" + w.centreA + "/devices"
			usage := "/api/v1/centres/" + w.centreA + "/device-usage"

			// Devices: the ward's staff add and change them; everyone signed in lists them.
			rec := env.do("POST", devices, w.staffA, map[string]string{"kind": "computer", "label": "Máy tính 1", "notes": "Bàn số 1"})
			mustStatus(t, rec, 201)
			pc1 := decode(t, rec)
			if pc1["status"] != "working" || pc1["label"] != "Máy tính 1" || pc1["ward_id"] != w.wardA {
				t.Fatalf("device: %v", pc1)
			}
			pc2 := env.created(w.staffA, devices, map[string]string{"kind": "laptop", "label": "Máy tính 2"})
			printer := env.created(w.admin, devices, map[string]string{"kind": "printer", "label": "Máy in", "status": "working"})
			assertProblem(t, env.do("POST", devices, w.staffA, map[string]string{"kind": "computer", "label": "  MÁY TÍNH  1 "}), 409, "device_label_taken")
			assertProblem(t, env.do("POST", devices, w.staffB, map[string]string{"kind": "computer", "label": "Máy tính 9"}), 404, "not_found")
			assertProblem(t, env.do("POST", devices, toks[0], map[string]string{"kind": "computer", "label": "Máy tính 9"}), 403, "forbidden")
			assertField(t, env.do("POST", devices, w.staffA, map[string]string{"kind": "abacus", "label": "Bàn tính"}), "kind", "oneof")
			assertField(t, env.do("POST", devices, w.staffA, map[string]string{"kind": "tablet", "label": "   "}), "label", "length")
			assertField(t, env.do("POST", devices, w.staffA, map[string]any{"kind": "tablet", "label": "Máy tính bảng", "ward_id": w.wardA}), "ward_id", "unknown_field")
			rec = env.do("GET", devices+"?limit=2", toks[0], nil)
			mustStatus(t, rec, 200)
			if got := decode(t, rec); len(got["items"].([]any)) != 2 || got["next_cursor"] == nil {
				t.Fatalf("first page of devices: %s", rec.Body)
			}
			assertProblem(t, env.do("PATCH", "/api/v1/devices/"+pc2, w.staffB, map[string]string{"status": "broken"}), 404, "not_found")
			assertProblem(t, env.do("PATCH", "/api/v1/devices/"+pc2, w.staffA, map[string]string{"label": "máy tính 1"}), 409, "device_label_taken")
			rec = env.do("PATCH", "/api/v1/devices/"+printer, w.staffA, map[string]string{"status": "retired", "notes": "Hết hạn sử dụng"})
			mustStatus(t, rec, 200)
			if got := decode(t, rec); got["status"] != "retired" || got["label"] != "Máy in" || got["kind"] != "printer" {
				t.Fatalf("patched device: %v", got)
			}

			// On duty: volunteers 0..4 book a shift that began 10 minutes ago.
			s1 := w.shift(t, "Ca hỗ trợ thiết bị", localTime(1, 8, 0), 2, 10)
			body := centreBody("Nhà văn hoá tổ 7")
			body["opening_hours"] = allDay()
			otherCentre := env.created(w.admin, "/api/v1/wards/"+w.wardA+"/centres", body)
			s2 := env.created(w.staffA, "/api/v1/centres/"+otherCentre+"/shifts", shiftBody("Ca ở nơi khác", localTime(1, 8, 0), 2, 5))
			s3 := w.shift(t, "Ca đã qua", localTime(2, 8, 0), 2, 5)
			for i, tok := range toks {
				shift := s1
				switch i {
				case 2:
					shift = s2
				case 4:
					shift = s3
				}
				mustStatus(t, env.do("POST", "/api/v1/shifts/"+shift+"/bookings", tok, map[string]bool{}), 201)
			}
			moveShift(t, env, s1, testNow().Add(-10*time.Minute), 2*time.Hour)
			moveShift(t, env, s2, testNow().Add(-10*time.Minute), 2*time.Hour)
			moveShift(t, env, s3, testNow().Add(-3*time.Hour), 2*time.Hour+20*time.Minute) // ended 40 minutes ago
			attend := func(shift, volunteer, action string) {
				t.Helper()
				mustStatus(t, env.do("POST", "/api/v1/shifts/"+shift+"/attendance/"+volunteer, w.staffA,
					map[string]string{"action": action, "reason": "Quét mã thay"}), 201)
			}
			attend(s1, ids[0], "checkin")
			attend(s2, ids[2], "checkin")
			attend(s1, ids[3], "checkin")
			attend(s1, ids[3], "checkout")
			attend(s3, ids[4], "checkin")

			rec = env.do("POST", usage, toks[0], usageBody(pc1["id"].(string), time.Minute, 5*time.Minute))
			mustStatus(t, rec, 201)
			if got := decode(t, rec); got["shift_id"] != s1 || got["recorded_by"] != ids[0] || got["minutes"] != float64(5) || got["procedure"] != "Đăng ký thường trú" {
				t.Fatalf("usage by the volunteer on duty: %v", got)
			}
			for name, tok := range map[string]string{"not checked in": toks[1], "checked in at another centre": toks[2],
				"checked out": toks[3], "outside the window": toks[4]} {
				rec := env.do("POST", usage, tok, usageBody(pc2, time.Minute, 5*time.Minute))
				assertProblem(t, rec, 403, "not_on_duty")
				if p := problemOf(t, rec); p.Detail == "" {
					t.Errorf("%s: no detail", name)
				}
			}
			req := env.newRequest("POST", usage, toks[1], usageBody(pc2, time.Minute, 5*time.Minute))
			req.Header.Set("Accept-Language", "en")
			if p := problemOf(t, env.serve(req)); p.Detail != "You are not on duty at this centre: you need a check-in, without a check-out, on a shift here (from 30 minutes before its start to 30 minutes after its end)." {
				t.Errorf("English detail: %q", p.Detail)
			}
			assertProblem(t, env.do("POST", usage, w.staffB, usageBody(pc2, time.Minute, 5*time.Minute)), 404, "not_found")
			assertProblem(t, env.do("POST", "/api/v1/centres/"+otherCentre+"/device-usage", toks[0], usageBody(pc2, time.Minute, 5*time.Minute)), 403, "not_on_duty")

			// Validation, with the field at fault.
			bad := func(tok string, mutate func(map[string]any), field, code string) {
				t.Helper()
				b := usageBody(pc2, time.Minute, 5*time.Minute)
				mutate(b)
				assertField(t, env.do("POST", usage, tok, b), field, code)
			}
			bad(toks[0], func(b map[string]any) { b["from"], b["to"] = b["to"], b["from"] }, "to", "after_from")
			bad(toks[0], func(b map[string]any) { b["to"] = testNow().Add(time.Hour).UTC().Format(time.RFC3339) }, "to", "future")
			bad(toks[0], func(b map[string]any) {
				b["from"], b["to"] = testNow().Add(-5*time.Hour).UTC().Format(time.RFC3339), testNow().Add(-4*time.Hour).UTC().Format(time.RFC3339)
			}, "from", "outside_shift")
			bad(toks[0], func(b map[string]any) { b["purpose"] = "gaming" }, "purpose", "oneof")
			bad(toks[0], func(b map[string]any) { b["purpose"] = "learning" }, "procedure", "purpose")
			bad(toks[0], func(b map[string]any) { b["device_id"] = "no-such-device" }, "device_id", "unknown_device")
			bad(toks[0], func(b map[string]any) { delete(b, "device_id") }, "device_id", "required")
			bad(w.staffA, func(b map[string]any) {
				b["from"] = testNow().Add(-13 * time.Hour).UTC().Format(time.RFC3339)
			}, "to", "duration")
			bad(w.staffA, func(b map[string]any) {
				from := testNow().Add(-400 * 24 * time.Hour).UTC()
				b["from"], b["to"] = from.Format(time.RFC3339), from.Add(time.Hour).Format(time.RFC3339)
			}, "from", "too_old")
			assertProblem(t, env.do("POST", usage, w.staffA, usageBody(printer, time.Minute, 5*time.Minute)), 409, "device_retired")
			assertProblem(t, env.do("POST", usage, w.staffA, usageBody(pc1["id"].(string), 3*time.Minute, 5*time.Minute)), 409, "device_in_use")

			// Twenty overlapping sessions of one device at once: one lands.
			var wg sync.WaitGroup
			codes := make([]int, 20)
			for i := range codes {
				wg.Go(func() {
					codes[i] = env.do("POST", usage, w.staffA, usageBody(pc2, time.Duration(30+i)*time.Minute, time.Hour)).Code
				})
			}
			wg.Wait()
			count := map[int]int{}
			for _, c := range codes {
				count[c]++
			}
			if count[201] != 1 || count[409] != 19 {
				t.Fatalf("answers to 20 overlapping sessions at once: %v", count)
			}

			// The report: exact totals per purpose and device, over all pages.
			since := testNow().Add(-15 * 24 * time.Hour).UTC()
			var last string
			for _, s := range []struct {
				ago, length time.Duration
				purpose     string
			}{{10 * 24 * time.Hour, 45 * time.Minute, "learning"}, {9 * 24 * time.Hour, 20 * time.Minute, "other"}, {8 * 24 * time.Hour, 90 * time.Minute, "learning"}} {
				b := usageBody(pc1["id"].(string), s.ago, s.length)
				b["purpose"] = s.purpose
				delete(b, "procedure")
				last = env.created(w.staffA, usage, b)
			}
			// A wrong session, voided by staff, is listed but not counted.
			wrong := env.created(w.staffA, usage, usageBody(pc2, 20*24*time.Hour, 2*time.Hour))
			void := "/api/v1/device-usage/" + wrong + "/void"
			assertProblem(t, env.do("POST", void, w.staffB, map[string]string{"reason": "Ghi nhầm"}), 404, "not_found")
			assertProblem(t, env.do("POST", void, toks[0], map[string]string{"reason": "Ghi nhầm"}), 403, "forbidden")
			assertField(t, env.do("POST", void, w.staffA, map[string]string{"reason": "  "}), "reason", "length")
			rec = env.do("POST", void, w.staffA, map[string]string{"reason": "Ghi nhầm thiết bị"})
			mustStatus(t, rec, 200)
			if got := decode(t, rec)["voided"]; got == nil || got.(map[string]any)["reason"] != "Ghi nhầm thiết bị" {
				t.Fatalf("voided: %s", rec.Body)
			}
			assertProblem(t, env.do("POST", void, w.admin, map[string]string{"reason": "Lần nữa"}), 409, "usage_voided")
			// Its time is free again; the 90-minute session is voided and entered anew.
			mustStatus(t, env.do("POST", usage, w.staffA, usageBody(pc2, 20*24*time.Hour, time.Hour)), 201)
			mustStatus(t, env.do("POST", "/api/v1/device-usage/"+last+"/void", w.staffA, map[string]string{"reason": "Sai giờ"}), 200)
			b := usageBody(pc1["id"].(string), 8*24*time.Hour, 90*time.Minute)
			b["purpose"] = "learning"
			delete(b, "procedure")
			mustStatus(t, env.do("POST", usage, w.staffA, b), 201)

			var r usageReportBody
			query := usage + "?limit=2&from=" + since.Format(time.RFC3339)
			rec = env.do("GET", query, w.staffA, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &r)
			// pc1: 5 (volunteer) + 45 + 20 + 90 minutes; pc2: 60 (the race's winner).
			want := map[string][2]int{"procedure": {2, 65}, "learning": {2, 135}, "other": {1, 20}}
			if len(r.Items) != 2 || r.NextCursor == nil || r.Totals.Sessions != 5 || r.Totals.Minutes != 220 || len(r.Totals.ByPurpose) != 3 {
				t.Fatalf("report: %s", rec.Body)
			}
			for i, p := range r.Totals.ByPurpose {
				if p.Purpose != []string{"procedure", "learning", "other"}[i] || [2]int{p.Sessions, p.Minutes} != want[p.Purpose] {
					t.Errorf("purpose %s: %d sessions, %d minutes; want %v", p.Purpose, p.Sessions, p.Minutes, want[p.Purpose])
				}
			}
			if d := r.Totals.ByDevice; len(d) != 2 || d[0].Label != "Máy tính 1" || d[0].Sessions != 4 || d[0].Minutes != 160 ||
				d[1].DeviceID != pc2 || d[1].Sessions != 1 || d[1].Minutes != 60 {
				t.Errorf("per device: %+v", d)
			}
			seen := len(r.Items)
			for r.NextCursor != nil {
				next := *r.NextCursor
				r = usageReportBody{}
				rec = env.do("GET", query+"&cursor="+next, w.staffA, nil)
				mustStatus(t, rec, 200)
				decodeBody(t, rec, &r)
				seen += len(r.Items)
				if r.Totals.Sessions != 5 {
					t.Fatalf("totals on a later page: %s", rec.Body)
				}
			}
			if seen != 6 { // the voided 90-minute session is listed
				t.Errorf("%d sessions over all pages, want 6", seen)
			}
			assertProblem(t, env.do("GET", usage, w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", usage, toks[0], nil), 403, "forbidden")
			assertField(t, env.do("GET", usage+"?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", w.admin, nil), "to", "range")
		})
	}
}

// assertField checks a 400 invalid answer whose first field error is field/code.
func assertField(t *testing.T, rec *httptest.ResponseRecorder, field, code string) {
	t.Helper()
	assertProblem(t, rec, http.StatusBadRequest, "invalid")
	if p := problemOf(t, rec); len(p.Errors) == 0 || p.Errors[0].Field != field || p.Errors[0].Code != code || p.Errors[0].Message == "" {
		t.Fatalf("errors %+v, want field %s with code %s", p.Errors, field, code)
	}
}
