package pgm

import "github.com/purezmq/zmq/internal/pipe"

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
	TakeList(n int) pipe.Msg // a frame list of length n, or nil
}

// frameAlloc hands out one receiver's frames and frame lists; the receiver's owner is its
// only user.
type frameAlloc struct {
	bufs     BufferSource // nil: allocate
	slab     []byte
	slabLen  int
	lists    [][]byte
	listsLen int
}

// frame returns an empty buffer with room for a frame of size bytes, or for the first
// 64 KiB of a bigger one: a frame grows with the bytes that arrive, never with what its header
// claims.
func (a *frameAlloc) frame(size uint64) []byte {
	if a == nil {
		return make([]byte, 0, min(size, 64<<10))
	}
	if size <= smallFrame {
		n := int(size)
		if len(a.slab) < n {
			// Each new slab doubles: a busy source carves many frames from one allocation,
			// a quiet one holds little memory.
			a.slabLen = min(2*max(a.slabLen, smallFrame/2), slabMax)
			a.slab = make([]byte, a.slabLen)
		}
		out := a.slab[:0:n]
		a.slab = a.slab[n:]
		return out
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
	case a == nil:
		m = make([][]byte, n)
	case size > pipe.OwnList:
		if a.bufs != nil {
			m = a.bufs.TakeList(n)
		}
		if m == nil {
			m = make([][]byte, n)
		}
	default:
		if len(a.lists) < n {
			a.listsLen = min(2*max(a.listsLen, 2), listsMax)
			a.lists = make([][]byte, max(a.listsLen, n))
		}
		m = a.lists[:n:n]
		a.lists = a.lists[n:]
	}
	copy(m, frames)
	return m
}
