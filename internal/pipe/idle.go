package pipe

import "runtime"

// A pool nobody asks for buffers lets them go: a socket that streamed big messages for a
// while, then stopped, should not hold 16 MiB for ever, nor keep buffers that come back
// (reclaim.go) when nobody will read into them. Collection cycles are the clock: a sentinel
// object is collected, and its finalizer runs, once per cycle while the pool holds anything.
// After a whole cycle without a request the pool empties, and buffers that come back are let
// go until a request shows a reader again.

// sentinel's finalizer ticks its pool. It holds a pointer so that it is an object of its own
// (the runtime may batch small pointer-free ones, whose finalizers then need not run).
type sentinel struct{ p *BufPool }

// watch starts the cycle clock if it is not running; with mu held.
func (p *BufPool) watch() {
	if p.watching || p.closed {
		return
	}
	p.watching = true
	runtime.SetFinalizer(&sentinel{p}, func(s *sentinel) { s.p.tick() })
}

// tick runs once per collection cycle while the pool is watched.
func (p *BufPool) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.watching = false
	if p.closed {
		return
	}
	if !p.reading() {
		p.class = [poolClasses][][]byte{}
		p.bytes = 0
		p.held = nil
	}
	p.took, p.takes = p.takes, 0
	if p.bytes > 0 {
		p.watch()
	}
}

// reading reports whether someone asked the pool for a buffer this cycle or the one before;
// with mu held.
func (p *BufPool) reading() bool { return p.takes > 0 || p.took > 0 }
