package mongo_test

import (
	"testing"

	"github.com/google/uuid"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/skills"
)

// Why MongoDB's coverage stamps must settle before a snapshot is kept: a write
// is marked first and lands after; a reader between the two reads facts
// without it under the new stamp. Here the late landing is an insert that
// bypasses the mark. With the settling time the reader keeps nothing and the
// next read sees the record; without it (NoSettling) the snapshot would be
// served stale until the next mark of the ward.
func TestCoverageStampsSettle(t *testing.T) {
	ctx := t.Context()
	fw, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		noSettling bool
		fresh      bool
	}{{"Settling", false, true}, {"NoSettling", true, false}} {
		t.Run(c.name, func(t *testing.T) {
			db := open(t, dbName())
			dir := directory.NewService(directory.Deps{Store: db})
			admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
			w, err := dir.CreateWard(ctx, admin, directory.Ward{Code: "S01", NameVi: "Phường Thử", NameEn: "Test Ward"})
			if err != nil {
				t.Fatal(err)
			}
			mkResident := func(name string) string {
				r := &resident.Resident{ID: uuid.Must(uuid.NewV7()).String(), WardID: w.ID, OriginWardID: w.ID, FullName: name,
					NameKey: name, BirthYear: 1960, Group: "Tổ 1", DupKey: name, CreatedBy: "staff-1", CreatedAt: now(), UpdatedAt: now(),
					Consent: resident.Consent{Version: "2026-11", GivenAt: now(), RecordedBy: "staff-1"}}
				if err := db.CreateResident(ctx, r, nil); err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			record := func(residentID string) *progress.Record {
				return &progress.Record{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: residentID, SkillCode: "vneid_level2",
					Method: progress.MethodObserved, Evidence: "Tự kích hoạt", RecordedBy: "staff-1", At: now()}
			}
			svc := coverage.NewService(coverage.Deps{Store: db, Directory: dir, Targets: dir, Framework: fw, NoSettling: c.noSettling})
			reached := func() int {
				s, err := svc.Ward(ctx, admin, w.ID)
				if err != nil {
					t.Fatal(err)
				}
				return s.Summary.Residents.Reached
			}
			if err := db.CreateProgressRecord(ctx, record(mkResident("Nguyễn Thị Hoa"))); err != nil {
				t.Fatal(err)
			}
			late := mkResident("Lê Văn Nam") // marks the ward: the mark of the write below
			if n := reached(); n != 1 {
				t.Fatalf("reached %d, want 1", n)
			}
			if err := db.CreateProgressRecordUnmarkedForTest(ctx, record(late)); err != nil {
				t.Fatal(err)
			}
			got := reached()
			if c.fresh && got != 2 {
				t.Fatalf("with settling: reached %d, want 2", got)
			}
			if !c.fresh && got != 1 {
				t.Fatalf("without settling the late write should be missed (else this test proves nothing): reached %d", got)
			}
		})
	}
}
