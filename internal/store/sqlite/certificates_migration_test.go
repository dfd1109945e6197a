package sqlite

import (
	"errors"
	"path/filepath"
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
)

// TestMigrationKeepsCertificates: migration 0020 rebuilds the certificates
// table (its holder may now be a resident) and keeps every certificate and
// revocation stored before it, the holder becoming issued_by.
func TestMigrationKeepsCertificates(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ecitizen.db")
	raw := olderRelease(t, path, 20)
	for _, q := range []string{
		`INSERT INTO users (id, email, email_key, display_name, phone, role, status, password_hash, created_at, updated_at)
			VALUES ('u1', 'a@example.vn', 'a@example.vn', 'Trần Văn Đức', '', 'volunteer', 'active', 'x', 0, 0)`,
		`INSERT INTO certificates (id, code, kind, issue_key, holder_id, ward_ids, organisation_id, issued_at, statement)
			VALUES ('c1', 'CODE1', 'hours', 'hours|u1|p|60|0', 'u1', '["w1"]', '', 1000, '{"hours":{"holder_name":"Trần Văn Đức","from":"2026-11-01","to":"2026-11-02","total_minutes":60,"centres":[]}}'),
			('c2', 'CODE2', 'hours', 'hours|u1|p|90|0', 'u1', '["w1"]', '', 2000, '{"hours":{"holder_name":"Trần Văn Đức","from":"2026-11-01","to":"2026-11-02","total_minutes":90,"centres":[]}}')`,
		`INSERT INTO certificate_revocations (code, revoked_at, revoked_by, reason) VALUES ('CODE2', 3000, 'staff', 'Sai giờ')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("migrate to 0020: %v", err)
	}
	defer db.Close()
	c1, err := db.CertificateByCode(ctx, "CODE1")
	if err != nil {
		t.Fatal(err)
	}
	if c1.IssuedBy != "u1" || c1.HolderID != "u1" || c1.Statement.Hours == nil || c1.Statement.Hours.TotalMinutes != 60 || c1.Revocation != nil {
		t.Fatalf("CODE1 after migration: %+v", c1)
	}
	c2, err := db.CertificateByCode(ctx, "CODE2")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Revocation == nil || c2.Revocation.Reason != "Sai giờ" {
		t.Fatalf("CODE2 lost its revocation: %+v", c2.Revocation)
	}
	// The revocations still reference the (new) certificates table.
	err = db.RevokeCertificate(ctx, &certificate.Revocation{Code: "NOPE", By: "x", Reason: "y"})
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("revoking an unknown code after migration: %v", err)
	}
	var fks int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_list('certificates')`).Scan(&fks); err != nil || fks != 0 {
		t.Fatalf("certificates keeps %d foreign keys (%v), want none", fks, err)
	}
	var idx int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'certificates_holder'`).Scan(&idx); err != nil || idx != 1 {
		t.Fatalf("index certificates_holder: %d (%v)", idx, err)
	}
}
