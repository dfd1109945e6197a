package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
)

// A change of a resident names the resident in the log of its part
// (CoverageChanges), and CoverageResidentFacts reads it and its records whole:
// the two a coverage snapshot is patched with instead of reading its part again.
func TestCoverageChanges(t *testing.T) {
	runCases(t, []storeCase{
		{"RecordAndRevocation", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			ward := mkWard(t, st, "CC"+newID(t)[30:])
			r, keys := newResident(t, ward.ID, "Trần Thị Hoa", 1960, "", "")
			r.OriginWardID = ward.ID
			must(t, st.CreateResident(ctx, r, keys))
			part := coverage.PartOf(r.ID)
			key := coverage.StampKey(ward.ID, part)
			stamp := func() coverage.Stamp {
				s, err := st.CoverageStamps(ctx, []string{ward.ID})
				must(t, err)
				return s[key]
			}
			s0 := stamp()
			rec := &progress.Record{ID: newID(t), ResidentID: r.ID, SkillCode: "vneid", Method: progress.MethodObserved,
				Evidence: "Tự làm", RecordedBy: "staff-1", At: now()}
			must(t, st.CreateProgressRecord(ctx, rec))
			s1 := stamp()
			if s1.Value == s0.Value {
				t.Fatalf("the stamp of %s did not move", key)
			}
			changed := func(since, until coverage.Stamp) []string {
				ids, ok, err := st.CoverageChanges(ctx, ward.ID, part, since, until)
				must(t, err)
				if !ok {
					t.Fatalf("changes of %s since %v: the store cannot tell", key, since)
				}
				return ids
			}
			if ids := changed(s0, s1); !slices.Contains(ids, r.ID) {
				t.Fatalf("changes after the record: %v, want %s", ids, r.ID)
			}
			res, recs, err := st.CoverageResidentFacts(ctx, []string{r.ID, newID(t)})
			must(t, err)
			if len(res) != 1 || res[0].ID != r.ID || res[0].WardID != ward.ID || res[0].OriginWardID != ward.ID || res[0].Erased {
				t.Fatalf("residents %+v", res)
			}
			if len(recs) != 1 || recs[0].ID != rec.ID || recs[0].SkillCode != "vneid" || recs[0].Revoked || !recs[0].At.Equal(rec.At) {
				t.Fatalf("records %+v", recs)
			}
			must(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: rec.ID, By: "staff-1", Reason: "Ghi nhầm", At: now()}))
			s2 := stamp()
			if ids := changed(s1, s2); !slices.Contains(ids, r.ID) {
				t.Fatalf("changes after the revocation: %v, want %s", ids, r.ID)
			}
			_, recs, err = st.CoverageResidentFacts(ctx, []string{r.ID})
			must(t, err)
			if len(recs) != 1 || !recs[0].Revoked {
				t.Fatalf("records after the revocation %+v", recs)
			}
			// A resident of another ward is not named in this ward's part.
			other := mkWard(t, st, "CO"+newID(t)[30:])
			o, okeys := newResident(t, other.ID, "Phạm Văn Bình", 1970, "", "")
			o.OriginWardID = other.ID
			must(t, st.CreateResident(ctx, o, okeys))
			if ids := changed(s2, stamp()); slices.Contains(ids, o.ID) {
				t.Fatalf("changes of another ward named: %v", ids)
			}
		}},
		{"PatchedEqualsRead", coveragePatchedEqualsRead},
	})
}

// coveragePatchedEqualsRead records, revokes and erases one at a time in a ward,
// asking its summary and trends after each change from one service (which
// patches its snapshots) and from a new one (which reads every part whole):
// both must answer the same.
func coveragePatchedEqualsRead(t *testing.T, st store.Store) {
	ctx := t.Context()
	fw, err := skills.Load(content.FS, "skills.yaml")
	must(t, err)
	ward := mkWard(t, st, "CP"+newID(t)[30:])
	ce := mkCentre(t, st, ward.ID)
	dir := directory.NewService(directory.Deps{Store: st})
	svc := coverage.NewService(coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw, NoSettling: true})
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
	var (
		residents []*resident.Resident
		records   []*progress.Record
	)
	for i := range 40 {
		r, keys := newResident(t, ward.ID, "Lê Văn Nam", 1950+i, "", "")
		r.OriginWardID = ward.ID
		must(t, st.CreateResident(ctx, r, keys))
		residents = append(residents, r)
	}
	required := fw.Active().Required
	for i := range 60 {
		res := residents[i%len(residents)]
		switch {
		case i%11 == 10 && len(records) > 0:
			must(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: records[i%len(records)].ID, By: "staff-1", Reason: "Ghi nhầm", At: now()}))
		case i%17 == 16:
			ts := now()
			erased := &resident.Resident{ID: res.ID, WardID: res.WardID, OriginWardID: res.OriginWardID, Consent: res.Consent, CreatedBy: res.CreatedBy,
				CreatedAt: res.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			must(t, st.EraseResident(ctx, erased, claimsOf(res), &resident.Audit{ID: newID(t), ResidentID: res.ID, WardID: res.WardID,
				Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}))
		default:
			rec := &progress.Record{ID: newID(t), ResidentID: res.ID, SkillCode: required[i%len(required)], Method: progress.MethodObserved,
				Evidence: "Tự làm", RecordedBy: "staff-1", CentreID: ce.ID, At: now().Add(-time.Duration(i) * time.Hour)}
			must(t, st.CreateProgressRecord(ctx, rec))
			records = append(records, rec)
		}
		fresh := coverage.NewService(coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw, NoSettling: true})
		got, err := svc.Ward(ctx, admin, ward.ID)
		must(t, err)
		want, err := fresh.Ward(ctx, admin, ward.ID)
		must(t, err)
		got.Summary.AsOf, want.Summary.AsOf = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after change %d, the patched summary\n%+v\nis not the one read whole\n%+v", i, got.Summary, want.Summary)
		}
		gotT, err := svc.WardTrends(ctx, admin, ward.ID)
		must(t, err)
		wantT, err := fresh.WardTrends(ctx, admin, ward.ID)
		must(t, err)
		if !reflect.DeepEqual(gotT, wantT) {
			t.Fatalf("after change %d, the patched trends differ from those read whole", i)
		}
	}
}
