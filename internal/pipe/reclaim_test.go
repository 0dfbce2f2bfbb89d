package pipe

import (
	"runtime"
	"testing"
	"time"
	"unsafe"
)

func TestArmSize(t *testing.T) {
	tests := []struct{ n, want int }{
		{8 << 10, 8 << 10},
		{8<<10 + 1, 9 << 10},
		{40000, 40 << 10},
		{60000, 60 << 10},
		{64 << 10, 64 << 10},
		{64<<10 + 1, 72 << 10},
		{100000, 104 << 10},
		{1 << 20, 1 << 20},
		{armBig, armBig},
	}
	for _, tc := range tests {
		if got := armSize(tc.n); got != tc.want {
			t.Errorf("armSize(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// reclaimPool returns a pool whose reclaims are announced on the channel.
func reclaimPool() (*BufPool, <-chan bool) {
	c := make(chan bool, 1024)
	return &BufPool{reclaimed: func(kept bool) { c <- kept }}, c
}

// collect runs collections until want reclaims have been heard, or fails the test after a
// generous wait. A reclaim runs on the finalizer goroutine after the cycle that found its
// buffer unreachable.
func collect(t *testing.T, c <-chan bool, want int) (kept int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for got := 0; got < want; {
		runtime.GC()
		select {
		case k := <-c:
			got++
			if k {
				kept++
			}
		case <-deadline:
			t.Fatalf("%d of %d buffers came back", got, want)
		}
	}
	return kept
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// TestNewBufferComesBack: a buffer comes back to the pool once nothing reaches it, not while
// a sub-slice of it is still held.
func TestNewBufferComesBack(t *testing.T) {
	p, c := reclaimPool()
	b := p.NewBuffer(60000)
	if len(b) != 60000 || cap(b) != 60<<10 {
		t.Fatalf("NewBuffer(60000) gave len %d cap %d, want 60000 and 60 KiB", len(b), cap(b))
	}
	at := addr(b)
	sub := b[1000:1100]
	b = nil
	for range 3 {
		runtime.GC()
	}
	select {
	case <-c:
		t.Fatal("a buffer came back while a sub-slice of it was held")
	default:
	}
	if p.Get(60000) != nil {
		t.Fatal("the pool gave out a buffer still in use")
	}
	runtime.KeepAlive(sub)
	sub = nil
	if kept := collect(t, c, 1); kept != 1 {
		t.Fatal("the buffer came back and was not kept")
	}
	got := p.Get(60 << 10)
	if got == nil || addr(got) != at {
		t.Fatal("the pool does not hold the buffer that came back")
	}
	// Taken again, it comes back again.
	got = nil
	if kept := collect(t, c, 1); kept != 1 {
		t.Fatal("the buffer did not come back a second time")
	}
}

// TestNewBufferBounded: at most the pool's cap of buffers that come back exist at once
// (armMax, or its own as Slabs has); one that comes back to a full pool is let go, and makes
// room for another.
func TestNewBufferBounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		cap  int
		want int
	}{
		{"socket's", 0, armMax},
		{"slabs'", SlabsMax, SlabsMax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := reclaimPool()
			p.armCap = tc.cap
			var out [][]byte
			for {
				b := p.NewBuffer(64 << 10)
				if b == nil {
					break
				}
				out = append(out, b)
			}
			if want := tc.want / (64 << 10); len(out) != want {
				t.Fatalf("%d buffers out at once, want %d", len(out), want)
			}
			for range 16 {
				p.Put(make([]byte, 1<<20)) // fill the pool with ordinary buffers
			}
			out[0] = nil
			if kept := collect(t, c, 1); kept != 0 {
				t.Fatal("a full pool kept a buffer that came back")
			}
			if p.NewBuffer(64<<10) == nil {
				t.Fatal("a buffer let go made no room for a new one")
			}
			runtime.KeepAlive(out)
		})
	}
}

func TestNewBufferRange(t *testing.T) {
	p := new(BufPool)
	for _, n := range []int{1, poolMin - 1, armBig + 1} {
		if p.NewBuffer(n) != nil {
			t.Errorf("NewBuffer(%d) gave a buffer that comes back", n)
		}
	}
}

// TestBufPoolClose: a closed pool gives out and keeps nothing, and lets buffers that come
// back go.
func TestBufPoolClose(t *testing.T) {
	p, c := reclaimPool()
	b := p.NewBuffer(64 << 10)
	p.Put(make([]byte, 64<<10))
	p.Close()
	if p.Get(64<<10) != nil {
		t.Fatal("a closed pool gave out what it held")
	}
	if p.NewBuffer(64<<10) != nil {
		t.Fatal("a closed pool made a buffer that comes back")
	}
	p.Put(make([]byte, 64<<10))
	if p.Get(64<<10) != nil {
		t.Fatal("a closed pool kept what it was given")
	}
	runtime.KeepAlive(b)
	b = nil
	if kept := collect(t, c, 1); kept != 0 {
		t.Fatal("a closed pool kept a buffer that came back")
	}
	if p.armed != 0 {
		t.Fatalf("%d bytes still counted out", p.armed)
	}
}

// TestBufPoolIdle: a pool nobody asks for buffers lets what it holds go within a few
// collection cycles, and lets buffers that come back go too; one asked keeps them.
func TestBufPoolIdle(t *testing.T) {
	p, c := reclaimPool()
	p.Get(64 << 10) // a reader asks: what comes back now is kept
	b := p.NewBuffer(64 << 10)
	b = nil
	if kept := collect(t, c, 1); kept != 1 {
		t.Fatal("a pool being asked did not keep a buffer that came back")
	}
	p.Put(make([]byte, 1<<20))
	held := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.bytes
	}
	for i := 0; held() > 0; i++ {
		if i == 100 {
			t.Fatalf("a pool nobody asks still holds %d bytes after %d collections", held(), i)
		}
		runtime.GC()
	}
	// Its buffer that came back was let go with the rest; one that comes back now is too.
	b = p.NewBuffer(64 << 10)
	runtime.KeepAlive(b)
	b = nil
	if kept := collect(t, c, 1); kept != 0 {
		t.Fatal("an idle pool kept a buffer that came back")
	}
}
