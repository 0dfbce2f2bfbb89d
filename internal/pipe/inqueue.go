package pipe

import "sync/atomic"

// inQueue is a pipe's inbound messages: one producer (whoever delivers for the peer, serialized
// by the pipe's producer lock) and one consumer (the socket's receivers, serialized by the
// Inbox's lock) that never share a lock. The producer writes messages into chunks and
// publishes how many it wrote; the consumer reads up to what was published and publishes how
// many it took, which is the producer's credit. Each side keeps the other's count as last seen
// and reads it again only when that runs out, so in a steady stream the two processors meet
// once per batch of messages, not once per message (libzmq's ypipe does the same).
type inQueue struct {
	// The producer's side.
	tail     *inChunk // the chunk being written, nil before the first message
	tpos     int      // where in tail the next message goes
	written  uint64   // messages written
	readSeen uint64   // taken, as the producer last saw it
	_        [64]byte

	pub   atomic.Uint64 // messages published: written and visible to the consumer
	first *inChunk      // the first chunk, set by the producer before the first publish
	_     [64]byte

	// The consumer's side.
	head    *inChunk // the chunk being read, nil until the consumer reads the first message
	hpos    int      // where in head the next message is
	readN   uint64   // messages taken
	pubSeen uint64   // published, as the consumer last saw it
	relN    uint64   // readN as last published in read
	_       [64]byte

	read atomic.Uint64 // messages taken, for the producer's credit
	_    [64]byte
}

// inChunkLen is how many messages a chunk holds. The chunks of a queue form a circle that
// the producer goes round, as an OutQueue's do (outchunk.go): it fills the next chunk again
// once the consumer has left it, and puts a new one in after the full one when the next is
// still in use. A pipe holds no chunk before its first message, so an idle connection costs
// nothing here; a busy one keeps about its HWM's worth and allocates nothing in a steady
// stream, however big its bursts.
const inChunkLen = 32

type inChunk struct {
	msgs [inChunkLen]Msg
	next atomic.Pointer[inChunk] // set by the producer before it publishes a message there
	base uint64                  // the producer's: the index of msgs[0] in this lap
}

// put writes m after the messages already written, without publishing it; producer only.
func (q *inQueue) put(m Msg) {
	switch {
	case q.tail == nil:
		c := new(inChunk)
		c.next.Store(c) // a circle of one
		q.tail, q.first = c, c
	case q.tpos == inChunkLen:
		q.advance()
	}
	q.tail.msgs[q.tpos] = m
	q.tpos++
	q.written++
}

// advance moves the producer on from its full tail: to the next chunk of the circle if the
// consumer has taken a message past it (having taken its last slot, the consumer is still
// there until it follows next), else to a new chunk put in between.
func (q *inQueue) advance() {
	next := q.tail.next.Load()
	if next != q.tail {
		end := next.base + inChunkLen
		if q.readSeen <= end {
			q.readSeen = q.read.Load()
		}
		if q.readSeen > end {
			next.base = q.written
			q.tail, q.tpos = next, 0
			return
		}
	}
	c := &inChunk{base: q.written}
	c.next.Store(next)
	q.tail.next.Store(c)
	q.tail, q.tpos = c, 0
}

// publish makes every message put so far visible to the consumer; producer only.
func (q *inQueue) publish() { q.pub.Store(q.written) }

// queued is how many written messages the consumer has not taken, as the producer can tell:
// at least the true number, the closer when fresh is true (it reads the consumer's count
// again, which the consumer publishes every releaseStep messages and when it has taken
// everything).
func (q *inQueue) queued(fresh bool) uint64 {
	if fresh {
		q.readSeen = q.read.Load()
	}
	return q.written - q.readSeen
}

// ready reports whether a published message is waiting; consumer only. When none is, the
// consumer has taken everything: it tells the producer so (release).
func (q *inQueue) ready() bool {
	if q.readN < q.pubSeen {
		return true
	}
	q.pubSeen = q.pub.Load()
	if q.readN < q.pubSeen {
		return true
	}
	q.release()
	return false
}

// take removes the oldest published message; consumer only, after ready reported one. It
// tells the producer what it took once every step messages, not per message: the producer
// reads that count whenever the count it has says the queue is full, which a producer faster
// than its consumer finds on every message, and a count written on every message would bring
// the two processors together on every message.
func (q *inQueue) take(step uint64) Msg {
	switch {
	case q.head == nil:
		q.head, q.first = q.first, nil
	case q.hpos == inChunkLen:
		q.head, q.hpos = q.head.next.Load(), 0
	}
	m := q.head.msgs[q.hpos]
	q.head.msgs[q.hpos] = nil
	q.hpos++
	q.readN++
	if q.readN-q.relN >= step {
		q.release()
	}
	return m
}

// release publishes how many messages the consumer took, for the producer's credit.
func (q *inQueue) release() {
	if q.relN != q.readN {
		q.relN = q.readN
		q.read.Store(q.readN)
	}
}

// backlog is how many published messages the consumer has not taken: as it last looked (at
// most the true number), or as published now when fresh is set. Consumer only.
func (q *inQueue) backlog(fresh bool) uint64 {
	if fresh {
		q.pubSeen = q.pub.Load()
	}
	return q.pubSeen - q.readN
}

// releaseStep is how many messages a consumer takes before it publishes the count, for a
// high-water mark of hwm (0 = none): a sixteenth of it, from every message up to one a chunk,
// so that a producer sees at worst a sixteenth of its credit late.
func releaseStep(hwm int64) uint64 {
	return uint64(min(max(hwm/16, 1), inChunkLen))
}
