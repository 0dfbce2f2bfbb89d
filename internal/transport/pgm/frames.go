package pgm

import (
	"bytes"

	"github.com/purezmq/zmq/internal/pipe"
)

// Received frames and frame lists are what a receiver allocates per message. As the stream
// engine does (internal/engine/reader.go), small frames are carved from a shared slab and
// small messages' frame lists from a shared list, capacity capped, so a run of small messages
// costs an allocation per slab rather than two per message; a big frame takes a buffer the
// socket has recycled when there is one, and a big message a list of its own, since a shared
// one would keep its neighbours alive as long as it lives.

const (
	smallFrame = 4 << 10  // frames up to this size are carved from the slab
	slabMax    = 64 << 10 // a slab doubles up to this
	listsMax   = 64       // slots in one shared frame list
)

// BufferSource is where a receiver finds recycled buffers: the socket's pipe (pipe.Pipe).
type BufferSource interface {
	TakeBuffer(n int) []byte // a buffer of length n, or nil
}

// frameAlloc hands out one receiver's frames and frame lists; the receiver's owner is its
// only user.
//
// The slab and the shared list are carved at an offset rather than resliced: a slice field
// rewritten per message is a pointer write, which costs a write barrier whenever the garbage
// collector is marking (at 1 Gbit/s of 100-byte messages it marks much of the time).
type frameAlloc struct {
	bufs     BufferSource // nil: allocate
	slab     []byte
	slabOff  int
	lists    [][]byte
	listsOff int
}

// frame returns an empty buffer with room for a frame of size bytes, or for the first
// 64 KiB of a bigger one: a frame grows with the bytes that arrive, never with what its header
// claims.
func (a *frameAlloc) frame(size uint64) []byte {
	if a == nil {
		return make([]byte, 0, min(size, 64<<10))
	}
	if size <= smallFrame {
		return a.small(int(size))[:0]
	}
	if a.bufs != nil && size <= 1<<30 {
		// Recycled memory is spent already: it may take the whole frame from the start.
		if b := a.bufs.TakeBuffer(int(size)); b != nil {
			return b[:0:size]
		}
	}
	return make([]byte, 0, min(size, 64<<10))
}

// list returns frames as a message of its own, whose total size is size.
func (a *frameAlloc) list(frames [][]byte, size int) [][]byte {
	n := len(frames)
	var m [][]byte
	switch {
	case a == nil || size > pipe.OwnList:
		m = make([][]byte, n)
	default:
		m = a.shared(n)
	}
	copy(m, frames)
	return m
}

// small carves n bytes (at most smallFrame) from the slab.
func (a *frameAlloc) small(n int) []byte {
	if len(a.slab)-a.slabOff < n {
		// Each new slab doubles: a busy source carves many frames from one allocation, a
		// quiet one holds little memory.
		a.slab = make([]byte, min(2*max(len(a.slab), smallFrame/2), slabMax))
		a.slabOff = 0
	}
	out := a.slab[a.slabOff : a.slabOff+n : a.slabOff+n]
	a.slabOff += n
	return out
}

// shared carves a list of n frames from the shared list.
func (a *frameAlloc) shared(n int) [][]byte {
	if len(a.lists)-a.listsOff < n {
		a.lists = make([][]byte, max(min(2*max(len(a.lists), 2), listsMax), n))
		a.listsOff = 0
	}
	m := a.lists[a.listsOff : a.listsOff+n : a.listsOff+n]
	a.listsOff += n
	return m
}

// single returns a message of one small frame holding a copy of b.
func (a *frameAlloc) single(b []byte) [][]byte {
	if a == nil {
		return [][]byte{bytes.Clone(b)}
	}
	f := a.small(len(b))
	copy(f, b)
	m := a.shared(1)
	m[0] = f
	return m
}
