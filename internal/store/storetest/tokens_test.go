package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/store"
)

func TestRefreshTokens(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			u := mkUser(t, st)
			tok := mkToken(t, st, u.ID, newID(t))
			got, err := st.RefreshTokenByHash(t.Context(), tok.Hash)
			must(t, err)
			same(t, "token", got, tok)
		}},
		{"UnknownHashNotFound", func(t *testing.T, st store.Store) {
			u := mkUser(t, st)
			mkToken(t, st, u.ID, newID(t))
			_, err := st.RefreshTokenByHash(t.Context(), "sha256-unknown")
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"ErrHashTaken", func(t *testing.T, st store.Store) {
			u := mkUser(t, st)
			tok := mkToken(t, st, u.ID, newID(t))
			dup := newToken(t, u.ID, newID(t))
			dup.Hash = tok.Hash
			wantErr(t, st.CreateRefreshToken(t.Context(), dup), apperr.ErrConflict)
			got, err := st.RefreshTokenByHash(t.Context(), tok.Hash)
			must(t, err)
			same(t, "token", got, tok)
		}},
		{"SpendTwiceConflict", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			tok := mkToken(t, st, u.ID, newID(t))
			must(t, st.SpendRefreshToken(ctx, tok.Hash, now()))
			wantErr(t, st.SpendRefreshToken(ctx, tok.Hash, now().Add(time.Second)), apperr.ErrConflict)
			// Spending one token leaves the others of its family spendable.
			other := mkToken(t, st, u.ID, tok.FamilyID)
			must(t, st.SpendRefreshToken(ctx, other.Hash, now()))
		}},
		{"SpendConcurrentExactlyOnce", func(t *testing.T, st store.Store) {
			u := mkUser(t, st)
			tok := mkToken(t, st, u.ID, newID(t))
			const n = 50
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					errs[i] = st.SpendRefreshToken(t.Context(), tok.Hash, now())
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, apperr.ErrConflict):
					t.Fatalf("spend: %v, want nil or ErrConflict", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d of %d concurrent spends succeeded, want exactly 1", ok, n)
			}
		}},
		{"RevokeFamilyIdempotent", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			fam := newID(t)
			mkToken(t, st, u.ID, fam)
			revoked, err := st.FamilyRevoked(ctx, fam)
			must(t, err)
			if revoked {
				t.Fatal("a new family is revoked")
			}
			must(t, st.RevokeFamily(ctx, fam, "logout", now()))
			must(t, st.RevokeFamily(ctx, fam, "reuse", now().Add(time.Second)))
			revoked, err = st.FamilyRevoked(ctx, fam)
			must(t, err)
			if !revoked {
				t.Fatal("a revoked family is not revoked")
			}
			revoked, err = st.FamilyRevoked(ctx, newID(t))
			must(t, err)
			if revoked {
				t.Fatal("an unknown family is revoked")
			}
		}},
		{"RevokeFamilyConcurrent", func(t *testing.T, st store.Store) {
			fam := newID(t)
			var wg sync.WaitGroup
			errs := make([]error, 20)
			for i := range errs {
				wg.Go(func() { errs[i] = st.RevokeFamily(t.Context(), fam, "reuse", now()) })
			}
			wg.Wait()
			for _, err := range errs {
				must(t, err)
			}
			revoked, err := st.FamilyRevoked(t.Context(), fam)
			must(t, err)
			if !revoked {
				t.Fatal("family not revoked")
			}
		}},
		{"FamiliesOfUserExcludesRevoked", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u, other, idle := mkUser(t, st), mkUser(t, st), mkUser(t, st)
			f1, f2, f3, fo := newID(t), newID(t), newID(t), newID(t)
			mkToken(t, st, u.ID, f1)
			mkToken(t, st, u.ID, f1) // rotated: a second token of the same family
			mkToken(t, st, u.ID, f2)
			mkToken(t, st, u.ID, f3)
			mkToken(t, st, other.ID, fo)
			must(t, st.RevokeFamily(ctx, f2, "logout", now()))

			got, err := st.FamiliesOfUser(ctx, u.ID)
			must(t, err)
			slices.Sort(got)
			want := []string{f1, f3}
			slices.Sort(want)
			same(t, "families", got, want)

			must(t, st.RevokeFamily(ctx, f1, "logout", now()))
			must(t, st.RevokeFamily(ctx, f3, "logout", now()))
			got, err = st.FamiliesOfUser(ctx, u.ID)
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("families after revoking all = %v, want none", got)
			}
			got, err = st.FamiliesOfUser(ctx, idle.ID)
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("families of a user without tokens = %v, want none", got)
			}
			got, err = st.FamiliesOfUser(ctx, other.ID)
			must(t, err)
			same(t, "families of the other user", got, []string{fo})
		}},
	})
}
