package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/progress"
	"ecitizen/internal/store"
)

// newRecord is a record of skill for a resident, minutes after now.
func newRecord(t testing.TB, residentID, skill string, minutes int) *progress.Record {
	return &progress.Record{ID: newID(t), ResidentID: residentID, SkillCode: skill, Method: progress.MethodObserved,
		Evidence: "Tự kích hoạt VNeID trước mặt tình nguyện viên", RecordedBy: "vol-1", CentreID: "centre-1",
		ShiftID: "shift-1", At: now().Add(time.Duration(minutes) * time.Minute).Truncate(time.Millisecond)}
}

func TestProgress(t *testing.T) {
	runCases(t, []storeCase{
		{"RecordsReadBackOldestFirst", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			other := mkResident(t, st, w.ward.ID, "Trần Văn Nam", 1960, "", "")
			late, early := newRecord(t, res.ID, "vneid_level2", 30), newRecord(t, res.ID, "recognise_scam", 0)
			late.CentreID, late.ShiftID = "", "" // staff outside shifts
			must(t, st.CreateProgressRecord(ctx, late))
			must(t, st.CreateProgressRecord(ctx, early))
			must(t, st.CreateProgressRecord(ctx, newRecord(t, other.ID, "vneid_level2", 0)))
			recs, revs, err := st.ProgressOfResident(ctx, res.ID)
			must(t, err)
			same(t, "records", recs, []progress.Record{*early, *late})
			same(t, "revocations", revs, []progress.Revocation{})
			got, rv, err := st.ProgressRecordByID(ctx, late.ID)
			must(t, err)
			same(t, "record by id", got, late)
			if rv != nil {
				t.Fatalf("revocation %+v of a record never revoked", rv)
			}
			recs, revs, err = st.ProgressOfResident(ctx, newID(t))
			must(t, err)
			same(t, "records of nobody", len(recs)+len(revs), 0)
		}},
		{"ErrUnknownResidentOrRecord", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			wantErr(t, st.CreateProgressRecord(ctx, newRecord(t, newID(t), "vneid_level2", 0)), apperr.ErrNotFound)
			_, _, err := st.ProgressRecordByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			wantErr(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: newID(t), By: "staff-1", Reason: "Nhầm", At: now()}),
				apperr.ErrNotFound)
		}},
		{"ErrTakenID", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			r := newRecord(t, res.ID, "vneid_level2", 0)
			must(t, st.CreateProgressRecord(ctx, r))
			wantErr(t, st.CreateProgressRecord(ctx, r), apperr.ErrConflict)
		}},
		{"RevokedOnceAndKept", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			r := newRecord(t, res.ID, "vneid_level2", 0)
			must(t, st.CreateProgressRecord(ctx, r))
			rv := &progress.Revocation{RecordID: r.ID, By: "staff-1", Reason: "Ghi nhầm người", At: now().Truncate(time.Millisecond)}
			must(t, st.RevokeProgressRecord(ctx, rv))
			wantErr(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: r.ID, By: "staff-2", Reason: "Lần hai", At: now()}),
				apperr.ErrConflict)
			got, gotRv, err := st.ProgressRecordByID(ctx, r.ID)
			must(t, err)
			same(t, "the revoked record is kept", got, r)
			same(t, "its revocation", gotRv, rv)
			recs, revs, err := st.ProgressOfResident(ctx, res.ID)
			must(t, err)
			same(t, "records", recs, []progress.Record{*r})
			same(t, "revocations", revs, []progress.Revocation{*rv})
		}},
		{"ConcurrentRevocationsOneLands", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			r := newRecord(t, res.ID, "vneid_level2", 0)
			must(t, st.CreateProgressRecord(ctx, r))
			raceOne(t, 20, apperr.ErrConflict, func(i int) error {
				return st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: r.ID, By: fmt.Sprintf("staff-%d", i),
					Reason: "Ghi nhầm", At: now()})
			})
			_, revs, err := st.ProgressOfResident(ctx, res.ID)
			must(t, err)
			same(t, "revocations after 20 concurrent ones", len(revs), 1)
		}},
		{"ConcurrentRecordsAllKept", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			var wg sync.WaitGroup
			errs := make([]error, 50)
			for i := range 50 {
				wg.Go(func() { errs[i] = st.CreateProgressRecord(ctx, newRecord(t, res.ID, fmt.Sprintf("skill_%d", i%10), i)) })
			}
			wg.Wait()
			for _, err := range errs {
				must(t, err)
			}
			recs, _, err := st.ProgressOfResident(ctx, res.ID)
			must(t, err)
			same(t, "records after 50 concurrent ones", len(recs), 50)
		}},
	})
}

func TestResidentQuizAttempts(t *testing.T) {
	runCases(t, []storeCase{
		{"StoredAndReadBackOldestFirst", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			mk := func(minutes int, passed bool, answers map[string][]string) *progress.QuizAttempt {
				return &progress.QuizAttempt{ID: newID(t), ResidentID: res.ID, CourseID: "course-1", Version: 2, LessonID: "l1",
					Answers: answers, Score: 75, Passed: passed, By: "vol-1", CentreID: "centre-1", ShiftID: "shift-1",
					At: now().Add(time.Duration(minutes) * time.Minute).Truncate(time.Millisecond)}
			}
			late, early := mk(10, true, map[string][]string{"q1": {"a", "b"}, "q2": {}}), mk(0, false, map[string][]string{})
			must(t, st.CreateResidentQuizAttempt(ctx, late))
			must(t, st.CreateResidentQuizAttempt(ctx, early))
			got, err := st.ResidentQuizAttempts(ctx, res.ID)
			must(t, err)
			same(t, "attempts", got, []*progress.QuizAttempt{early, late})
			wantErr(t, st.CreateResidentQuizAttempt(ctx, late), apperr.ErrConflict)
			unknown := mk(0, true, map[string][]string{})
			unknown.ResidentID = newID(t)
			wantErr(t, st.CreateResidentQuizAttempt(ctx, unknown), apperr.ErrNotFound)
		}},
	})
}
