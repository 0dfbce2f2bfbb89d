package pipe

import "sync/atomic"

// An OutQueue keeps its messages in a circle of chunks: the producer fills one after another
// and comes back to the first once the consumer has left it, so a queue at a steady depth
// allocates nothing, and one that never held much costs one small chunk. The circle grows
// (a chunk is inserted after the one just filled) when the next one is still in use, up to
// about the high-water mark's worth, and does not shrink, as the ring it replaced did not.
const (
	firstChunk = 16
	maxChunk   = 256
)

type chunk struct {
	slots []Msg
	next  atomic.Pointer[chunk] // set by the producer before it publishes a message there
	base  int64                 // the producer's: the push count at slots[0] in this lap
}

// put writes m in the next free slot; the caller publishes it. The producer's.
func (q *OutQueue) put(m Msg) {
	if q.tpos == len(q.tail.slots) {
		q.advance()
	}
	q.tail.slots[q.tpos] = m
	q.tpos++
	q.np++
}

// advance moves the producer to the next chunk of the circle, or to a new one inserted after
// the full tail when the next is still the consumer's.
//
// The next chunk is free once the consumer has taken a message past it, not merely all of
// it: a consumer that took its last slot is still there until it needs another message, and
// then it follows that chunk's next, which must still lead to where the message is.
func (q *OutQueue) advance() {
	next := q.tail.next.Load()
	if next != nil {
		end := next.base + int64(len(next.slots))
		if q.seen <= end {
			q.seen = q.taken.Load()
		}
		if q.seen > end {
			next.base = q.np
			q.tail, q.tpos = next, 0
			return
		}
	}
	c := &chunk{slots: make([]Msg, min(max(2*len(q.tail.slots), firstChunk), maxChunk)), base: q.np}
	if next == nil {
		next = c // the first chunk: a circle of one
	}
	c.next.Store(next)
	q.tail.next.Store(c)
	q.tail, q.tpos = c, 0
}

// take removes the oldest ring message; there must be one published. The consumer's.
func (q *OutQueue) take() Msg {
	if q.hpos == len(q.head.slots) {
		q.head, q.hpos = q.head.next.Load(), 0
	}
	m := q.head.slots[q.hpos]
	q.head.slots[q.hpos] = nil
	q.hpos++
	q.rc++
	return m
}
