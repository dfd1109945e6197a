package storetest

import (
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

// Strings that look like query operators are data: stored and compared literally,
// never interpreted (docs/architecture.md, "How the adapters keep the invariants":
// no filter is built from request JSON).
const (
	opNe = `{"$ne": ""}`
	opGt = `{"$gt": ""}`
)

func TestOperatorStringsAreLiteral(t *testing.T) {
	runCases(t, []storeCase{
		{"EmailKey", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			mkUser(t, st)
			mkUser(t, st)
			_, err := st.UserByEmail(ctx, opNe)
			wantErr(t, err, apperr.ErrNotFound)

			odd := mkUser(t, st, func(u *identity.User) { u.Email, u.EmailKey = opNe, opNe })
			got, err := st.UserByEmail(ctx, opNe)
			must(t, err)
			same(t, "user with an operator-like email key", got, odd)
			_, err = st.UserByEmail(ctx, opGt)
			wantErr(t, err, apperr.ErrNotFound)
			wantErr(t, st.CreateUser(ctx, newUser(t, func(u *identity.User) { u.EmailKey = opNe })), apperr.ErrConflict)
		}},
		{"UserFilterValues", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			mkUser(t, st)
			mkUser(t, st, wardStaff("w1"))
			mkUser(t, st, member(identity.RoleVolunteer, org.ID))
			for name, f := range map[string]identity.UserFilter{
				"Role":         {Role: identity.Role(opNe)},
				"Organisation": {OrganisationID: opNe},
				"Status":       {Status: identity.Status(opNe)},
				"Wards":        {AnyWardIDs: []string{opNe}},
			} {
				got, err := st.ListUsers(ctx, f, page.Request{Limit: 10})
				must(t, err)
				if len(got) != 0 {
					t.Fatalf("filter %s %q matched %s", name, opNe, show(got))
				}
			}
			// '{' sorts after every hex digit: nothing is after this cursor.
			got, err := st.ListUsers(ctx, identity.UserFilter{}, page.Request{After: opGt, Limit: 10})
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("users after %q: %s", opGt, show(got))
			}
		}},
		{"WardCode", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			mkWard(t, st, "W1")
			odd := mkWard(t, st, opNe)
			got, err := st.WardByID(ctx, odd.ID)
			must(t, err)
			same(t, "ward with an operator-like code", got, odd)
			wantErr(t, st.CreateWard(ctx, newWard(t, opNe)), apperr.ErrConflict)
			mkWard(t, st, opGt) // a different code

			list, err := st.ListWards(ctx, directory.WardFilter{}, page.Request{After: opGt, Limit: 10})
			must(t, err)
			same(t, "codes after "+opGt, keys(list, wardCode), []string{opNe})
			list, err = st.ListWards(ctx, directory.WardFilter{Status: directory.WardStatus(opNe)}, page.Request{Limit: 10})
			must(t, err)
			if len(list) != 0 {
				t.Fatalf("status filter %q matched %s", opNe, show(list))
			}
		}},
		{"InviteCode", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			mkInvite(t, st, org.ID, newID(t))
			_, err := st.InviteByCode(ctx, opNe)
			wantErr(t, err, apperr.ErrNotFound)
			odd := mkInvite(t, st, org.ID, newID(t), func(i *identity.Invite) { i.Code = opNe })
			got, err := st.InviteByCode(ctx, opNe)
			must(t, err)
			same(t, "invite with an operator-like code", got, odd)
		}},
	})
}
