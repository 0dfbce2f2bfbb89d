package lease

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestInterval(t *testing.T) {
	for _, ttl := range []time.Duration{time.Millisecond, 3 * time.Second, time.Hour} {
		lo, hi := ttl/3-ttl/30, ttl/3+ttl/30
		for range 1000 {
			if d := Interval(ttl); d < lo || d > hi {
				t.Fatalf("Interval(%v) = %v, want within [%v, %v]", ttl, d, lo, hi)
			}
		}
	}
}

// The refreshes come every ttl/3 ± 10%; a failure is reported and retried at ttl/12; Stop
// deregisters once and closes Err.
func TestLeaseRefreshRetryStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl = 3 * time.Second
		fail := errors.New("store down")
		// The loop's goroutine and this one meet only through the fake clock, which the race
		// detector does not see as an edge: the mutex is that edge.
		var mu sync.Mutex
		var at []time.Duration
		failing := false
		deregs := 0
		times := func() []time.Duration { mu.Lock(); defer mu.Unlock(); return slices.Clone(at) }
		start := time.Now()
		l := Start(ttl, func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("refresh ctx has no deadline")
			}
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Since(start))
			if failing {
				return fail
			}
			return nil
		}, func(context.Context) error { deregs++; return nil }) // deregister runs on Stop's goroutine

		time.Sleep(10 * time.Second)
		synctest.Wait()
		got := times()
		if n := len(got); n < 9 || n > 11 {
			t.Fatalf("%d refreshes in 10s with ttl %v: %v", n, ttl, got)
		}
		for i := 1; i < len(got); i++ {
			if d := got[i] - got[i-1]; d < 900*time.Millisecond || d > 1100*time.Millisecond {
				t.Fatalf("refresh gap %v, want 1s ± 10%%: %v", d, got)
			}
		}
		mu.Lock()
		failing = true
		mu.Unlock()
		n := len(got)
		if err := <-l.Err(); !errors.Is(err, fail) {
			t.Fatalf("Err() = %v, want the refresh failure", err)
		}
		time.Sleep(ttl / 12)
		synctest.Wait()
		if got = times(); len(got) != n+2 {
			t.Fatalf("after a failure the retry comes at ttl/12: %v", got[n:])
		}
		if err := l.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := l.Stop(context.Background()); err != nil || deregs != 1 {
			t.Fatalf("second Stop = %v with %d deregistrations, want nil and 1", err, deregs)
		}
		for range l.Err() {
		}
	})
}
