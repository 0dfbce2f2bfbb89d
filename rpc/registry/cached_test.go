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

// losing is a registry whose Watches end when it goes down, as the Registry contract says a
// failing registry's do.
type losing struct {
	Registry
	mu   sync.Mutex
	down bool
	cut  chan struct{} // closed when it goes down
}

func (l *losing) goDown() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = true
	close(l.cut)
}

func (l *losing) comeBack() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down, l.cut = false, make(chan struct{})
}

func (l *losing) Watch(ctx context.Context, key string) (<-chan []string, error) {
	l.mu.Lock()
	down, cut := l.down, l.cut
	l.mu.Unlock()
	if down {
		return nil, errDown
	}
	in, err := l.Registry.Watch(ctx, key)
	if err != nil {
		return nil, err
	}
	out := make(chan []string)
	go func() {
		defer close(out)
		for {
			select {
			case eps, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- eps:
				case <-cut:
					return
				}
			case <-cut:
				return
			}
		}
	}()
	return out, nil
}

// TestCachedWatchLost: the wrapped registry's Watch ends (it failed); Cached's stays open,
// says so (ErrWatchLost), offers the snapshot, and watches again once the registry is back.
func TestCachedWatchLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := &losing{Registry: NewMemory(), cut: make(chan struct{})}
		var lost atomic.Int64
		r := Cached(l, func(key string, err error) {
			if errors.Is(err, ErrWatchLost) {
				lost.Add(1)
			}
		})
		defer r.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		register(t, r, epA, time.Minute)
		ch, err := r.Watch(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if got := <-ch; !slices.Equal(got, []string{epA}) {
			t.Fatalf("Watch: %v", got)
		}
		l.goDown()
		if got, ok := <-ch; !ok || !slices.Equal(got, []string{epA}) {
			t.Fatalf("after the registry's Watch ended: %v, %v; want the snapshot, channel open", got, ok)
		}
		if lost.Load() == 0 {
			t.Fatal("onStale did not hear that the Watch was lost")
		}
		l.comeBack()
		register(t, r, epB, time.Minute)
		for got := range ch {
			if slices.Equal(got, []string{epA, epB}) {
				return
			}
		}
		t.Fatal("Watch closed")
	})
}
