package pipe

import (
	"math/bits"
	"sync"
)

// BufPool keeps big frame buffers that receivers gave back (Socket.Recycle) or dropped
// (reclaim.go), for the socket's connections to read later frames into: a stream of big
// messages then costs little allocation and garbage collector work per message. It holds at
// most poolMax bytes; buffers below poolMin are not worth keeping.
//
// Memory given back twice while the pool still holds it is kept once, so two takers never
// share it: a buffer is known by the last byte of its capacity, which every slice of it from
// the front shares; held has the ones the pool holds, so the check costs one map lookup however
// full the pool is.
type BufPool struct {
	mu    sync.Mutex
	class [poolClasses][][]byte // class k holds buffers of capacity [poolMin<<k, poolMin<<(k+1))
	bytes int
	held  map[any]struct{}

	armed  int       // bytes of buffers that come back by themselves (reclaim.go), out or here
	armCap int       // the most armed may reach; 0: armMax
	fin    func(any) // their finalizer, reclaim
	closed bool      // the socket is closed: keep nothing

	takes, took int  // requests for buffers this collection cycle and the one before (idle.go)
	watching    bool // a sentinel watches for the next cycle

	reclaimed func(kept bool) // tests: hears each reclaim; set before the first NewBuffer
}

// bufEnd names a buffer by its last byte's address.
func bufEnd(b []byte) *byte { return &b[:cap(b)][cap(b)-1] }

// hold records that the pool holds what end names; false if it did already. With mu held.
func (p *BufPool) hold(end any) bool {
	if _, ok := p.held[end]; ok {
		return false
	}
	if p.held == nil {
		p.held = map[any]struct{}{}
	}
	p.held[end] = struct{}{}
	return true
}

// OwnList is the message size above which a received message has a frame list of its own; the
// lists of smaller ones are carved from a list shared with their neighbours and cost no
// allocation.
const OwnList = 4 << 10

// Recycle keeps m's big frames for reuse and empties m's slots (Socket.Recycle): given back
// again, a caller's mistake, it gives back nothing. The list itself is never kept: it stays
// the caller's, so nothing the library hands out later shares it, whatever the caller does
// with it after.
func (p *BufPool) Recycle(m Msg) {
	for i, f := range m {
		p.Put(f)
		m[i] = nil
	}
}

const (
	poolMin     = 8 << 10
	poolClasses = 16 // up to 256 MiB buffers
	poolMax     = 16 << 20
)

func poolClass(n int) int { return bits.Len(uint(n/poolMin)) - 1 }

// Put keeps b for reuse, if it is big enough and there is room; b must not be used afterwards.
func (p *BufPool) Put(b []byte) {
	if cap(b) < poolMin {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.keep(b)
	}
}

// keep holds b if there is room and reports whether it did; with mu held.
func (p *BufPool) keep(b []byte) bool {
	c := cap(b)
	k := poolClass(c)
	if c < poolMin || k >= poolClasses || p.bytes+c > poolMax || !p.hold(bufEnd(b)) {
		return false
	}
	p.class[k] = append(p.class[k], b[:0])
	p.bytes += c
	p.watch()
	return true
}

// Get returns a kept buffer of length n, or nil when none fits.
func (p *BufPool) Get(n int) []byte {
	if n < poolMin {
		return nil
	}
	k := poolClass(n)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.takes++
	if p.bytes == 0 {
		return nil
	}
	// A buffer of the next class up always fits; one of n's own class fits if it is not
	// smaller than n (a steady stream of one size gives back buffers of exactly that size).
	for _, c := range [2]int{k, k + 1} {
		if c >= poolClasses {
			break
		}
		list := p.class[c]
		for i := len(list) - 1; i >= 0; i-- {
			if b := list[i]; cap(b) >= n {
				last := len(list) - 1
				list[i] = list[last]
				list[last] = nil
				p.class[c] = list[:last]
				p.bytes -= cap(b)
				delete(p.held, bufEnd(b))
				return b[:n]
			}
		}
	}
	return nil
}
