package storetest

import (
	"sync"
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// TestPersonalLinks: residents' personal links are feeds of kind resident in
// the calendar feeds' store (SQLite admits the kind since migration 0030).
func TestPersonalLinks(t *testing.T) {
	runCases(t, []storeCase{
		{"ResetRevoke", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			owner := newID(t)
			// The same id as a user is another owner.
			u := mkFeed(t, st, roster.FeedUser, owner)
			first, err := roster.IssueFeed(ctx, st, roster.FeedResident, owner, "staff", now())
			must(t, err)
			f, err := roster.FeedByToken(ctx, st, first)
			must(t, err)
			if f.Kind != roster.FeedResident || f.OwnerID != owner || f.Hash == first {
				t.Fatalf("link %+v", f)
			}
			second, err := roster.IssueFeed(ctx, st, roster.FeedResident, owner, "staff", now())
			must(t, err)
			_, err = roster.FeedByToken(ctx, st, first)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = roster.FeedByToken(ctx, st, second)
			must(t, err)
			must(t, roster.DeleteFeedOf(ctx, st, roster.FeedResident, owner))
			_, err = roster.FeedByToken(ctx, st, second)
			wantErr(t, err, apperr.ErrNotFound)
			must(t, roster.DeleteFeedOf(ctx, st, roster.FeedResident, owner)) // none: no error
			got, err := st.CalendarFeedByHash(ctx, u.Hash)
			must(t, err)
			same(t, "the user's feed", got, u)
		}},
		{"ConcurrentResetsLeaveOne", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 10
			owner := newID(t)
			tokens := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { tokens[i], errs[i] = roster.IssueFeed(ctx, st, roster.FeedResident, owner, "staff", now()) })
			}
			wg.Wait()
			live := 0
			for i := range n {
				must(t, errs[i])
				if _, err := roster.FeedByToken(ctx, st, tokens[i]); err == nil {
					live++
				} else {
					wantErr(t, err, apperr.ErrNotFound)
				}
			}
			if live != 1 {
				t.Fatalf("%d live links after %d concurrent resets, want 1", live, n)
			}
		}},
	})
}
