package idempotency_test

import (
	"strings"
	"testing"

	"ecitizen/internal/idempotency"
)

// TestFingerprint: a fingerprint names the request (method, path and query, body)
// and depends on the key, so it cannot be recomputed from a guessed body alone.
func TestFingerprint(t *testing.T) {
	a := idempotency.NewService(idempotency.Deps{DataKey: []byte("key A")})
	b := idempotency.NewService(idempotency.Deps{DataKey: []byte("key B")})
	body := []byte(`{"full_name":"Trần Văn Bình","phone":"0912345678"}`)
	fp := a.Fingerprint("POST", "/api/v1/residents", body)
	if fp != a.Fingerprint("POST", "/api/v1/residents", body) {
		t.Error("the same request has two fingerprints")
	}
	for name, other := range map[string]string{
		"another key":    b.Fingerprint("POST", "/api/v1/residents", body),
		"another body":   a.Fingerprint("POST", "/api/v1/residents", []byte(strings.Replace(string(body), "678", "679", 1))),
		"another path":   a.Fingerprint("POST", "/api/v1/residents?x=1", body),
		"another method": a.Fingerprint("PUT", "/api/v1/residents", body),
	} {
		if other == fp {
			t.Errorf("%s gives the same fingerprint", name)
		}
	}
	if strings.Contains(fp, "0912345678") || len(fp) != 64 {
		t.Errorf("fingerprint %q", fp)
	}
}
