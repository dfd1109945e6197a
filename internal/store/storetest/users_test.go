package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

func TestUsers(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTripEveryRole", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			w1, w2 := newID(t), newID(t)
			wards := []string{w1, w2}
			slices.Sort(wards)
			users := []*identity.User{
				newUser(t),
				newUser(t, wardStaff(wards...), func(u *identity.User) { u.Phone = "" }),
				newUser(t, member(identity.RolePartner, org.ID)),
				newUser(t, member(identity.RoleVolunteer, org.ID), func(u *identity.User) {
					u.Status = identity.StatusDisabled
					u.UpdatedAt = u.CreatedAt.Add(1500 * time.Millisecond)
				}),
			}
			for _, u := range users {
				must(t, st.CreateUser(ctx, u))
			}
			for _, u := range users {
				got, err := st.UserByID(ctx, u.ID)
				must(t, err)
				same(t, "UserByID", got, u)
				got, err = st.UserByEmail(ctx, u.EmailKey)
				must(t, err)
				same(t, "UserByEmail", got, u)
			}
		}},
		{"WardIDsSortedAndNilWhenEmpty", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			ids := []string{"ward-c", "ward-a", "ward-b"}
			u := mkUser(t, st, wardStaff(ids...))
			got, err := st.UserByID(ctx, u.ID)
			must(t, err)
			same(t, "ward ids", got.Scope.WardIDs, []string{"ward-a", "ward-b", "ward-c"})

			admin := mkUser(t, st, func(u *identity.User) { u.Scope.WardIDs = []string{} })
			got, err = st.UserByID(ctx, admin.ID)
			must(t, err)
			if got.Scope.WardIDs != nil {
				t.Fatalf("ward ids of a user without wards = %#v, want nil", got.Scope.WardIDs)
			}
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			mkUser(t, st)
			_, err := st.UserByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.UserByEmail(ctx, "nobody@example.org")
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"ErrEmailTaken", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			first := mkUser(t, st)
			dup := newUser(t, func(u *identity.User) {
				u.Email, u.EmailKey = "  "+first.Email, first.EmailKey
			})
			wantErr(t, st.CreateUser(ctx, dup), apperr.ErrConflict)
			got, err := st.UserByEmail(ctx, first.EmailKey)
			must(t, err)
			same(t, "stored user", got, first)
			_, err = st.UserByID(ctx, dup.ID)
			wantErr(t, err, apperr.ErrNotFound)
			n, err := st.CountUsers(ctx)
			must(t, err)
			if n != 1 {
				t.Fatalf("CountUsers = %d, want 1", n)
			}
		}},
		{"ErrIDTaken", func(t *testing.T, st store.Store) {
			first := mkUser(t, st)
			dup := newUser(t, func(u *identity.User) { u.ID = first.ID })
			wantErr(t, st.CreateUser(t.Context(), dup), apperr.ErrConflict)
			_, err := st.UserByEmail(t.Context(), dup.EmailKey)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UnknownOrganisationNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := newUser(t, member(identity.RoleVolunteer, newID(t)))
			wantErr(t, st.CreateUser(ctx, u), apperr.ErrNotFound)
			_, err := st.UserByID(ctx, u.ID)
			wantErr(t, err, apperr.ErrNotFound)
			n, err := st.CountUsers(ctx)
			must(t, err)
			if n != 0 {
				t.Fatalf("CountUsers = %d, want 0", n)
			}
		}},
		{"ReplacePasswordHashOnlyWhileUnchanged", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			// An admin disables the user after the login read them: the rehash
			// replaces the hash and keeps the disable.
			disabled := *u
			disabled.Status, disabled.DisabledBy = identity.StatusDisabled, identity.RoleAdmin
			must(t, st.UpdateUser(ctx, &disabled))
			at := now().Add(time.Minute)
			must(t, st.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$bmV3$bmV3", at))
			got, err := st.UserByID(ctx, u.ID)
			must(t, err)
			if got.PasswordHash != "$argon2id$v=19$m=64,t=1,p=1$bmV3$bmV3" || got.Status != identity.StatusDisabled || !got.UpdatedAt.Equal(at) {
				t.Fatalf("after the rehash: %+v", got)
			}
			// A stale old hash changes nothing.
			must(t, st.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$b2xk$b2xk", at.Add(time.Minute)))
			if again, _ := st.UserByID(ctx, u.ID); again.PasswordHash != got.PasswordHash {
				t.Fatalf("a stale rehash replaced the hash: %s", again.PasswordHash)
			}
		}},
		{"UpdateReplacesMutableFields", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			orig := mkUser(t, st, wardStaff("ward-a", "ward-b"))

			// Ward staff becomes a partner: wards go, the organisation comes.
			upd := *orig
			upd.Email = "Moved@Example.org"
			upd.DisplayName = "Lê Văn C"
			upd.Phone = "0987654321"
			upd.Status = identity.StatusDisabled
			upd.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$bmV3$bmV3"
			upd.UpdatedAt = orig.UpdatedAt.Add(time.Minute)
			member(identity.RolePartner, org.ID)(&upd)
			// ID, EmailKey and CreatedAt are not mutable: these must be ignored.
			upd.EmailKey = "moved@example.org"
			upd.CreatedAt = orig.CreatedAt.Add(time.Hour)
			must(t, st.UpdateUser(ctx, &upd))

			want := upd
			want.EmailKey, want.CreatedAt = orig.EmailKey, orig.CreatedAt
			got, err := st.UserByID(ctx, orig.ID)
			must(t, err)
			same(t, "updated user", got, &want)
			got, err = st.UserByEmail(ctx, orig.EmailKey)
			must(t, err)
			same(t, "updated user by email key", got, &want)
			_, err = st.UserByEmail(ctx, "moved@example.org")
			wantErr(t, err, apperr.ErrNotFound)

			// Back to ward staff with a different ward list: the list is replaced.
			upd2 := want
			wardStaff("ward-c", "ward-z")(&upd2)
			upd2.UpdatedAt = upd.UpdatedAt.Add(time.Minute)
			must(t, st.UpdateUser(ctx, &upd2))
			got, err = st.UserByID(ctx, orig.ID)
			must(t, err)
			same(t, "updated ward staff", got, &upd2)
			list, err := st.ListUsers(ctx, identity.UserFilter{AnyWardIDs: []string{"ward-a"}}, page.Request{})
			must(t, err)
			if len(list) != 0 {
				t.Fatalf("old ward still matches: %s", show(list))
			}
		}},
		{"UpdateMissingNotFound", func(t *testing.T, st store.Store) {
			wantErr(t, st.UpdateUser(t.Context(), newUser(t)), apperr.ErrNotFound)
		}},
		{"ListFilters", testListUserFilters},
		{"ListPagination", func(t *testing.T, st store.Store) {
			var want []*identity.User
			for range 7 {
				want = append(want, mkUser(t, st))
			}
			slices.SortFunc(want, func(a, b *identity.User) int { return strings.Compare(a.ID, b.ID) })
			got, pages := allPages(t, 3, userID, func(r page.Request) ([]*identity.User, error) {
				return st.ListUsers(t.Context(), identity.UserFilter{}, r)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "users of all pages", got, want)
		}},
		{"ListPaginationWithFilter", func(t *testing.T, st store.Store) {
			var want []string
			for i := range 10 {
				if i%3 == 0 {
					mkUser(t, st, func(u *identity.User) { u.Status = identity.StatusDisabled })
					continue
				}
				want = append(want, mkUser(t, st, wardStaff("ward-"+string(rune('a'+i%2)))).ID)
			}
			slices.Sort(want)
			f := identity.UserFilter{Role: identity.RoleWardStaff, AnyWardIDs: []string{"ward-a", "ward-b"}, Status: identity.StatusActive}
			got, pages := allPages(t, 2, userID, func(r page.Request) ([]*identity.User, error) {
				return st.ListUsers(t.Context(), f, r)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "ids of all pages", keys(got, userID), want)
		}},
		{"ListLimitZeroReturnsAll", func(t *testing.T, st store.Store) {
			var want []string
			for range 25 {
				want = append(want, mkUser(t, st).ID)
			}
			slices.Sort(want)
			got, err := st.ListUsers(t.Context(), identity.UserFilter{}, page.Request{})
			must(t, err)
			same(t, "ids", keys(got, userID), want)
		}},
		{"CountUsers", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			n, err := st.CountUsers(ctx)
			must(t, err)
			if n != 0 {
				t.Fatalf("CountUsers of an empty store = %d", n)
			}
			for range 4 {
				mkUser(t, st)
			}
			n, err = st.CountUsers(ctx)
			must(t, err)
			if n != 4 {
				t.Fatalf("CountUsers = %d, want 4", n)
			}
		}},
	})
}

