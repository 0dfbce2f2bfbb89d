package registry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/purezmq/zmq/rpc/registry/internal/lease"
)

const (
	key = "openstack/compute"
	epA = "tcp://127.0.0.1:5001"
	epB = "tcp://127.0.0.1:5002"
)

func resolve(t *testing.T, r Registry) []string {
	t.Helper()
	eps, err := r.Resolve(context.Background(), key)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return eps
}

func register(t *testing.T, r Registry, ep string, ttl time.Duration) Lease {
	t.Helper()
	l, err := r.Register(context.Background(), key, ep, ttl)
	if err != nil {
		t.Fatalf("Register(%s): %v", ep, err)
	}
	return l
}

func TestMemoryKeptAliveWhileRefreshed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewMemory()
		defer r.Close()
		register(t, r, epA, 3*time.Second)
		time.Sleep(time.Minute) // twenty TTLs of the fake clock
		if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
			t.Fatalf("after a minute of refreshes: %v, want [%s]", got, epA)
		}
	})
}

func TestMemoryExpiresWhenNotRefreshed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewMemory()
		defer r.Close()
		const ttl = 3 * time.Second
		l := register(t, r, epA, ttl)
		register(t, r, epB, ttl)
		l.(*lease.Lease).Halt() // the server of epA stops refreshing without deregistering
		time.Sleep(ttl - time.Millisecond)
		synctest.Wait()
		if got := resolve(t, r); !slices.Equal(got, []string{epA, epB}) {
			t.Fatalf("just before the TTL: %v, want both", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := resolve(t, r); !slices.Equal(got, []string{epB}) {
			t.Fatalf("at the TTL: %v, want [%s]", got, epB)
		}
	})
}

func TestMemoryStopAndWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewMemory()
		defer r.Close()
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := r.Watch(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		next := func(want ...string) {
			t.Helper()
			if want == nil {
				want = []string{}
			}
			select {
			case got := <-ch:
				if !slices.Equal(got, want) {
					t.Fatalf("Watch sent %v, want %v", got, want)
				}
			case <-time.After(time.Hour):
				t.Fatalf("Watch sent nothing, want %v", want)
			}
		}
		next()
		a := register(t, r, epA, time.Second)
		next(epA)
		b := register(t, r, epB, time.Second)
		next(epA, epB)
		time.Sleep(5 * time.Second) // refreshes change nothing: no sends
		if err := a.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := resolve(t, r); !slices.Equal(got, []string{epB}) {
			t.Fatalf("right after Stop: %v, want [%s]", got, epB)
		}
		next(epB)
		if err := a.Stop(context.Background()); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
		b.(*lease.Lease).Halt()
		next() // expired
		cancel()
		if _, ok := <-ch; ok {
			t.Fatal("Watch channel open after its ctx ended")
		}
	})
}

func TestMemoryBadInput(t *testing.T) {
	r := NewMemory()
	defer r.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		key, ep string
		ttl     time.Duration
	}{
		{"", epA, time.Second},
		{key, "", time.Second},
		{key, "127.0.0.1:5", time.Second},
		{key, "tcp://", time.Second},
		{"a key", epA, time.Second},
		{key, epA, 0},
		{key, epA, -time.Second},
		{key, epA, time.Microsecond},
	} {
		if _, err := r.Register(ctx, tt.key, tt.ep, tt.ttl); !errors.Is(err, ErrInvalid) {
			t.Errorf("Register(%q, %q, %v) = %v, want ErrInvalid", tt.key, tt.ep, tt.ttl, err)
		}
	}
	if _, err := r.Resolve(ctx, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("Resolve(\"\") = %v, want ErrInvalid", err)
	}
	if _, err := r.Watch(ctx, "\x00"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Watch(NUL) = %v, want ErrInvalid", err)
	}
}

func TestMemoryClose(t *testing.T) {
	r := NewMemory()
	l := register(t, r, epA, time.Second)
	ch, err := r.Watch(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for range ch { // drains the first snapshot if it was not taken, then sees the close
	}
	if _, ok := <-l.Err(); ok {
		t.Error("lease Err channel open after Close")
	}
	if _, err := r.Resolve(context.Background(), key); !errors.Is(err, ErrClosed) {
		t.Errorf("Resolve after Close = %v, want ErrClosed", err)
	}
	if _, err := r.Register(context.Background(), key, epB, time.Second); !errors.Is(err, ErrClosed) {
		t.Errorf("Register after Close = %v, want ErrClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
