package trust_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	zmq "github.com/purezmq/zmq"
)

// flow is one stream, one direction of traffic between two sides, with the flow control that
// keeps the checker from deadlocking itself: a sender keeps at most window messages (and
// winBytes bytes) unreceived, no more than the HWMs hold, so its Send never blocks for long; a
// receiver calls Recv only when a message is on its way, so Recv never waits for nothing. Both
// look at the counters the other side publishes, never at the clock.
type flow struct {
	s        *session
	id       int
	from, to *side
	total    int
	lossy    bool
	window   int
	winBytes int64
	probes   int32       // PROBE_ROUTER messages from's socket sends to's (a ROUTER)
	linked   atomic.Bool // from has connected or bound: its probe is on the way

	// The sender's.
	next     int64            // seq of the next data message
	cum      []int64          // cum[i]: bytes of data messages before seq i
	notes    map[int64]string // how each data message was sent, for reports
	finGot   int64            // got when the last fin went out
	finSends int
	size     int   // bytes of data message sizeSeq-1: a cache, as shapes cost a little
	sizeSeq  int64 // 0: size holds nothing yet

	// Published by the sender.
	sent    atomic.Int64 // data messages whose Send returned
	finSent atomic.Bool

	// Published by the receiver.
	ack        atomic.Int64 // the seq after the last data message received
	got        atomic.Int64 // messages of any kind received
	recvd      atomic.Int64 // data messages received
	probesSeen atomic.Int32
	finSeen    atomic.Bool
	lost       atomic.Int64 // lossy: seqs skipped
	synced     chan struct{}
	syncOnce   sync.Once
}

func newFlow(s *session, id int, from, to *side, total int) *flow {
	st := &flow{s: s, id: id, from: from, to: to, total: total, lossy: s.p.lossy, cum: []int64{0}, notes: map[int64]string{}}
	st.winBytes = s.cfg.winBytes
	st.window = min(s.cfg.sndhwm[from.idx], s.cfg.rcvhwm[to.idx], 32)
	st.window = 1 + from.rng.IntN(st.window)
	if s.p.reqrep {
		st.window = 1
	}
	if st.lossy && s.cfg.blast {
		st.window, st.winBytes = total, 1<<62
	}
	if to.typ == zmq.ROUTER && from.probe {
		st.probes = 1
	}
	st.synced = make(chan struct{})
	if !st.lossy {
		close(st.synced)
	}
	return st
}

// shape is data message seq's shape.
func (st *flow) shape(seq int64) (shapeKind, []int) {
	return shapeOf(st.s.cfg.profile, st.s.key, st.id, seq)
}

// nextSize is the data bytes of the next message to send.
func (st *flow) nextSize() int {
	if st.sizeSeq != st.next+1 {
		_, sizes := st.shape(st.next)
		st.size, st.sizeSeq = 0, st.next+1
		for _, n := range sizes {
			st.size += n
		}
	}
	return st.size
}

// handover reports whether the next two data messages cross the line between a sender's two
// ways of writing: the first copied whole into the write buffer (every frame under 8 KiB) and
// too big for a small socket buffer, so a direct write of it stops part way; the second with a
// frame of 8 KiB or more, which the writer goroutine sends in place by writev (DESIGN.md §2,
// internal/engine/writer.go). The sides favour answering a Recv with such a pair, pipelined.
func (st *flow) handover() bool {
	if st.next+1 >= int64(st.total) {
		return false
	}
	_, first := st.shape(st.next)
	_, second := st.shape(st.next + 1)
	total := 0
	for _, n := range first {
		if n >= 8192 {
			return false
		}
		total += n
	}
	return total >= 16<<10 && slices.Max(second) >= 8192
}

// room is how many more data messages the sender may send now, given that the next one has
// size bytes.
func (st *flow) room(size int) int {
	if st.next >= int64(st.total) {
		return 0
	}
	// A lossy receiver's ack skips what was dropped; inside the window nothing is (the window is
	// below the HWMs), so this is the same flow control.
	ack := st.ack.Load()
	inflight := st.next - ack
	if inflight >= int64(st.window) {
		return 0
	}
	if inflight > 0 && st.cum[st.next]-st.cum[ack]+int64(size) > st.winBytes {
		return 0
	}
	return int(min(int64(st.window)-inflight, int64(st.total)-st.next))
}

// coming is how many messages to's Recv may count on: data sent and not yet received, probes
// on their way, and a fin the sender has sent.
func (st *flow) coming() int64 {
	n := st.sent.Load() - st.ack.Load()
	if st.lossy && n < 0 {
		n = 0
	}
	if st.linked.Load() {
		n += int64(st.probes - st.probesSeen.Load())
	}
	if st.lossy && st.finSent.Load() && !st.finSeen.Load() {
		n++
	}
	return max(n, 0)
}

// complete reports whether the stream has carried everything it will.
func (st *flow) complete() bool {
	if st.probesSeen.Load() < st.probes {
		return false
	}
	if st.lossy {
		return st.finSeen.Load()
	}
	return st.ack.Load() >= int64(st.total)
}

func (st *flow) name() string {
	return fmt.Sprintf("stream %d (%s %v → %s %v)", st.id, st.from.name, st.from.typ, st.to.name, st.to.typ)
}

// lastSent says how the first data messages the receiver has not got were sent, for the report
// of a failed session (read once the sides have stopped).
func (st *flow) lastSent() string {
	var b strings.Builder
	for seq := st.ack.Load(); seq < st.next && seq < st.ack.Load()+3; seq++ {
		kind, sizes := st.shape(seq)
		fmt.Fprintf(&b, "\n      not received: #%d (%s), %s", seq, describe(kind, sizes), st.notes[seq])
	}
	return b.String()
}

func (st *flow) state() string {
	return fmt.Sprintf("%s: %d messages, window %d / %s; sent %d, received up to seq %d (%d messages in all), "+
		"probes %d/%d, lost %d, fin sent %v seen %v",
		st.name(), st.total, st.window, kib(int(min(st.winBytes, 1<<40))), st.sent.Load(), st.ack.Load()-1,
		st.got.Load(), st.probesSeen.Load(), st.probes, st.lost.Load(), st.finSent.Load(), st.finSeen.Load())
}
