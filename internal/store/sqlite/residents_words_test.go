package sqlite

import (
	"path/filepath"
	"slices"
	"testing"

	"ecitizen/internal/page"
	"ecitizen/internal/resident"
)

// TestMigrationFillsNameWords: migration 0048 writes the words of the names of
// the residents stored before it (not of erased ones), and an erasure deletes a
// resident's words, which are personal data.
func TestMigrationFillsNameWords(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ecitizen.db")
	raw := olderRelease(t, path, 48)
	for _, q := range []string{
		`INSERT INTO wards (id, code, name_vi, name_en, status, created_at, updated_at) VALUES ('w1', 'W1', 'Phường 1', 'Ward 1', 'active', 0, 0)`,
		`INSERT INTO residents (id, ward_id, origin_ward_id, full_name, name_key, birth_year, gender, residential_group, notes, dup_key,
			duplicate_override, consent_version, consent_given_at, consent_recorded_by, created_by, created_at, updated_at, erased_at)
			VALUES ('r1', 'w1', 'w1', 'Nguyễn Ngọc Nguyên', 'nguyen ngoc nguyen', 1950, '', 'Tổ 1', '', 'k1', '', 'v', 0, 's', 's', 0, 0, NULL),
			('r2', 'w1', 'w1', 'Lê An', 'le an', 1951, '', 'Tổ 1', '', 'k2', '', 'v', 0, 's', 's', 0, 0, NULL),
			('r3', 'w1', 'w1', '', '', 1952, '', '', '', '', '', 'v', 0, 's', 's', 0, 0, 5)`,
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
		t.Fatalf("migrate to 0048: %v", err)
	}
	defer db.Close()
	words := func(id string) []string {
		t.Helper()
		rows, err := db.r.QueryContext(ctx, `SELECT ward_id || ':' || word FROM resident_name_words WHERE resident_id = ? ORDER BY word`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var w string
			if err := rows.Scan(&w); err != nil {
				t.Fatal(err)
			}
			out = append(out, w)
		}
		return out
	}
	for id, want := range map[string][]string{"r1": {"w1:ngoc", "w1:nguyen"}, "r2": {"w1:an", "w1:le"}, "r3": nil} {
		if got := words(id); !slices.Equal(got, want) {
			t.Fatalf("words of %s: %q, want %q", id, got, want)
		}
	}
	found, err := db.ListResidents(ctx, resident.Filter{WardID: "w1", Terms: []string{"nguy", "ng"}}, page.Request{})
	if err != nil || len(found) != 1 || found[0].ID != "r1" {
		t.Fatalf("search after the migration: %v %v", found, err)
	}
	r, err := db.ResidentByID(ctx, "r2")
	if err != nil {
		t.Fatal(err)
	}
	erased := *r
	erased.FullName, erased.NameKey, erased.ErasedAt, erased.ErasedBy = "", "", &r.UpdatedAt, "s"
	if err := db.EraseResident(ctx, &erased, nil, &resident.Audit{ID: "a1", ResidentID: "r2", WardID: "w1",
		Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "x", By: "s", At: r.UpdatedAt}); err != nil {
		t.Fatal(err)
	}
	if got := words("r2"); len(got) != 0 {
		t.Fatalf("words of an erased resident: %q", got)
	}
}
