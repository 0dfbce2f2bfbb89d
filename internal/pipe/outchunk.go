package pipe

import "sync/atomic"

// An OutQueue, and a pipe's inbound queue (inqueue.go), keep their messages in a circle of
// chunks: the producer fills one after another and comes back to the first once the consumer
// has left it, so a queue at a steady depth allocates nothing, one that never held much costs
// one small chunk, and one that never held any costs none. The circle grows
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

// chunkWriter is the producer's end of a circle of chunks, for an OutQueue and for a pipe's
// inbound queue alike. Both ends start at a stub chunk without slots.
type chunkWriter struct {
	tail *chunk
	tpos int   // next free slot in tail
	np   int64 // messages written
	seen int64 // the consumer's taken as the producer last read it: at most the true value
}

// write puts m in the next free slot; the caller publishes it. taken is the consumer's count
// of the messages it has left behind.
func (w *chunkWriter) write(m Msg, taken *atomic.Int64) {
	if w.tpos == len(w.tail.slots) {
		w.advance(taken)
	}
	w.tail.slots[w.tpos] = m
	w.tpos++
	w.np++
}

// advance moves the producer to the next chunk of the circle, or to a new one inserted after
// the full tail when the next is still the consumer's.
//
// The next chunk is free once the consumer has taken a message past it, not merely all of
// it: a consumer that took its last slot is still there until it needs another message, and
// then it follows that chunk's next, which must still lead to where the message is.
func (w *chunkWriter) advance(taken *atomic.Int64) {
	next := w.tail.next.Load()
	if next != nil {
		end := next.base + int64(len(next.slots))
		if w.seen <= end {
			w.seen = taken.Load()
		}
		if w.seen > end {
			next.base = w.np
			w.tail, w.tpos = next, 0
			return
		}
	}
	c := &chunk{slots: make([]Msg, min(max(2*len(w.tail.slots), firstChunk), maxChunk)), base: w.np}
	if next == nil {
		next = c // the first chunk: a circle of one
	}
	c.next.Store(next)
	w.tail.next.Store(c)
	w.tail, w.tpos = c, 0
}

// chunkReader is the consumer's end of a circle of chunks.
type chunkReader struct {
	head *chunk
	hpos int // next slot to take in head
}

// read removes the oldest message written; there must be one published.
func (r *chunkReader) read() Msg {
	if r.hpos == len(r.head.slots) {
		r.head, r.hpos = r.head.next.Load(), 0
	}
	m := r.head.slots[r.hpos]
	r.head.slots[r.hpos] = nil
	r.hpos++
	return m
}

// put writes m in the next free slot; the caller publishes it. The producer's.
func (q *OutQueue) put(m Msg) { q.write(m, &q.taken) }

// take removes the oldest ring message; there must be one published. The consumer's.
func (q *OutQueue) take() Msg {
	q.rc++
	return q.read()
}
