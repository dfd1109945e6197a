package mongo_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/apperr"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/skills"
	"ecitizen/internal/store/mongo"
)

// A writer of a progress record killed between its coverage marks or its
// coverage log entry and the record itself (its context cancelled, or its
// connection dropped as when its process dies), or whose context was
// cancelled before it began, leaves no record: a coverage service that
// patches its snapshots from the log (CoverageChanges) answers what a new
// service reading every part answers, and what it answered before. Written
// again by another process, the record is counted once by both, and a third
// write of it is a conflict that changes nothing. The new services read through
// one store, whose fills (coverage_fill.go) serve the parts that did not change.
func TestCoverageRecordWriterKilled(t *testing.T) {
	fw, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer mongo.SetFillSettleForTest(0)()
	for _, c := range []struct{ point, how string }{
		{"before", "cancel"},
		{"marked", "cancel"}, {"marked", "disconnect"},
		{"logged", "cancel"}, {"logged", "disconnect"},
	} {
		t.Run(c.point+"/"+c.how, func(t *testing.T) {
			w := mkFillWorld(t)
			ctx := t.Context()
			db := open(t, w.name) // the service's process
			dir := directory.NewService(directory.Deps{Store: db})
			admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
			patched := coverage.NewService(coverage.Deps{Store: db, Directory: dir, Targets: dir, Framework: fw, NoSettling: true})
			ward := w.wards[0]
			summary := func(svc *coverage.Service) coverage.Summary {
				t.Helper()
				s, err := svc.Ward(ctx, admin, ward)
				if err != nil {
					t.Fatal(err)
				}
				s.Summary.AsOf = time.Time{} // the moment of asking
				return s.Summary
			}
			reader := open(t, w.name) // its fills outlive each service
			fresh := func() coverage.Summary {
				return summary(coverage.NewService(coverage.Deps{Store: reader, Directory: dir, Targets: dir, Framework: fw}))
			}
			same := func(when string) coverage.Summary {
				t.Helper()
				p, f := summary(patched), fresh()
				if !reflect.DeepEqual(p, f) {
					t.Fatalf("%s: the patched summary\n%+v\nis not the one read from scratch\n%+v", when, p, f)
				}
				return f
			}
			before := same("before the write")
			// A resident without a record of the skill, so that its record counts.
			target := w.byPart[coverage.ResidentParts[5]][0]
			for _, r := range w.residents {
				if r.WardID == ward && r.ID != w.erased.ID {
					target = r
					break
				}
			}
			rec := fillRecord(target.ID, "portal_account")

			writer := open(t, w.name) // the writer's process
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			kill := func() {
				if c.how == "cancel" {
					cancel()
				} else {
					_ = writer.Close()
				}
			}
			if c.point == "before" {
				cancel()
			} else {
				defer mongo.CoverageFaultForTest(c.point, target.ID, kill)()
			}
			if err := writer.CreateProgressRecord(wctx, rec); err == nil {
				t.Fatal("the killed writer's record was written")
			}
			if _, _, err := db.ProgressRecordByID(ctx, rec.ID); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("the killed writer's record: %v, want not found", err)
			}
			after := same("after the killed write")
			if !reflect.DeepEqual(after, before) {
				t.Fatalf("after the killed write\n%+v\nbefore\n%+v", after, before)
			}

			if err := db.CreateProgressRecord(ctx, rec); err != nil { // written again, by another process
				t.Fatal(err)
			}
			once := same("after the record was written again")
			if err := db.CreateProgressRecord(ctx, rec); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("the record written a third time: %v, want a conflict", err)
			}
			if again := same("after a third write"); !reflect.DeepEqual(again, once) {
				t.Fatalf("a refused write changed the summary:\n%+v\nfrom\n%+v", again, once)
			}
			if skill(once, "portal_account") != skill(before, "portal_account")+1 {
				t.Fatalf("residents with the skill: %d, before %d: want one more", skill(once, "portal_account"), skill(before, "portal_account"))
			}
			_, recs, err := db.CoverageReadAloneForTest(ctx, ward, coverage.PartOf(target.ID))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				if r.ID == rec.ID {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("the record is stored %d times", n)
			}
		})
	}
}

func skill(s coverage.Summary, code string) int {
	for _, c := range s.Skills {
		if c.Code == code {
			return c.Residents
		}
	}
	return -1
}
