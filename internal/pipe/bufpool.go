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
// the front shares, and a frame list likewise; held has the ones the pool holds, so the check
// costs one map lookup however full the pool is.
type BufPool struct {
	mu    sync.Mutex
	class [poolClasses][][]byte // class k holds buffers of capacity [poolMin<<k, poolMin<<(k+1))
	bytes int
	lists []Msg // frame lists of recycled messages, for big messages to come
	held  map[any]struct{}

	armed  int       // bytes of buffers that come back by themselves (reclaim.go), out or here
	fin    func(any) // their finalizer, reclaim
	closed bool      // the socket is closed: keep nothing

	takes, took int  // requests for buffers this collection cycle and the one before (idle.go)
	watching    bool // a sentinel watches for the next cycle

	reclaimed func(kept bool) // tests: hears each reclaim; set before the first NewBuffer
}

// bufEnd and listEnd name a buffer and a frame list by their last element's address.
func bufEnd(b []byte) *byte { return &b[:cap(b)][cap(b)-1] }
func listEnd(m Msg) *[]byte { return &m[:cap(m)][cap(m)-1] }

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

// listsMax bounds the recycled frame lists kept.
const listsMax = 64

// OwnList is the message size above which a received message has a frame list of its own; the
// lists of smaller ones are carved from a list shared with their neighbours, cost no allocation
// and are not worth keeping. Only own lists are given back (Socket.Recycle), so a receiver that
// recycles small messages pays nothing for it.
const OwnList = 4 << 10

// PutList keeps m's frame list for reuse; m must not be used afterwards.
func (p *BufPool) PutList(m Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keepList(m)
}

// keepList empties m's frame list and holds it if there is room; with mu held.
func (p *BufPool) keepList(m Msg) {
	if cap(m) == 0 || cap(m) > 16 {
		return
	}
	clear(m[:cap(m)])
	if !p.closed && len(p.lists) < listsMax && p.hold(listEnd(m)) {
		p.lists = append(p.lists, m[:0])
		p.watch()
	}
}

// Recycle keeps what a receiver gives back (Socket.Recycle): m's big frames and, for a message
// over OwnList bytes, its frame list. m's slots are read and emptied under the pool's lock too:
// a message given back twice, a caller's mistake, finds them emptied the first time, and
// whoever takes the list afterwards (a connection's reader, in another goroutine that nothing
// else orders after the caller) is ordered after both.
func (p *BufPool) Recycle(m Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	size := 0
	for i, f := range m {
		size += len(f)
		if !p.closed {
			p.keep(f)
		}
		m[i] = nil
	}
	if size > OwnList {
		p.keepList(m)
	}
}

// GetList returns a kept frame list of length n, or nil when none fits.
func (p *BufPool) GetList(n int) Msg {
	p.mu.Lock()
	defer p.mu.Unlock()
	if last := len(p.lists) - 1; last >= 0 && cap(p.lists[last]) >= n {
		m := p.lists[last][:n]
		delete(p.held, listEnd(m))
		p.lists[last] = nil
		p.lists = p.lists[:last]
		return m
	}
	return nil
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
