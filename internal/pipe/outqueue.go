package pipe

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// OutQueue is a bounded queue of outbound messages drained by its connection's writer
// goroutine, or by a sender writing the connection itself (engine.Conn.WriteNow, after
// TryPushQuiet). Senders never wait on it: TryPush fails at the high-water mark and the socket
// decides to block or drop. It never changes a message it holds (CONFLATE and Close only let go
// of them).
//
// It is a single-producer, single-consumer queue, so that a publisher pushing to a hundred
// connections does not take a lock shared with each connection's writer per message: the
// producer writes a slot and publishes its count (pushed), the consumer publishes how many it
// took (taken) once per drain, and each reads the other's count only when it must.
//
// The producers are serialized by the caller: TryPush, TryPushQuiet, HasRoom, PushFront and
// Close must be called with one lock held, the socket's (s.mu; every push comes from a pattern's
// send, an XPUB's welcome on attach or a ROUTER's probe, all under it). The consumers, Drain
// and DrainAll (a connection's writer or a direct write, under the connection's wmu, or the
// hand-over of an inproc connecter's queue, under s.mu), are serialized by the queue's own cmu,
// which a drain takes once per batch, and a push only when it finds the queue full (room says
// why): a connect-side peer's queue outlives its connections, and
// the connection it had may still be writing directly when the next one's writer starts. Len,
// Wake and WakeWriter may be called by anyone.
type OutQueue struct {
	// Set before use.
	hwm      int64
	conflate bool
	onSpace  func()
	wake     chan struct{}
	log      *Log // SetLog's: the queue holds runs of it instead of slots (sharedlog.go)

	closed atomic.Bool
	// atHWM is set with full when a push fails at the HWM and cleared by the drain that makes
	// room: the queue can only be fuller until then, so later pushes fail at the cost of one
	// load. It points at ownHWM, or where the producer looks anyway (FlagHWMIn), so a publisher
	// drops for a subscriber at its HWM without touching the queue.
	atHWM  *atomic.Bool
	ownHWM atomic.Bool

	_ [64]byte

	// The producer's; only producers touch them, but pushed and full are read by consumers.
	chunkWriter              // np is pushed's value
	pushed      atomic.Int64 // published after the slot is written
	full        atomic.Bool  // a push was refused since the last drain
	lc          *logChunk    // with a log: where the last run is
	lseq        int64        // and the log position of its last message
	rt          *runChunk    // the runs' tail
	rtpos       int          // next free run in rt
	nr          int64        // runs pushed, runs's value
	runs        atomic.Int64 // published before the count of the run's first message

	_ [64]byte

	// taken is the consumer's count of what the producer may treat as gone: the ring messages
	// drained less those pushed to the front not yet drained, which so count against the HWM as
	// they did when they were queued in line. The producer reads it on every push, so it has a
	// line of its own, written once a drain, not with every message taken.
	taken atomic.Int64

	_ [56]byte

	// The consumer's, under cmu.
	cmu sync.Mutex
	chunkReader
	rc     int64     // ring messages drained
	front  []Msg     // PushFront's, the next to drain last
	rhc    *runChunk // with a log: where the next run to begin is
	rhpos  int
	rh     int64       // runs begun
	cur    run         // the run being drained
	held   []*logChunk // chunks of runs the last drain finished, released by the next (Drain)
	spares spareRuns   // run chunks the consumer went through, for the producer

	stub chunk // where both ends start: no slots, its next the first chunk
}

// NewOutQueue returns a queue holding at most hwm messages (0 = unlimited). onSpace is called
// when the writer frees room after a push failed.
func NewOutQueue(hwm int, onSpace func()) *OutQueue {
	q := &OutQueue{hwm: int64(hwm), wake: NewWake(), onSpace: onSpace}
	q.atHWM = &q.ownHWM
	q.tail, q.head = &q.stub, &q.stub
	return q
}

// TryPush queues m and wakes the writer if it may be idle.
func (q *OutQueue) TryPush(m Msg) bool { return q.push(m, false) }

