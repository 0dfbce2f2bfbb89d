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
	// The producer's side: np messages written, seen the consumer's taken as last looked at.
	chunkWriter
	_ [64]byte

	pub atomic.Uint64 // messages published: written and visible to the consumer
	_   [64]byte

	// The consumer's side.
	chunkReader
	readN   uint64 // messages taken
	pubSeen uint64 // published, as the consumer last saw it
	relN    uint64 // readN as last published in taken
	_       [64]byte

	taken atomic.Int64 // readN as of the last release: the producer's credit, and its chunks' reuse
	_     [64]byte

	stub chunk // where both ends start: no slots, its next the first chunk
}

// init points both ends at the stub; before any other use.
func (q *inQueue) init() { q.tail, q.head = &q.stub, &q.stub }

// put writes m after the messages already written, without publishing it; producer only. A
// pipe's chunks form a circle as an OutQueue's do (outchunk.go): an idle pipe holds none, a
// busy one about its HWM's worth, and a steady stream allocates nothing however big its
// bursts.
func (q *inQueue) put(m Msg) { q.write(m, &q.taken) }

// publish makes every message put so far visible to the consumer; producer only.
func (q *inQueue) publish() { q.pub.Store(uint64(q.np)) }

// queued is how many written messages the consumer has not taken, as the producer can tell:
// at least the true number, the closer when fresh is true (it reads the consumer's count
// again, which the consumer publishes every releaseStep messages and when it has taken
// everything).
func (q *inQueue) queued(fresh bool) uint64 {
	if fresh {
		q.seen = q.taken.Load()
	}
	return uint64(q.np - q.seen)
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
	m := q.read()
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
		q.taken.Store(int64(q.readN))
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
// high-water mark of hwm (0 = none): a sixteenth of it, from every message up to maxRelease,
// so that a producer sees at worst a sixteenth of its credit late.
func releaseStep(hwm int64) uint64 {
	return uint64(min(max(hwm/16, 1), maxRelease))
}

const maxRelease = 32