func testListUserFilters(t *testing.T, st store.Store) {
	ctx := t.Context()
	orgA, orgB := mkOrganisation(t, st), mkOrganisation(t, st)
	disabled := func(u *identity.User) { u.Status = identity.StatusDisabled }
	var (
		admin     = mkUser(t, st)
		staffW1   = mkUser(t, st, wardStaff("w1"))
		staffW1W2 = mkUser(t, st, wardStaff("w1", "w2"))
		staffW3   = mkUser(t, st, wardStaff("w3"), disabled)
		partnerA  = mkUser(t, st, member(identity.RolePartner, orgA.ID))
		volA      = mkUser(t, st, member(identity.RoleVolunteer, orgA.ID))
		volADis   = mkUser(t, st, member(identity.RoleVolunteer, orgA.ID), disabled)
		volB      = mkUser(t, st, member(identity.RoleVolunteer, orgB.ID))
		everyone  = []*identity.User{admin, staffW1, staffW1W2, staffW3, partnerA, volA, volADis, volB}
	)
	for _, c := range []struct {
		name string
		f    identity.UserFilter
		want []*identity.User
	}{
		{"None", identity.UserFilter{}, everyone},
		{"EmptyWardList", identity.UserFilter{AnyWardIDs: []string{}}, everyone},
		{"Role", identity.UserFilter{Role: identity.RoleVolunteer}, []*identity.User{volA, volADis, volB}},
		{"Organisation", identity.UserFilter{OrganisationID: orgA.ID}, []*identity.User{partnerA, volA, volADis}},
		{"Status", identity.UserFilter{Status: identity.StatusDisabled}, []*identity.User{staffW3, volADis}},
		{"OneWard", identity.UserFilter{AnyWardIDs: []string{"w1"}}, []*identity.User{staffW1, staffW1W2}},
		{"AnyOfWards", identity.UserFilter{AnyWardIDs: []string{"w2", "w3"}}, []*identity.User{staffW1W2, staffW3}},
		{"UnknownWard", identity.UserFilter{AnyWardIDs: []string{"w9"}}, nil},
		{"RoleOrganisationStatus", identity.UserFilter{Role: identity.RoleVolunteer, OrganisationID: orgA.ID, Status: identity.StatusActive}, []*identity.User{volA}},
		{"WardsAndStatus", identity.UserFilter{AnyWardIDs: []string{"w1", "w3"}, Status: identity.StatusActive}, []*identity.User{staffW1, staffW1W2}},
	} {
		got, err := st.ListUsers(ctx, c.f, page.Request{Limit: 100})
		must(t, err)
		want := slices.Clone(c.want)
		slices.SortFunc(want, func(a, b *identity.User) int { return strings.Compare(a.ID, b.ID) })
		if len(want) == 0 {
			if len(got) != 0 {
				t.Fatalf("%s: got %s, want none", c.name, show(got))
			}
			continue
		}
		same(t, c.name, got, want)
	}
}