// TryPushQuiet queues m as TryPush does but leaves the writer asleep: the sender will write
// the queue itself, or call WakeWriter if it cannot.
func (q *OutQueue) TryPushQuiet(m Msg) bool { return q.push(m, true) }

// push queues m unless the queue is full or closed, and unless quiet wakes the writer when the
// queue was empty.
//
// The wake-up cannot be lost: the producer publishes pushed and then reads taken, the consumer
// publishes taken and then reads pushed before it reports nothing more (Drain). Whichever
// comes second sees the other's store, so either the producer sees the queue was empty and
// wakes the writer, or the writer sees the message and does not sleep.
func (q *OutQueue) push(m Msg, quiet bool) bool {
	if q.conflate {
		if q.closed.Load() {
			q.full.Store(true)
			return false
		}
		return q.pushConflate(m, quiet)
	}
	if !q.admit() {
		return false
	}
	if q.log != nil {
		q.pushRef(q.log.Append(m))
	} else {
		q.put(m)
	}
	q.publish(quiet)
	return true
}

// FlagHWMIn makes the queue keep its at-the-HWM flag in f instead of its own: memory its
// producer reads anyway (a publisher's Pipe, next to Mark). Call it before use.
func (q *OutQueue) FlagHWMIn(f *atomic.Bool) { q.atHWM = f }

// admit reports whether a push may go in: the queue is open and below its HWM.
func (q *OutQueue) admit() bool {
	if q.atHWM.Load() {
		return false
	}
	if q.closed.Load() {
		q.full.Store(true)
		return false
	}
	return q.hwm <= 0 || q.np-q.seen < q.hwm || q.room(true)
}

// publish makes the message just put visible to the consumer and, unless quiet, wakes the
// writer if the queue was empty.
func (q *OutQueue) publish(quiet bool) {
	q.pushed.Store(q.np)
	if !quiet && q.taken.Load() == q.np-1 {
		Signal(q.wake)
	}
}

// room reports whether the queue holds fewer than hwm messages, reading what the writer took.
// When it does not, it flags the refusal (full, and atHWM with setHWM) with the consumers shut
// out, so a drain either comes before and its progress is seen here, or comes after and sees
// the flags: onSpace fires once after every refusal. Only a queue that looks full pays this.
func (q *OutQueue) room(setHWM bool) bool {
	q.seen = q.taken.Load()
	if q.np-q.seen < q.hwm {
		return true
	}
	q.cmu.Lock()
	defer q.cmu.Unlock()
	q.seen = q.taken.Load()
	if q.np-q.seen < q.hwm {
		return true
	}
	q.full.Store(true)
	if setHWM {
		q.atHWM.Store(true)
	}
	return false
}

// pushConflate replaces the message the writer has not taken, or queues m when there is none,
// with the consumer shut out: CONFLATE's queue is at most one message long, so the lock costs
// nothing in contention worth saving.
func (q *OutQueue) pushConflate(m Msg, quiet bool) bool {
	q.cmu.Lock()
	if q.rc < q.np {
		q.tail.slots[q.tpos-1] = m
		q.cmu.Unlock()
		return true
	}
	q.put(m)
	q.pushed.Store(q.np)
	wasEmpty := len(q.front) == 0
	q.cmu.Unlock()
	if wasEmpty && !quiet {
		Signal(q.wake)
	}
	return true
}

// WakeWriter wakes the writer to look at the queue.
func (q *OutQueue) WakeWriter() { Signal(q.wake) }

// PushFront queues m ahead of everything else, ignoring the HWM: for protocol messages such as
// PROBE_ROUTER's, which must be the first thing a new peer sees. A producer: call it with the
// producers' lock held.
func (q *OutQueue) PushFront(m Msg) {
	q.cmu.Lock()
	q.front = append(q.front, m)
	q.taken.Store(q.rc - int64(len(q.front)))
	q.seen = q.taken.Load()
	q.cmu.Unlock()
	Signal(q.wake)
}

