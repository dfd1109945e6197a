package certificate_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/store/sqlite"
)

// FuzzVerify drives the public verify path (Service.Verify, what GET
// /api/v1/verify/{code} and the web page run) with whatever a person types or a
// scanner reads, over a real SQLite store holding one valid and one revoked
// certificate. Nothing panics; every refusal is certificate_not_found (404) or,
// for the revoked certificate only, certificate_revoked (410), never an internal
// error; a code verifies only when it is the valid certificate's code as typed
// (any case, hyphens, spaces). A valid code mutated at one place (a character
// replaced, inserted or removed) is refused unless the mutation is one of those
// allowed spellings.
func FuzzVerify(f *testing.F) {
	ctx := context.Background()
	jwtKey := []byte("a JWT key of at least 32 bytes, for fuzzing")
	key := certificate.Key(jwtKey)
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "ecitizen.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = db.Close() })
	issued := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	store := func(id, residentID string) string {
		code, err := certificate.NewCode(key)
		if err != nil {
			f.Fatal(err)
		}
		err = db.CreateCertificate(ctx, &certificate.Certificate{ID: id, Code: code, Kind: certificate.KindECitizen,
			IssueKey: "ecitizen|" + residentID + "|v1|0", HolderID: residentID, WardIDs: []string{"ward-1"}, IssuedBy: "staff-1",
			IssuedAt: issued, Statement: certificate.Statement{ECitizen: &certificate.ECitizenStatement{ResidentID: residentID,
				Initial: "H.", WardNameVi: "Phường Bạch Mai", WardNameEn: "Bach Mai Ward", ReachedOn: "2026-11-20", FrameworkVersion: 1}}})
		if err != nil {
			f.Fatal(err)
		}
		return code
	}
	valid := store("01963a8e-2a31-7b9c-8f00-5d2e1c7a9b10", "resident-1")
	revoked := store("01963a8e-2a31-7b9c-8f00-5d2e1c7a9b11", "resident-2")
	if err := db.RevokeCertificate(ctx, &certificate.Revocation{Code: revoked, At: issued.Add(time.Hour), By: "staff-1", Reason: "nhầm"}); err != nil {
		f.Fatal(err)
	}
	svc := certificate.NewService(certificate.Deps{Store: db, JWTKey: jwtKey, PublicURL: "https://ecitizen.example.vn",
		Now: func() time.Time { return issued }})

	var neverIssued [10]byte
	for _, code := range []string{valid, certificate.Display(valid), strings.ToLower(certificate.Display(valid)),
		" " + strings.ReplaceAll(certificate.Display(valid), "-", " ") + " ", revoked, certificate.Display(revoked),
		certificate.CodeWithTag(key, neverIssued), "", "AAAA", valid + "A", valid[:23], valid[:23] + "1", valid + "=",
		strings.Repeat("A", 64), strings.Repeat("A", 65), strings.Repeat("-", 1000), `{"$ne": ""}`, "' OR 1=1 --",
		"Mã chứng nhận", "\xff\xfe", "\ufeff" + valid, valid[:12] + "\n" + valid[12:], valid[:12] + "\t" + valid[12:]} {
		f.Add(code, uint8(0), uint8(0), uint8(3))
	}
	f.Add("", uint8(23), uint8('B'), uint8(0))
	f.Add("", uint8(5), uint8('-'), uint8(1))
	f.Add("", uint8(5), uint8('a'), uint8(1))
	f.Add("", uint8(0), uint8(0), uint8(2))

	// typedAs is what a person's code is read as: any case, without hyphens and spaces.
	typedAs := func(code string) string {
		return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	}
	f.Fuzz(func(t *testing.T, code string, at, with, op uint8) {
		mutated := []byte(valid)
		i := int(at) % (len(mutated) + 1)
		switch op % 4 {
		case 0: // replace
			if i < len(mutated) {
				mutated[i] = with
			}
		case 1: // insert
			mutated = append(mutated[:i], append([]byte{with}, mutated[i:]...)...)
		case 2: // remove
			if i < len(mutated) {
				mutated = append(mutated[:i], mutated[i+1:]...)
			}
		case 3: // none: only the code as given
		}
		for _, c := range []string{code, string(mutated)} {
			cert, err := svc.Verify(ctx, c)
			if err != nil {
				e := apperr.As(err)
				switch {
				case e == nil:
					t.Fatalf("Verify(%q) = %v (%T), want a coded error", c, err, err)
				case e.Code == certificate.CodeCertificateRevoked && typedAs(c) == revoked:
				case e.Code != certificate.CodeCertificateNotFound:
					t.Fatalf("Verify(%q) = %v, want certificate_not_found", c, err)
				}
				continue
			}
			if cert.Code != valid || typedAs(c) != valid {
				t.Fatalf("Verify(%q) verifies certificate %q; only %q is valid", c, cert.Code, valid)
			}
		}
		// Canonical alone, as the PDF download and revocation read codes.
		if canonical, ok := certificate.Canonical(key, code); ok {
			if canonical != typedAs(code) || len(canonical) != certificate.CodeLength {
				t.Fatalf("Canonical(%q) = %q", code, canonical)
			}
			if again, ok := certificate.Canonical(key, certificate.Display(canonical)); !ok || again != canonical {
				t.Fatalf("the displayed code %q reads back as %q, %v", certificate.Display(canonical), again, ok)
			}
		}
	})
}
