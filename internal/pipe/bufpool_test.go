package pipe

import "testing"

func TestBufPool(t *testing.T) {
	var p BufPool
	if b := p.Get(64 << 10); b != nil {
		t.Fatalf("empty pool gave %d bytes", cap(b))
	}
	p.Put(make([]byte, 100)) // too small to keep
	p.Put(make([]byte, 60000))
	p.Put(make([]byte, 1<<20))
	tests := []struct {
		name    string
		n       int
		wantCap int // 0: nil
	}{
		{"below the minimum", 4 << 10, 0},
		{"fits the 60000-byte one", 50000, 60000},
		{"nothing left of that size", 60000, 0},
		{"a bigger class", 70000, 0},
		{"the next class up of a big one", 600 << 10, 1 << 20},
		{"empty again", 100 << 10, 0},
	}
	for _, tc := range tests {
		b := p.Get(tc.n)
		if tc.wantCap == 0 {
			if b != nil {
				t.Errorf("%s: Get(%d) gave a buffer of %d", tc.name, tc.n, cap(b))
			}
			continue
		}
		if len(b) != tc.n || cap(b) != tc.wantCap {
			t.Errorf("%s: Get(%d) gave len %d cap %d, want len %d cap %d", tc.name, tc.n, len(b), cap(b), tc.n, tc.wantCap)
		}
	}
}

func TestBufPoolBounded(t *testing.T) {
	var p BufPool
	bufs := make([][]byte, 2*poolMax/(64<<10))
	for i := range bufs {
		bufs[i] = make([]byte, 64<<10)
	}
	// Given back in one go: a collection between would find nobody asking (idle.go).
	for _, b := range bufs {
		p.Put(b)
	}
	if p.bytes > poolMax {
		t.Fatalf("pool holds %d bytes, more than %d", p.bytes, poolMax)
	}
	n := 0
	for p.Get(64<<10) != nil {
		n++
	}
	if n != poolMax/(64<<10) {
		t.Fatalf("got %d buffers back, want %d", n, poolMax/(64<<10))
	}
	p.Put(make([]byte, 1<<30)) // above the biggest class: not kept
	if p.bytes != 0 {
		t.Fatalf("kept a 1 GiB buffer")
	}
}

// TestBufPoolDoublePut: a buffer given back twice is kept once, so two later takers never
// share it.
func TestBufPoolDoublePut(t *testing.T) {
	var p BufPool
	b := make([]byte, 64<<10)
	p.Put(b)
	p.Put(b)
	p.Put(b[:100]) // the same memory, seen through another slice
	x, y := p.Get(64<<10), p.Get(64<<10)
	if x == nil {
		t.Fatal("the buffer was not kept")
	}
	if y != nil {
		t.Fatal("one buffer given back twice went to two takers")
	}
}