// Drain appends queued messages to dst, in order, until they come to budget bytes (one message
// at least), and reports whether more remain. What it leaves stays queued and counts against
// the high-water mark until the writer takes it to write it: a writer stalled on a slow peer
// then holds one budget beyond the HWM, as libzmq's encoder holds one batch, not a second
// queue's worth.
//
// The messages of a queue holding runs of a log (SetLog) may have their lists in the log's
// storage (Log.Own): they stay as drained until the queue's next Drain, which lets go of the
// log chunks the one before went through. Its consumer (a connection's writer, under its lock)
// reads a batch before it drains the next.
func (q *OutQueue) Drain(dst []Msg, budget int) ([]Msg, bool) {
	q.cmu.Lock()
	if len(q.held) > 0 {
		for _, c := range q.held {
			c.release()
		}
		clear(q.held)
		q.held = q.held[:0]
	}
	had := len(dst)
	size := 0
	// Room for what this drain takes, at once: a batch growing by doubling copies its list at
	// every step, and a hundred connections' first bursts paid for that.
	if n := min(len(q.front)+int(q.pushed.Load()-q.rc), budget/9+1); cap(dst)-len(dst) < n {
		dst = slices.Grow(dst, n)
	}
	for len(q.front) > 0 && (size == 0 || size < budget) {
		m := q.front[len(q.front)-1]
		q.front[len(q.front)-1] = nil
		q.front = q.front[:len(q.front)-1]
		dst = append(dst, m)
		size += encodedSize(m)
	}
	if avail := q.pushed.Load(); q.log != nil {
		for runs := q.runs.Load(); q.rc < avail && (size == 0 || size < budget); {
			m := q.takeRef(runs)
			dst = append(dst, m)
			size += encodedSize(m)
		}
	} else {
		for q.rc < avail && (size == 0 || size < budget) {
			m := q.take()
			dst = append(dst, m)
			size += encodedSize(m)
		}
	}
	if len(dst) > had {
		q.taken.Store(q.rc - int64(len(q.front)))
		if q.atHWM.Load() {
			q.atHWM.Store(false)
		}
	}
	// Read after taken is published: see push.
	more := len(q.front) > 0 || q.rc < q.pushed.Load()
	full := q.full.Load() && q.full.Swap(false)
	q.cmu.Unlock()
	if full && q.onSpace != nil {
		q.onSpace()
	}
	return dst, more
}

// DrainAll appends every queued message to dst and empties the queue.
func (q *OutQueue) DrainAll(dst []Msg) []Msg {
	dst, _ = q.Drain(dst, math.MaxInt)
	return dst
}

// encodedSize is about what m takes on the wire: its bytes and a long frame header per frame.
func encodedSize(m Msg) int {
	n := 0
	for _, f := range m {
		n += len(f) + 9
	}
	return n
}

// SetConflate makes the queue keep only the newest message not yet taken by the writer
// (CONFLATE on the sending side): pushes never fail for lack of room. Call it before use.
func (q *OutQueue) SetConflate() { q.conflate = true }

// Len reports the number of queued messages.
func (q *OutQueue) Len() int {
	t := q.taken.Load() // first: pushed only grows, so it is never behind this
	return int(q.pushed.Load() - t)
}

// Wake is signalled when a message is queued into an empty queue.
func (q *OutQueue) Wake() <-chan struct{} { return q.wake }

// Close makes further pushes fail and discards what is queued. A producer: call it with the
// producers' lock held, so no push straddles it.
func (q *OutQueue) Close() {
	q.closed.Store(true)
	q.cmu.Lock()
	clear(q.front)
	q.front = nil
	for avail, runs := q.pushed.Load(), q.runs.Load(); q.rc < avail; {
		if q.log != nil {
			q.takeRef(runs)
		} else {
			q.take()
		}
	}
	// The chunks the last drain went through, and the current run's, may hold the lists of the
	// batch a writer is reading: they are dropped, not given back, and the collector has them
	// once that batch is done.
	q.cur, q.lc = run{}, nil
	clear(q.held)
	q.held = nil
	q.taken.Store(q.rc)
	q.cmu.Unlock()
}
