package seeding_test

import (
	"context"
	"testing"

	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/store/storetest"
	"ecitizen/scripts/seed/seeding"
)

// TestRunTwice seeds each kind of store twice: the first run creates the district,
// the second finds everything already there and creates nothing.
func TestRunTwice(t *testing.T) {
	for _, a := range storetest.Adapters(t) {
		t.Run(a.Name, func(t *testing.T) {
			ctx := context.Background()
			st := a.Open(t)
			opt := seeding.Options{Volunteers: 8, Workers: 4}

			res, err := seeding.Run(ctx, st, opt)
			if err != nil {
				t.Fatalf("first run: %v", err)
			}
			want := map[string]seeding.Count{
				"wards": {18, 0}, "centres": {90, 0}, "organisations": {6, 0}, "invites": {6, 0},
				"partners": {6, 0}, "staff": {18, 0}, "volunteers": {8, 0},
			}
			check(t, "first run", res, want)
			if !res.AdminCreated {
				t.Error("first run did not create the admin")
			}

			res, err = seeding.Run(ctx, st, opt)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			for k, c := range want {
				want[k] = seeding.Count{Existing: c.Created}
			}
			check(t, "second run", res, want)

			// Names keep their diacritics; every account has the seed password and
			// the scope of its role.
			ws, err := st.ListWards(ctx, directory.WardFilter{}, page.Request{Limit: 100})
			if err != nil || len(ws) != 18 {
				t.Fatalf("ListWards = %d wards, %v", len(ws), err)
			}
			names := map[string]string{}
			for _, w := range ws {
				names[w.Code] = w.NameVi + " / " + w.NameEn
			}
			if got := names["00286"]; got != "Phường Bách Khoa / Bach Khoa Ward" {
				t.Errorf("ward 00286 = %q", got)
			}
			staff, err := st.UserByEmail(ctx, seeding.StaffEmail("00286"))
			if err != nil {
				t.Fatal(err)
			}
			if staff.Role != identity.RoleWardStaff || len(staff.Scope.WardIDs) != 1 {
				t.Errorf("staff = %s %+v", staff.Role, staff.Scope)
			}
			v, err := st.UserByEmail(ctx, seeding.VolunteerEmail(1))
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := identity.CheckPassword(v.PasswordHash, seeding.DefaultPassword); !ok || err != nil {
				t.Errorf("volunteer001 password check = %v, %v", ok, err)
			}
			org, err := st.OrganisationByID(ctx, v.Scope.OrganisationID)
			if err != nil || org.Name != "Đại học Bách khoa Hà Nội" {
				t.Errorf("volunteer001 organisation = %+v, %v", org, err)
			}
		})
	}
}

func check(t *testing.T, what string, res *seeding.Result, want map[string]seeding.Count) {
	t.Helper()
	got := map[string]seeding.Count{
		"wards": res.Wards, "centres": res.Centres, "organisations": res.Organisations, "invites": res.Invites,
		"partners": res.Partners, "staff": res.Staff, "volunteers": res.Volunteers,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %+v, want %+v", what, k, got[k], w)
		}
	}
}
