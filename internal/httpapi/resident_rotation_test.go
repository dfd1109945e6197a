package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"ecitizen/internal/resident"
	"ecitizen/internal/store/storetest"
)

// Rotating the data key through the service: residents registered under key A
// are found and revealed with the ring {B, A}; after the rotation job, with B
// alone; a value whose key left the ring too early answers 409
// data_key_unknown without the number, and the log names the key id, never the
// number.
func TestResidentsDataKeyRotationHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := testLogger(&lockedWriter{w: &logs, mu: &logMu})
			prev := slog.Default()
			slog.SetDefault(logger)
			t.Cleanup(func() { slog.SetDefault(prev) })
			a, b := bytes.Repeat([]byte{0xa1}, 32), bytes.Repeat([]byte{0xb2}, 32)
			ringA, _ := resident.NewCrypter(a)
			ringBA, _ := resident.NewCrypter(b, a)
			ringB, _ := resident.NewCrypter(b)
			env := buildTestEnv(t, ad, envSettings{logger: logger, residents: func(d *resident.Deps) { d.Keys = ringA }})
			// The services restart with another ring, as after a change of configuration.
			withRing := func(ring *resident.Crypter) { env.restartResidents(func(d *resident.Deps) { d.Keys = ring }) }
			w := newRosterWorld(t, env, "ROT")
			id := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Văn Xoay", "0933 111 222", "079188001234"))
			search := "/api/v1/wards/" + w.wardA + "/residents?phone=0933111222"
			found := func() int {
				t.Helper()
				rec := env.do("GET", search, w.staffA, nil)
				mustStatus(t, rec, 200)
				return len(decode(t, rec)["items"].([]any))
			}
			revealed := func(status int) map[string]any {
				t.Helper()
				rec := env.do("POST", "/api/v1/residents/"+id+"/reveal", w.staffA, map[string]any{"reason": "Gọi lại hẹn lịch"})
				mustStatus(t, rec, status)
				if status != 200 && (strings.Contains(rec.Body.String(), "933111222") || strings.Contains(rec.Body.String(), "079188001234")) {
					t.Fatalf("a failed reveal holds the number: %s", rec.Body)
				}
				return decode(t, rec)
			}

			withRing(ringBA)
			if n := found(); n != 1 {
				t.Fatalf("found %d with the ring {B, A}", n)
			}
			if got := revealed(200); got["phone"] != "+84933111222" || got["national_id"] != "079188001234" {
				t.Fatalf("revealed with the old key: %v", got)
			}
			// The same number again, under B: refused, it is A's resident's.
			assertProblem(t, env.do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "Người khác", "0933111222", "")), 409, "duplicate_resident")

			// A removed too early: not found, and the reveal is a 409
			// data_key_unknown whose log line names the key id only.
			withRing(ringB)
			if n := found(); n != 0 {
				t.Fatalf("found %d without the old key", n)
			}
			if p := revealed(409); p["code"] != "data_key_unknown" {
				t.Fatalf("reveal without the old key: %v", p)
			}
			logMu.Lock()
			logged := logs.String()
			logMu.Unlock()
			if !strings.Contains(logged, ringA.KeyID()) {
				t.Fatalf("the log does not name the missing key id: %s", logged)
			}

			withRing(ringBA)
			rep, err := resident.NewRotation(resident.RotationDeps{Store: env.store, Keys: ringBA}).Run(context.Background())
			if err != nil || rep.Resealed != 1 || rep.Remaining() != 0 {
				t.Fatalf("rotation: %+v, %v", rep, err)
			}
			withRing(ringB)
			if n := found(); n != 1 {
				t.Fatalf("found %d with B alone after the rotation", n)
			}
			if got := revealed(200); got["phone"] != "+84933111222" || got["national_id"] != "079188001234" {
				t.Fatalf("revealed with B alone: %v", got)
			}
			logMu.Lock()
			logged = logs.String()
			logMu.Unlock()
			for _, d := range []string{"933111222", "079188001234"} {
				if strings.Contains(logged, d) {
					t.Errorf("the log holds %s", d)
				}
			}
		})
	}
}
