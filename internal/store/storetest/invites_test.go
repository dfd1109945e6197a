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

func TestInvites(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			by := mkUser(t, st, member(identity.RolePartner, org.ID))
			inv := mkInvite(t, st, org.ID, by.ID)
			revokedAt := now().Add(-time.Hour)
			revoked := mkInvite(t, st, org.ID, by.ID, func(i *identity.Invite) { i.RevokedAt = &revokedAt })
			for _, want := range []*identity.Invite{inv, revoked} {
				got, err := st.InviteByID(ctx, want.ID)
				must(t, err)
				same(t, "InviteByID", got, want)
				got, err = st.InviteByCode(ctx, want.Code)
				must(t, err)
				same(t, "InviteByCode", got, want)
			}
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			inv := mkInvite(t, st, org.ID, newID(t))
			_, err := st.InviteByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.InviteByCode(ctx, "NOSUCHCODE")
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.InviteByCode(ctx, strings.ToLower(inv.Code))
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"ErrCodeTaken", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			orgA, orgB := mkOrganisation(t, st), mkOrganisation(t, st)
			first := mkInvite(t, st, orgA.ID, newID(t))
			dup := newInvite(t, orgB.ID, newID(t), func(i *identity.Invite) { i.Code = first.Code })
			wantErr(t, st.CreateInvite(ctx, dup), apperr.ErrConflict)
			got, err := st.InviteByCode(ctx, first.Code)
			must(t, err)
			same(t, "stored invite", got, first)
			_, err = st.InviteByID(ctx, dup.ID)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UnknownOrganisationNotFound", func(t *testing.T, st store.Store) {
			inv := newInvite(t, newID(t), newID(t))
			wantErr(t, st.CreateInvite(t.Context(), inv), apperr.ErrNotFound)
			_, err := st.InviteByCode(t.Context(), inv.Code)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UpdateReplacesMutableFields", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			orig := mkInvite(t, st, org.ID, newID(t))

			upd := *orig
			upd.Label = "Khoá K68"
			upd.ExpiresAt = orig.ExpiresAt.Add(24 * time.Hour)
			revokedAt := now()
			upd.RevokedAt = &revokedAt
			must(t, st.UpdateInvite(ctx, &upd))
			got, err := st.InviteByID(ctx, orig.ID)
			must(t, err)
			same(t, "revoked invite", got, &upd)

			// Un-revoking stores no time again.
			upd.RevokedAt = nil
			must(t, st.UpdateInvite(ctx, &upd))
			got, err = st.InviteByCode(ctx, orig.Code)
			must(t, err)
			same(t, "un-revoked invite", got, &upd)
		}},
		{"UpdateMissingNotFound", func(t *testing.T, st store.Store) {
			org := mkOrganisation(t, st)
			wantErr(t, st.UpdateInvite(t.Context(), newInvite(t, org.ID, newID(t))), apperr.ErrNotFound)
		}},
		{"ListByOrganisationPaginated", func(t *testing.T, st store.Store) {
			orgA, orgB, orgC := mkOrganisation(t, st), mkOrganisation(t, st), mkOrganisation(t, st)
			var want []*identity.Invite
			for i := range 8 {
				if i%3 == 2 {
					mkInvite(t, st, orgB.ID, newID(t))
					continue
				}
				want = append(want, mkInvite(t, st, orgA.ID, newID(t)))
			}
			slices.SortFunc(want, func(a, b *identity.Invite) int { return strings.Compare(a.ID, b.ID) })
			got, pages := allPages(t, 2, inviteID, func(r page.Request) ([]*identity.Invite, error) {
				return st.ListInvites(t.Context(), orgA.ID, r)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "invites of organisation A", got, want)

			none, err := st.ListInvites(t.Context(), orgC.ID, page.Request{Limit: 10})
			must(t, err)
			if len(none) != 0 {
				t.Fatalf("invites of an organisation without any: %s", show(none))
			}
		}},
	})
}
