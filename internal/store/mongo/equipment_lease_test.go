package mongo_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The device lease (roster.go's lease in its own collection) alone, without the
// process-local turn: at most one holder at a time, and independent of a
// volunteer's lease on the same key.
func TestDeviceLeaseExcludes(t *testing.T) {
	ctx := t.Context()
	db := open(t, dbName())
	const workers, rounds = 8, 4
	var holders, most, held atomic.Int32
	errs := make([]error, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			<-start
			for range rounds {
				release, err := db.DeviceLeaseForTest(ctx, "device-1")
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
	r1, err := db.DeviceLeaseForTest(ctx, "same-key")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.LeaseForTest(ctx, "same-key")
	if err != nil {
		t.Fatalf("a volunteer's lease waits on a device's: %v", err)
	}
	r1()
	r2()
}
