package storetest

import (
	"errors"
	"sync"
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/store"
)

func TestConcurrency(t *testing.T) {
	runCases(t, []storeCase{
		{"SameEmailKeyCreatedOnce", func(t *testing.T, st store.Store) {
			const n = 100
			const key = "race@example.org"
			users := make([]*identity.User, n)
			for i := range users {
				users[i] = newUser(t, func(u *identity.User) { u.Email, u.EmailKey = "Race@Example.org", key })
			}
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					errs[i] = st.CreateUser(t.Context(), users[i])
				})
			}
			close(start)
			wg.Wait()

			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Fatalf("users %d and %d both created with one email key", winner, i)
				case err == nil:
					winner = i
				case !errors.Is(err, apperr.ErrConflict):
					t.Fatalf("create %d: %v, want nil or ErrConflict", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no user created")
			}
			count, err := st.CountUsers(t.Context())
			must(t, err)
			if count != 1 {
				t.Fatalf("CountUsers = %d, want 1", count)
			}
			got, err := st.UserByEmail(t.Context(), key)
			must(t, err)
			same(t, "the one stored user", got, users[winner])
		}},
	})
}
