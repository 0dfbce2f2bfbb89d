package registry

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

var errDown = errors.New("registry down")

// faulty is a registry that fails on demand: the fault Cached is for, not a stand-in for a
// server.
type faulty struct {
	Registry
	down atomic.Bool
}

func (f *faulty) Resolve(ctx context.Context, key string) ([]string, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Registry.Resolve(ctx, key)
}

func (f *faulty) Watch(ctx context.Context, key string) (<-chan []string, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Registry.Watch(ctx, key)
}

type staleLog struct {
	mu   sync.Mutex
	keys []string
}

func (s *staleLog) add(key string, err error) {
	if !errors.Is(err, errDown) {
		panic("onStale got " + err.Error())
	}
	s.mu.Lock()
	s.keys = append(s.keys, key)
	s.mu.Unlock()
}

func (s *staleLog) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

func TestCachedResolve(t *testing.T) {
	f := &faulty{Registry: NewMemory()}
	var stale staleLog
	r := Cached(f, stale.add)
	defer r.Close()
	register(t, r, epA, time.Minute)
	if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
		t.Fatalf("Resolve: %v", got)
	}
	f.down.Store(true)
	for i := 1; i <= 2; i++ {
		if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
			t.Fatalf("Resolve while down: %v, want the snapshot [%s]", got, epA)
		}
		if n := stale.count(); n != i {
			t.Fatalf("onStale called %d times after %d stale answers", n, i)
		}
	}
	if _, err := r.Resolve(context.Background(), "never/resolved"); !errors.Is(err, errDown) {
		t.Errorf("Resolve of a key without a snapshot = %v, want the registry's error", err)
	}
	f.down.Store(false)
	register(t, r, epB, time.Minute)
	if got := resolve(t, r); !slices.Equal(got, []string{epA, epB}) {
		t.Fatalf("Resolve after recovery: %v", got)
	}
}

func TestCachedWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &faulty{Registry: NewMemory()}
		var stale staleLog
		r := Cached(f, stale.add)
		defer r.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		register(t, r, epA, time.Minute)
		first, err := r.Watch(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if got := <-first; !slices.Equal(got, []string{epA}) {
			t.Fatalf("Watch: %v", got)
		}

		f.down.Store(true)
		ch, err := r.Watch(ctx, key)
		if err != nil {
			t.Fatalf("Watch while down with a snapshot: %v", err)
		}
		if got := <-ch; !slices.Equal(got, []string{epA}) {
			t.Fatalf("Watch while down sent %v, want the snapshot [%s]", got, epA)
		}
		if stale.count() == 0 {
			t.Fatal("onStale not called for a Watch served from the snapshot")
		}
		if _, err := r.Watch(ctx, "never/resolved"); !errors.Is(err, errDown) {
			t.Fatalf("Watch of a key without a snapshot = %v, want the registry's error", err)
		}
		time.Sleep(3 * time.Second) // retries while down
		f.down.Store(false)
		register(t, r, epB, time.Minute)
		// The Watch restarts within its retry period and sends the registry's state.
		for got := range ch {
			if slices.Equal(got, []string{epA, epB}) {
				return
			}
			if !slices.Equal(got, []string{epA}) {
				t.Fatalf("Watch sent %v", got)
			}
		}
		t.Fatal("Watch closed")
	})
}
