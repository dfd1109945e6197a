package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"

	"ecitizen/internal/coverage"
	"ecitizen/internal/resident"
)

// TestBulkPrunesCoverageLog: a batch of residents logs each move of its parts'
// stamps (the triggers fire for every row, so summaries read the residents
// changed since their stamp), then prunes each part's log to its last logKept
// moves, as Open does: loading a district leaves no log of every row behind.
func TestBulkPrunesCoverageLog(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "ecitizen.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.w.ExecContext(ctx, `INSERT INTO wards (id, code, name_vi, name_en, status, created_at, updated_at)
		VALUES ('w1', 'W1', 'Phường 1', 'Ward 1', 'active', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	// Every resident in part r0 (the last character of its id): each moves the
	// part's stamp twice (its ward and the ward it was registered in).
	const n = 600
	var batch []resident.Prepared
	for i := range n {
		r := &resident.Resident{ID: fmt.Sprintf("r-%05d-0", i), WardID: "w1", FullName: "Lê An", NameKey: "le an", BirthYear: 1950,
			Group: "Tổ 1", DupKey: "k", Consent: resident.Consent{Version: "v", RecordedBy: "s"}, CreatedBy: "s"}
		batch = append(batch, resident.Prepared{Resident: r})
	}
	if err := db.InsertResidents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var logged, stamp, words int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM coverage_log WHERE ward_id = 'w1' AND part = 'r0'`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT n FROM coverage_stamps WHERE ward_id = 'w1' AND part = 'r0'`).Scan(&stamp); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM resident_name_words WHERE ward_id = 'w1'`).Scan(&words); err != nil {
		t.Fatal(err)
	}
	if stamp != 2*n || logged != logKept || words != 2*n {
		t.Errorf("stamp %d (want %d), %d log rows (want %d), %d name words (want %d)", stamp, 2*n, logged, logKept, words, 2*n)
	}
	// The moves kept are the last ones: a reader of an older stamp is told the
	// log cannot answer for it, one of a recent stamp gets the residents.
	ids, ok, err := db.CoverageChanges(ctx, "w1", "r0", coverage.Stamp{Value: fmt.Sprint(2*n - 4)}, coverage.Stamp{Value: fmt.Sprint(2 * n)})
	if err != nil || !ok || len(ids) != 4 || ids[3] != batch[n-1].Resident.ID {
		t.Errorf("changes of the last 4 moves: %q, %v, %v", ids, ok, err)
	}
}
