package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// newFeed builds a feed of the owner with a fresh random hash.
func newFeed(t testing.TB, kind roster.FeedKind, ownerID string) *roster.CalendarFeed {
	sum := sha256.Sum256([]byte(newID(t) + randomHex(16)))
	return &roster.CalendarFeed{Hash: hex.EncodeToString(sum[:]), Kind: kind, OwnerID: ownerID,
		CreatedBy: newID(t), CreatedAt: now()}
}

func mkFeed(t testing.TB, st store.Store, kind roster.FeedKind, ownerID string) *roster.CalendarFeed {
	t.Helper()
	f := newFeed(t, kind, ownerID)
	must(t, st.CreateCalendarFeed(t.Context(), f))
	return f
}

// liveFeeds returns those of fs the store still finds by hash.
func liveFeeds(t *testing.T, st store.Store, fs []*roster.CalendarFeed) []*roster.CalendarFeed {
	t.Helper()
	var live []*roster.CalendarFeed
	for _, f := range fs {
		got, err := st.CalendarFeedByHash(t.Context(), f.Hash)
		switch {
		case err == nil:
			same(t, "live feed", got, f)
			live = append(live, f)
		default:
			wantErr(t, err, apperr.ErrNotFound)
		}
	}
	return live
}

func TestCalendarFeeds(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			owner := newID(t)
			u := mkFeed(t, st, roster.FeedUser, owner)
			// The same id as a centre is another owner.
			c := mkFeed(t, st, roster.FeedCentre, owner)
			for _, f := range []*roster.CalendarFeed{u, c} {
				got, err := st.CalendarFeedByHash(ctx, f.Hash)
				must(t, err)
				same(t, "feed by hash", got, f)
				got, err = st.CalendarFeedOf(ctx, f.Kind, f.OwnerID)
				must(t, err)
				same(t, "feed of owner", got, f)
			}
			_, err := st.CalendarFeedByHash(ctx, newFeed(t, roster.FeedUser, owner).Hash)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CalendarFeedOf(ctx, roster.FeedUser, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CalendarFeedOf(ctx, roster.FeedKind(opNe), owner)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CalendarFeedByHash(ctx, opNe)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UniqueOwner", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			owner := newID(t)
			f := mkFeed(t, st, roster.FeedUser, owner)
			wantErr(t, st.CreateCalendarFeed(ctx, newFeed(t, roster.FeedUser, owner)), apperr.ErrConflict)
			// A taken hash, for another owner.
			taken := newFeed(t, roster.FeedCentre, newID(t))
			taken.Hash = f.Hash
			wantErr(t, st.CreateCalendarFeed(ctx, taken), apperr.ErrConflict)
			got, err := st.CalendarFeedOf(ctx, roster.FeedUser, owner)
			must(t, err)
			same(t, "feed after conflicts", got, f)
			_, err = st.CalendarFeedOf(ctx, roster.FeedCentre, taken.OwnerID)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"Delete", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			f := mkFeed(t, st, roster.FeedUser, newID(t))
			other := mkFeed(t, st, roster.FeedUser, newID(t))
			must(t, st.DeleteCalendarFeed(ctx, f.Hash))
			wantErr(t, st.DeleteCalendarFeed(ctx, f.Hash), apperr.ErrNotFound)
			_, err := st.CalendarFeedByHash(ctx, f.Hash)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CalendarFeedOf(ctx, f.Kind, f.OwnerID)
			wantErr(t, err, apperr.ErrNotFound)
			if live := liveFeeds(t, st, []*roster.CalendarFeed{f, other}); len(live) != 1 || live[0] != other {
				t.Fatalf("live feeds %s, want only %s", show(live), show(other))
			}
			// The owner may have a feed again.
			mkFeed(t, st, f.Kind, f.OwnerID)
		}},
		{"Reset", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			owner := newID(t)
			old := mkFeed(t, st, roster.FeedCentre, owner)
			next := newFeed(t, roster.FeedCentre, owner)
			must(t, roster.ReplaceCalendarFeed(ctx, st, next))
			_, err := st.CalendarFeedByHash(ctx, old.Hash)
			wantErr(t, err, apperr.ErrNotFound)
			got, err := st.CalendarFeedOf(ctx, roster.FeedCentre, owner)
			must(t, err)
			same(t, "feed after a reset", got, next)
			// A first feed is a reset of none.
			first := newFeed(t, roster.FeedUser, owner)
			must(t, roster.ReplaceCalendarFeed(ctx, st, first))
			got, err = st.CalendarFeedOf(ctx, roster.FeedUser, owner)
			must(t, err)
			same(t, "first feed", got, first)
		}},
		{"ConcurrentResetsLeaveOne", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 20
			owner := newID(t)
			old := mkFeed(t, st, roster.FeedUser, owner)
			bystander := mkFeed(t, st, roster.FeedUser, newID(t))
			feeds := make([]*roster.CalendarFeed, n)
			for i := range feeds {
				feeds[i] = newFeed(t, roster.FeedUser, owner)
			}
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					errs[i] = roster.ReplaceCalendarFeed(ctx, st, feeds[i])
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("reset %d: %v", i, err)
				}
			}
			live := liveFeeds(t, st, append([]*roster.CalendarFeed{old}, feeds...))
			if len(live) != 1 || live[0] == old {
				t.Fatalf("%d live feeds of the owner after %d resets: %s", len(live), n, show(live))
			}
			got, err := st.CalendarFeedOf(ctx, roster.FeedUser, owner)
			must(t, err)
			same(t, "the owner's live feed", got, live[0])
			got, err = st.CalendarFeedByHash(ctx, bystander.Hash)
			must(t, err)
			same(t, "another owner's feed", got, bystander)
		}},
	})
}
