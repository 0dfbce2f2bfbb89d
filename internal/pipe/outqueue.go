package pipe

import (
	"math"
	"sync"
	"sync/atomic"
)

// OutQueue is a bounded queue of outbound messages drained by its connection's writer
// goroutine, or by a sender writing the connection itself (engine.Conn.WriteNow, after
// TryPushQuiet); the connection's write lock decides which. Senders never wait on it: TryPush
// fails at the high-water mark and the socket decides to block or drop. It never changes a
// message it holds (CONFLATE and Close only let go of them).
type OutQueue struct {
	mu     sync.Mutex
	q      ring[Msg]
	hwm    int
	full   bool // a push failed since the last drain
	closed bool
	// CONFLATE: a push replaces the queued message not yet taken by the writer; pinned
	// counts the protocol messages at the head (PushFront) that it must not replace.
	conflate bool
	pinned   int
	wake     chan struct{}
	onSpace  func()

	// atHWM is set with full when a push fails at the HWM and cleared by the drain that makes
	// room: the queue can only be fuller until then, so later pushes fail without the lock, and
	// a publisher drops for a subscriber at its HWM at the cost of one load.
	atHWM atomic.Bool
}

// NewOutQueue returns a queue holding at most hwm messages (0 = unlimited). onSpace is called
// when the writer frees room after a push failed.
func NewOutQueue(hwm int, onSpace func()) *OutQueue {
	return &OutQueue{hwm: hwm, wake: NewWake(), onSpace: onSpace}
}

// TryPush queues m and wakes the writer if it may be idle.
func (q *OutQueue) TryPush(m Msg) bool {
	wasEmpty, ok := q.push(m)
	if wasEmpty {
		Signal(q.wake)
	}
	return ok
}

// TryPushQuiet queues m as TryPush does but leaves the writer asleep: the sender will write
// the queue itself, or call WakeWriter if it cannot.
func (q *OutQueue) TryPushQuiet(m Msg) bool {
	_, ok := q.push(m)
	return ok
}

// push queues m unless the queue is full or closed; wasEmpty reports a push into an empty
// queue, whose writer may be idle.
func (q *OutQueue) push(m Msg) (wasEmpty, ok bool) {
	if q.atHWM.Load() {
		return false, false
	}
	q.mu.Lock()
	if q.conflate && !q.closed && q.q.len() > q.pinned {
		q.q.dropBack()
	}
	if q.closed || (!q.conflate && q.hwm > 0 && q.q.len() >= q.hwm) {
		q.full = true
		if !q.closed {
			q.atHWM.Store(true)
		}
		q.mu.Unlock()
		return false, false
	}
	wasEmpty = q.q.len() == 0
	q.q.push(m)
	q.mu.Unlock()
	return wasEmpty, true
}

// WakeWriter wakes the writer to look at the queue.
func (q *OutQueue) WakeWriter() { Signal(q.wake) }

// PushFront queues m ahead of everything else, ignoring the HWM: for protocol messages such as
// PROBE_ROUTER's, which must be the first thing a new peer sees.
func (q *OutQueue) PushFront(m Msg) {
	q.mu.Lock()
	q.q.pushFront(m)
	q.pinned++
	q.mu.Unlock()
	Signal(q.wake)
}

// Drain appends queued messages to dst, in order, until they come to budget bytes (one message
// at least), and reports whether more remain. What it leaves stays queued and counts against
// the high-water mark until the writer takes it to write it: a writer stalled on a slow peer
// then holds one budget beyond the HWM, as libzmq's encoder holds one batch, not a second
// queue's worth.
func (q *OutQueue) Drain(dst []Msg, budget int) ([]Msg, bool) {
	q.mu.Lock()
	had := len(dst)
	for size := 0; q.q.len() > 0 && (size == 0 || size < budget); {
		m := q.q.pop()
		q.pinned = max(q.pinned-1, 0)
		dst = append(dst, m)
		size += encodedSize(m)
	}
	more := q.q.len() > 0
	full := q.full
	q.full = false
	if len(dst) > had && q.atHWM.Load() {
		q.atHWM.Store(false)
	}
	q.mu.Unlock()
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
func (q *OutQueue) SetConflate() {
	q.mu.Lock()
	q.conflate = true
	q.mu.Unlock()
}

// Len reports the number of queued messages.
func (q *OutQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.q.len()
}

// Wake is signalled when a message is queued into an empty queue.
func (q *OutQueue) Wake() <-chan struct{} { return q.wake }

// Close makes further pushes fail and discards what is queued.
func (q *OutQueue) Close() {
	q.mu.Lock()
	q.closed = true
	q.q = ring[Msg]{}
	q.pinned = 0
	q.mu.Unlock()
}
