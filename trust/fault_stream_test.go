package trust_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A fault scenario's receiver takes what comes over connections that break: it checks each
// message with the shared codec (codec_test.go) and tallies, per stream, what arrived, so that a
// scenario can state what its family may lose, repeat or reorder.

// seqState is what a receiver got of one stream.
type seqState struct {
	next    int64 // one past the highest sequence number accepted
	got     int   // messages accepted
	dups    int   // messages accepted before: retries, where the test allows them
	gaps    int   // runs of sequence numbers missing between the lowest and the highest
	missing int64 // how many are missing in all
	// runs is the fewest increasing runs the arrival order splits into: 1 is in order. ZeroMQ
	// orders messages per connection; a receiver may still read what a lost connection held
	// (in its queue or its kernel buffer) after the first messages of the one replacing it, so
	// runs may reach the number of connections, and no more.
	runs int
}

func (st seqState) String() string {
	return fmt.Sprintf("%d received, %d gaps (%d missing), %d runs, %d repeated", st.got, st.gaps, st.missing, st.runs, st.dups)
}

// stream is a tally's record of one stream, in memory that grows with its gaps and runs, not
// with its length, so that a soak can keep it for hours.
type stream struct {
	have []span // the sequence numbers accepted, as sorted, disjoint, non-adjacent spans
	// tails are the last numbers of the increasing runs the arrival order has been split into,
	// ascending: each number extends the run whose last is the highest below it, or starts one
	// (patience sorting, which finds the fewest).
	tails []int64
	got   int
	next  int64
	dups  int
}

// span is the sequence numbers [lo, hi).
type span struct{ lo, hi int64 }

// has reports whether seq was accepted.
func (st *stream) has(seq int64) bool {
	i := sort.Search(len(st.have), func(i int) bool { return st.have[i].hi > seq })
	return i < len(st.have) && st.have[i].lo <= seq
}

// add records seq, not accepted before.
func (st *stream) add(seq int64) {
	i := sort.Search(len(st.have), func(i int) bool { return st.have[i].hi >= seq })
	switch {
	case i < len(st.have) && st.have[i].hi == seq: // extends span i
		st.have[i].hi++
		if i+1 < len(st.have) && st.have[i+1].lo == seq+1 {
			st.have[i].hi = st.have[i+1].hi
			st.have = slices.Delete(st.have, i+1, i+2)
		}
	case i < len(st.have) && st.have[i].lo == seq+1: // starts span i one earlier
		st.have[i].lo--
	default:
		st.have = slices.Insert(st.have, i, span{seq, seq + 1})
	}
	j := sort.Search(len(st.tails), func(j int) bool { return st.tails[j] >= seq }) - 1
	if j >= 0 {
		st.tails[j] = seq
	} else {
		st.tails = slices.Insert(st.tails, 0, seq)
	}
	st.got++
	st.next = max(st.next, seq+1)
}

var errDuplicate = errors.New("duplicated")

// tally checks and counts what one receiver gets, per stream.
type tally struct {
	c       codec
	repeats bool // a message received again is a retry, not an error (REQ/REP)
	// onBad, when set, takes the messages that fail the check instead of failing the test:
	// where the test expects some (corruption NULL cannot detect).
	onBad func(err error)

	mu      sync.Mutex
	streams map[int]*stream
	changed chan struct{} // closed and replaced on each message
}

func newTally(c codec) *tally {
	return &tally{c: c, streams: map[int]*stream{}, changed: make(chan struct{})}
}

// see checks m and counts it; the error says what is wrong with it: altered (errBadMessage), or
// duplicated where retries are not expected (errDuplicate).
func (ta *tally) see(m [][]byte) error {
	h, err := ta.c.check(m)
	if err != nil {
		return err
	}
	id, seq := h.stream, h.seq
	ta.mu.Lock()
	defer ta.mu.Unlock()
	st := ta.streams[id]
	if st == nil {
		st = &stream{}
		ta.streams[id] = st
	}
	if st.has(seq) {
		if !ta.repeats {
			return fmt.Errorf("stream %d: seq %d again: %w", id, seq, errDuplicate)
		}
		st.dups++
		return nil
	}
	st.add(seq)
	close(ta.changed)
	ta.changed = make(chan struct{})
	return nil
}

// spans returns the sequence numbers of stream accepted so far.
func (ta *tally) spans(id int) []span {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if st := ta.streams[id]; st != nil {
		return slices.Clone(st.have)
	}
	return nil
}

// has reports whether stream's message seq was accepted.
func (ta *tally) has(id int, seq int64) bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.streams[id] != nil && ta.streams[id].has(seq)
}

func (ta *tally) state(id int) seqState {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	st := ta.streams[id]
	if st == nil {
		return seqState{}
	}
	out := seqState{next: st.next, got: st.got, dups: st.dups, runs: len(st.tails)}
	for i := 1; i < len(st.have); i++ {
		out.gaps++
		out.missing += st.have[i].lo - st.have[i-1].hi
	}
	return out
}

// await waits until ok holds for stream's record (nil before its first message) or d has
// passed, and reports which.
func (ta *tally) await(id int, ok func(st *stream) bool, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		ta.mu.Lock()
		done, changed := ok(ta.streams[id]), ta.changed
		ta.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

// waitGot waits until stream has n messages accepted, failing the test after d.
func (ta *tally) waitGot(t testing.TB, id int, n int, d time.Duration) {
	t.Helper()
	if !ta.await(id, func(st *stream) bool { return st != nil && st.got >= n }, d) {
		t.Fatalf("stream %d: %d messages after %v, want %d", id, ta.state(id).got, d, n)
	}
}

// waitHas waits until stream's message seq has been accepted, failing the test after d.
func (ta *tally) waitHas(t testing.TB, id int, seq int64, d time.Duration) {
	t.Helper()
	if !ta.await(id, func(st *stream) bool { return st != nil && st.has(seq) }, d) {
		t.Fatalf("stream %d: seq %d not received after %v", id, seq, d)
	}
}

// next waits until stream has advanced past seq or d has passed; a sender that must not
// outrun its receiver by more than a window paces itself on it.
func (ta *tally) next(stream int, seq int64, d time.Duration) {
	ta.mu.Lock()
	st, changed := ta.streams[stream], ta.changed
	past := st != nil && st.next > seq
	ta.mu.Unlock()
	if past {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-changed:
	case <-t.C:
	}
}

// receive runs a receive loop on s until ctx ends, handing each message to the tally; a
// message the tally refuses fails the test, unless the tally takes bad ones (onBad).
func receive(t testing.TB, g *group, s *zmq.Socket, ta *tally) {
	g.run(func(ctx context.Context) {
		for {
			m, err := s.Recv(ctx)
			if err != nil {
				if ctx.Err() == nil && !errors.Is(err, zmq.ErrClosed) {
					t.Errorf("%v Recv: %v", s.Type(), err)
				}
				return
			}
			if err := ta.see(m.Frames); err != nil {
				if ta.onBad != nil {
					ta.onBad(err)
				} else {
					t.Errorf("%v received a bad message: %v", s.Type(), err)
				}
			}
		}
	})
}

// sendStream sends stream's messages on s, seq 0, 1, 2..., until ctx ends. pace, when set, is
// called before each send.
func sendStream(g *group, s *zmq.Socket, c codec, stream int, pace func(seq int64)) {
	g.run(func(ctx context.Context) {
		for seq := int64(0); ctx.Err() == nil; seq++ {
			if pace != nil {
				pace(seq)
			}
			if err := s.Send(ctx, zmq.NewMsg(c.msg(stream, seq)...)); err != nil {
				return
			}
		}
	})
}
