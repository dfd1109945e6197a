package mongo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The database leases alone, without the process-local turn that usually queues
// callers first: goroutines stand for processes, and at most one may hold a lease
// at a time. Leases on other keys, and a volunteer's and a device's lease on the
// same key, are independent.
func TestLeasesExclude(t *testing.T) {
	ctx := t.Context()
	db := open(t, dbName())
	type take func(ctx context.Context, key string) (func(), error)
	for _, tc := range []struct {
		name         string
		lease, other take
	}{
		{"Volunteer", db.LeaseForTest, db.DeviceLeaseForTest},
		{"Device", db.DeviceLeaseForTest, db.LeaseForTest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const workers, rounds = 10, 5
			var holders, most, held atomic.Int32
			errs := make([]error, workers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range workers {
				wg.Go(func() {
					<-start
					for range rounds {
						release, err := tc.lease(ctx, "key-1")
						if err != nil {
							errs[i] = err
							return
						}
						n := holders.Add(1)
						for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
						}
						held.Add(1)
						time.Sleep(2 * time.Millisecond)
						holders.Add(-1)
						release()
					}
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("worker %d: %v", i, err)
				}
			}
			if most.Load() != 1 || held.Load() != workers*rounds {
				t.Fatalf("at most %d holders at once over %d leases, want 1 over %d", most.Load(), held.Load(), workers*rounds)
			}
			var releases []func()
			for _, take := range []func() (func(), error){
				func() (func(), error) { return tc.lease(ctx, "key-1") },
				func() (func(), error) { return tc.lease(ctx, "key-2") },
				func() (func(), error) { return tc.other(ctx, "key-1") },
			} {
				release, err := take()
				if err != nil {
					t.Fatalf("an independent lease waits: %v", err)
				}
				releases = append(releases, release)
			}
			for _, release := range releases {
				release()
			}
		})
	}
}
