package mongo_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The volunteer lease alone, without the process-local turn that usually queues
// callers first: goroutines stand for processes, and at most one may hold the lease
// at a time.
func TestVolunteerLeaseExcludes(t *testing.T) {
	ctx := t.Context()
	db := open(t, dbName())
	const workers, rounds = 10, 5
	var holders, most, held atomic.Int32
	errs := make([]error, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			<-start
			for range rounds {
				release, err := db.LeaseForTest(ctx, "volunteer-1")
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
	// Another volunteer's lease is independent.
	r1, err := db.LeaseForTest(ctx, "volunteer-1")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.LeaseForTest(ctx, "volunteer-2")
	if err != nil {
		t.Fatal(err)
	}
	r1()
	r2()
}
