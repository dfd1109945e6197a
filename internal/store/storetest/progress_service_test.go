package storetest

import (
	"context"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/certificate"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
)

// residentsOf looks residents up in the store, as resident.Service.Lookup does.
type residentsOf struct{ st store.Store }

func (r residentsOf) Lookup(ctx context.Context, id string) (*resident.Resident, error) {
	return r.st.ResidentByID(ctx, id)
}

// progress.Service settles certificates through the store, so it runs here
// on both adapters: a revocation that moves the day reached revokes the
// certificate and issues one with the new day.
func TestProgressSettleMovedDay(t *testing.T) {
	runCases(t, []storeCase{
		{"RevokeAndReissue", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			f, err := skills.Load(content.FS, "skills.yaml")
			must(t, err)
			w := mkRosterWorld(t, st)
			res := mkResident(t, st, w.ward.ID, "Nguyễn Thị Hoa", 1958, "", "")
			certs := certificate.NewService(certificate.Deps{Store: st, JWTKey: []byte("the JWT key of the settle test, 32+"),
				PublicURL: "https://ecitizen.example.vn"})
			svc := progress.NewService(progress.Deps{Store: st, Residents: residentsOf{st}, Certificates: certs, Framework: f})
			staff := identity.Caller{UserID: "staff-1", Role: identity.RoleWardStaff, Scope: identity.Scope{WardIDs: []string{w.ward.ID}}}

			// Noon (local) three days ago: the required skills are recorded a
			// minute apart from it, all on that local day (72 hours back from
			// 16:56-17:00 UTC, the last of them fell on the next local day).
			ago := time.Now().In(ict).AddDate(0, 0, -3)
			day1 := time.Date(ago.Year(), ago.Month(), ago.Day(), 12, 0, 0, 0, ict).UTC()
			day2 := day1.Add(24 * time.Hour)
			var first string
			for i, code := range f.Active().Required {
				r := newRecord(t, res.ID, code, 0)
				r.At = day1.Add(time.Duration(i) * time.Minute)
				must(t, st.CreateProgressRecord(ctx, r))
				first = r.ID // the last required skill: it completes the set on day 1
			}
			last := f.Active().Required[len(f.Active().Required)-1]
			again := newRecord(t, res.ID, last, 0)
			again.At = day2
			must(t, st.CreateProgressRecord(ctx, again))

			// A record through the service settles: a certificate of day 1.
			_, err = svc.Record(ctx, staff, res.ID, progress.NewRecord{SkillCode: "use_local_platform", Evidence: "Tự tra cứu"})
			must(t, err)
			s, err := svc.Status(ctx, staff, res.ID)
			must(t, err)
			if s.Certificate == nil || s.Certificate.Statement.ECitizen.ReachedOn != day1.In(certificate.Zone).Format(time.DateOnly) {
				t.Fatalf("certificate %+v, want one reached on day 1", s.Certificate)
			}
			old := s.Certificate.Code

			// Revoking the day-1 record of the last skill: reached on day 2 now.
			_, err = svc.Revoke(ctx, staff, first, "Ghi nhầm ngày")
			must(t, err)
			s, err = svc.Status(ctx, staff, res.ID)
			must(t, err)
			if !s.Status.ECitizen || !s.Status.ReachedAt.Equal(day2) || s.Certificate == nil || s.Certificate.Code == old ||
				s.Certificate.Statement.ECitizen.ReachedOn != day2.In(certificate.Zone).Format(time.DateOnly) {
				t.Fatalf("standing %+v, want a new certificate reached on day 2", s)
			}
			revoked, err := st.CertificateByCode(ctx, old)
			must(t, err)
			if revoked.Revocation == nil {
				t.Fatal("the certificate of day 1 is not revoked")
			}
			all, err := st.CertificatesOfHolder(ctx, res.ID, page.Request{})
			must(t, err)
			same(t, "certificates", len(all), 2)
		}},
	})
}
