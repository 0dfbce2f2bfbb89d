package pipe

import (
	"math/bits"
	"reflect"
	"runtime"
)

// A receiver that never calls Socket.Recycle still drops the frames it is done with; only the
// garbage collector sees that. So the big buffers the pool hands out new come back by
// themselves: each carries a finalizer that puts it back once nothing reaches it any more (no
// frame, no sub-slice of one, nothing in the library), and later frames are read into it
// instead of into a fresh allocation that is zeroed, faulted in and collected again.
//
// At most armMax bytes of such buffers exist per pool (with the application or held here),
// or the pool's own cap (Slabs). A buffer with a finalizer outlives its last use by a
// collection cycle; bounding them bounds that. Past it, frames are ordinary allocations. A
// finalizer needs a pointer to the start of an object made by new, so these buffers are byte
// arrays made by reflect.New, of a few sizes (armSize) so that the array types stay few.
const (
	armMax = poolMax
	armBig = 4 << 20 // bigger frames are rare, and one would take much of armMax
)

// armSize rounds n up to the size of a buffer that comes back: eight sizes per power of two,
// so at most an eighth of one goes unused.
func armSize(n int) int {
	step := 1 << max(bits.Len(uint(n-1))-4, 0)
	return (n + step - 1) &^ (step - 1)
}

var byteType = reflect.TypeFor[byte]()

// NewBuffer returns a new buffer of length n that comes back to the pool once unreachable, or
// nil: when n is out of range, the pool is closed, or its cap of such buffers is out.
func (p *BufPool) NewBuffer(n int) []byte {
	if n < poolMin || n > armBig {
		return nil
	}
	size := armSize(n)
	p.mu.Lock()
	ok := !p.closed && p.armed+size <= p.armLimit()
	if ok {
		p.armed += size
		if p.fin == nil {
			p.fin = p.reclaim
		}
	}
	fin := p.fin
	p.mu.Unlock()
	if !ok {
		return nil
	}
	a := reflect.New(reflect.ArrayOf(size, byteType))
	runtime.SetFinalizer(a.Interface(), fin)
	return a.Elem().Bytes()[:n]
}

// armLimit is how many bytes of buffers that come back the pool lets out at once.
func (p *BufPool) armLimit() int {
	if p.armCap > 0 {
		return p.armCap
	}
	return armMax
}

// reclaim is the finalizer of a buffer from NewBuffer: nobody reads or writes it any more.
// The pool keeps it, to come back again, or lets it go.
func (p *BufPool) reclaim(a any) {
	b := reflect.ValueOf(a).Elem().Bytes()
	p.mu.Lock()
	kept := !p.closed && p.reading() && p.keep(b)
	if kept {
		// Before anyone can take it: the runtime cleared the finalizer to run it.
		runtime.SetFinalizer(a, p.fin)
	} else {
		p.armed -= cap(b)
	}
	p.mu.Unlock()
	if p.reclaimed != nil {
		p.reclaimed(kept)
	}
}

// Close empties the pool and keeps nothing given back afterwards: the socket reads no more.
// Buffers from NewBuffer still out are let go as they come back.
func (p *BufPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.class = [poolClasses][][]byte{}
	p.bytes = 0
	p.held = nil
}
