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

	read  atomic.Uint64           // messages taken, for the producer's credit
	spare atomic.Pointer[inChunk] // a chunk the consumer is done with, for the producer to reuse
	_     [64]byte
}

// inChunkLen is how many messages a chunk holds. A pipe holds no chunk until its first message
// and one per inChunkLen queued messages after that (plus one kept spare), so an idle
// connection costs nothing here and a busy one allocates nothing in a steady stream.
const inChunkLen = 32

type inChunk struct {
	msgs [inChunkLen]Msg
	next *inChunk
}

// put writes m after the messages already written, without publishing it; producer only.
func (q *inQueue) put(m Msg) {
	switch {
	case q.tail == nil:
		q.tail = new(inChunk)
		q.first = q.tail
	case q.tpos == inChunkLen:
		c := q.spare.Swap(nil)
		if c == nil {
			c = new(inChunk)
		}
		q.tail.next = c
		q.tail, q.tpos = c, 0
	}
	q.tail.msgs[q.tpos] = m
	q.tpos++
	q.written++
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
		done := q.head
		q.head, q.hpos = done.next, 0
		done.next = nil
		q.spare.Store(done)
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
