package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/store"
)

func newClaim(t testing.TB, userID, key string) *idempotency.Record {
	return &idempotency.Record{ID: newID(t), UserID: userID, Key: key, Fingerprint: "fp-" + key, CreatedAt: now()}
}

func TestIdempotencyRecords(t *testing.T) {
	runCases(t, []storeCase{
		{"ClaimFinishRead", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			r := newClaim(t, u.ID, "k1")
			must(t, st.AddIdempotencyRecord(ctx, r))
			got, err := st.IdempotencyRecord(ctx, u.ID, "k1")
			must(t, err)
			same(t, "claim", got, r)
			r.Done, r.Status, r.ContentType, r.Location, r.Body = true, 201, "application/json", "/api/v1/wards/w1", []byte(`{"id":"w1"}`)
			must(t, st.FinishIdempotencyRecord(ctx, r))
			got, err = st.IdempotencyRecord(ctx, u.ID, "k1")
			must(t, err)
			same(t, "finished", got, r)
		}},
		{"ForgetSubject", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			var recs []*idempotency.Record
			for i, subject := range []string{"r1", "r1", "r2", ""} {
				r := newClaim(t, u.ID, fmt.Sprintf("k%d", i))
				must(t, st.AddIdempotencyRecord(ctx, r))
				r.Done, r.Status, r.ContentType, r.Body, r.Subject = true, 201, "application/json", []byte(`{"full_name":"Nguyễn Văn Riêng"}`), subject
				must(t, st.FinishIdempotencyRecord(ctx, r))
				recs = append(recs, r)
			}
			got, err := st.IdempotencyRecord(ctx, u.ID, "k0")
			must(t, err)
			same(t, "finished with a subject", got, recs[0])
			n, err := st.DeleteIdempotencyRecordsOf(ctx, "r1")
			must(t, err)
			if n != 2 {
				t.Fatalf("forgot %d records of r1, want 2", n)
			}
			for i, r := range recs {
				_, err := st.IdempotencyRecord(ctx, u.ID, r.Key)
				if gone := errors.Is(err, apperr.ErrNotFound); gone != (i < 2) {
					t.Errorf("record %d (subject %q): gone=%v, err %v", i, r.Subject, gone, err)
				}
			}
			if n, err := st.DeleteIdempotencyRecordsOf(ctx, ""); err != nil || n != 0 {
				t.Fatalf("forgetting no subject deleted %d: %v", n, err)
			}
		}},
		{"KeyIsUniquePerUser", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u, other := mkUser(t, st), mkUser(t, st)
			must(t, st.AddIdempotencyRecord(ctx, newClaim(t, u.ID, "k")))
			wantErr(t, st.AddIdempotencyRecord(ctx, newClaim(t, u.ID, "k")), apperr.ErrConflict)
			must(t, st.AddIdempotencyRecord(ctx, newClaim(t, other.ID, "k")))
			wantErr(t, st.AddIdempotencyRecord(ctx, newClaim(t, newID(t), "k")), apperr.ErrNotFound)
			_, err := st.IdempotencyRecord(ctx, u.ID, "nope")
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"DeleteAndSweep", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			old, fresh := newClaim(t, u.ID, "old"), newClaim(t, u.ID, "fresh")
			old.CreatedAt = now().Add(-25 * time.Hour)
			must(t, st.AddIdempotencyRecord(ctx, old))
			must(t, st.AddIdempotencyRecord(ctx, fresh))
			n, err := st.DeleteIdempotencyRecordsBefore(ctx, now().Add(-24*time.Hour))
			must(t, err)
			if n != 1 {
				t.Fatalf("swept %d, want 1", n)
			}
			_, err = st.IdempotencyRecord(ctx, u.ID, "old")
			wantErr(t, err, apperr.ErrNotFound)
			must(t, st.DeleteIdempotencyRecord(ctx, fresh.ID))
			wantErr(t, st.DeleteIdempotencyRecord(ctx, fresh.ID), apperr.ErrNotFound)
			wantErr(t, st.FinishIdempotencyRecord(ctx, fresh), apperr.ErrNotFound)
		}},
		{"ServiceRules", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			clock := now()
			svc := idempotency.NewService(idempotency.Deps{Store: st, DataKey: []byte("k"), Now: func() time.Time { return clock }})
			claim, replay, err := svc.Begin(ctx, u.ID, "k", "fp")
			if err != nil || claim == nil || replay != nil {
				t.Fatalf("first Begin: %v %v %v", claim, replay, err)
			}
			if _, _, err := svc.Begin(ctx, u.ID, "k", "fp"); !errors.Is(err, idempotency.ErrInUse) {
				t.Fatalf("while running: %v, want in use", err)
			}
			if _, _, err := svc.Begin(ctx, u.ID, "k", "other"); !errors.Is(err, idempotency.ErrReused) {
				t.Fatalf("other request: %v, want reused", err)
			}
			must(t, svc.Finish(ctx, claim, 201, "application/json", "/x", []byte(`{}`)))
			_, replay, err = svc.Begin(ctx, u.ID, "k", "fp")
			if err != nil || replay == nil || replay.Status != 201 || string(replay.Body) != `{}` || replay.Location != "/x" {
				t.Fatalf("replay: %+v %v", replay, err)
			}
			// Refusals and errors are not kept: the retry runs again.
			for _, status := range []int{409, 500} {
				c2, _, err := svc.Begin(ctx, u.ID, "k5", "fp")
				must(t, err)
				must(t, svc.Finish(ctx, c2, status, "application/problem+json", "", []byte(`{}`)))
			}
			if c3, _, err := svc.Begin(ctx, u.ID, "k5", "fp"); err != nil || c3 == nil {
				t.Fatalf("after a refusal: %v %v", c3, err)
			}
			// A claim whose request never finished is abandoned after a while.
			clock = clock.Add(idempotency.Abandoned)
			if c4, _, err := svc.Begin(ctx, u.ID, "k5", "fp"); err != nil || c4 == nil {
				t.Fatalf("abandoned claim: %v %v", c4, err)
			}
			// A finished response is replayed for a day, then the key is free.
			clock = clock.Add(idempotency.TTL)
			if c5, _, err := svc.Begin(ctx, u.ID, "k", "other"); err != nil || c5 == nil {
				t.Fatalf("expired record: %v %v", c5, err)
			}
		}},
		{"ConcurrentClaimsGiveOne", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			svc := idempotency.NewService(idempotency.Deps{Store: st, DataKey: []byte("k")})
			const n = 50
			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				claims int
				inUse  int
			)
			for range n {
				wg.Go(func() {
					claim, _, err := svc.Begin(ctx, u.ID, "burst", "fp")
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil && claim != nil:
						claims++
					case errors.Is(err, idempotency.ErrInUse):
						inUse++
					default:
						t.Errorf("Begin: %v", err)
					}
				})
			}
			wg.Wait()
			if claims != 1 || inUse != n-1 {
				t.Fatalf("%d claims and %d in use, want 1 and %d", claims, inUse, n-1)
			}
		}},
	})
}
