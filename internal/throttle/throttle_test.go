package throttle

import (
	"testing"
	"time"
)

func TestAllowN(t *testing.T) {
	l := New(10, time.Second)
	now := time.Unix(1_800_000_000, 0)
	if ok, _ := l.AllowN("a", 7, now); !ok {
		t.Fatal("7 of 10 refused")
	}
	if ok, wait := l.AllowN("a", 4, now); ok || wait != 1 {
		t.Fatalf("4 more of the 3 left: ok=%v wait=%d", ok, wait)
	}
	if ok, _ := l.AllowN("a", 3, now); !ok {
		t.Fatal("the 3 left refused (a refusal took tokens)")
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := l.AllowN("a", 2, now.Add(2*time.Second)); !ok {
		t.Fatal("refill refused")
	}
	if ok, wait := l.AllowN("c", 11, now); ok || wait < 1 {
		t.Fatalf("more than the burst: ok=%v wait=%d", ok, wait)
	}
	if ok, _ := New(0, time.Second).AllowN("x", 1000, now); !ok {
		t.Fatal("a burst of 0 limits")
	}
}
