package trust_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// shape describes a stream's messages: a header frame (stream, sequence number, frame count),
// then 1 to frames frames of 0 to size bytes. Sizes and bytes all follow from the stream and
// the sequence number, so a receiver checks every byte of what it gets without being told
// what was sent: a truncated, merged, altered or stale message cannot pass.
type shape struct{ frames, size int }

const headerLen = 1 + 8 + 1

func (sh shape) rng(stream byte, seq uint64) (*rand.ChaCha8, *rand.Rand) {
	var seed [32]byte
	seed[0] = stream
	binary.LittleEndian.PutUint64(seed[1:], seq)
	c := rand.NewChaCha8(seed)
	return c, rand.New(c)
}

func (sh shape) msg(stream byte, seq uint64) [][]byte {
	c, r := sh.rng(stream, seq)
	n := 1 + r.IntN(sh.frames)
	m := make([][]byte, n+1)
	m[0] = make([]byte, headerLen)
	m[0][0] = stream
	binary.BigEndian.PutUint64(m[0][1:], seq)
	m[0][9] = byte(n)
	for i := 1; i <= n; i++ {
		m[i] = make([]byte, r.IntN(sh.size+1))
		c.Read(m[i])
	}
	return m
}

// check says which message m claims to be, and whether it is that message byte for byte.
func (sh shape) check(m [][]byte) (stream byte, seq uint64, err error) {
	if len(m) == 0 || len(m[0]) != headerLen {
		return 0, 0, fmt.Errorf("no header frame in a %d-frame message", len(m))
	}
	stream, seq = m[0][0], binary.BigEndian.Uint64(m[0][1:])
	want := sh.msg(stream, seq)
	if len(m) != len(want) {
		return stream, seq, fmt.Errorf("stream %d seq %d: %d frames, want %d", stream, seq, len(m), len(want))
	}
	for i := range m {
		if !bytes.Equal(m[i], want[i]) {
			return stream, seq, fmt.Errorf("stream %d seq %d: frame %d (%d bytes) differs from what was sent (%d bytes)",
				stream, seq, i, len(m[i]), len(want[i]))
		}
	}
	return stream, seq, nil
}

// seqState is what a receiver got of one stream.
type seqState struct {
	next    uint64 // one past the highest sequence number accepted
	got     int    // messages accepted
	dups    int    // messages accepted before: retries, where the test allows them
	gaps    int    // runs of sequence numbers missing between the lowest and the highest
	missing uint64 // how many are missing in all
	// runs is the fewest increasing runs the arrival order splits into: 1 is in order. ZeroMQ
	// orders messages per connection; a receiver may still read what a lost connection held
	// (in its queue or its kernel buffer) after the first messages of the one replacing it, so
	// runs may reach the number of connections, and no more.
	runs int
}

func (st seqState) String() string {
	return fmt.Sprintf("%d received, %d gaps (%d missing), %d runs, %d repeated", st.got, st.gaps, st.missing, st.runs, st.dups)
}

// stream is a tally's record of one stream.
type stream struct {
	order []uint64 // sequence numbers in arrival order
	seen  map[uint64]bool
	next  uint64
	dups  int
}

// tally checks and counts what one receiver gets, per stream.
type tally struct {
	sh      shape
	repeats bool // a message received again is a retry, not an error (REQ/REP)
	// onBad, when set, takes the messages that fail the check instead of failing the test:
	// where the test expects some (corruption NULL cannot detect).
	onBad func(err error)

	mu      sync.Mutex
	streams map[byte]*stream
	changed chan struct{} // closed and replaced on each message
}

func newTally(sh shape) *tally {
	return &tally{sh: sh, streams: map[byte]*stream{}, changed: make(chan struct{})}
}

// see checks m and counts it; the error says what is wrong with it: altered, or duplicated
// where retries are not expected.
func (ta *tally) see(m [][]byte) error {
	id, seq, err := ta.sh.check(m)
	if err != nil {
		return err
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	st := ta.streams[id]
	if st == nil {
		st = &stream{seen: map[uint64]bool{}}
		ta.streams[id] = st
	}
	if st.seen[seq] {
		if !ta.repeats {
			return fmt.Errorf("stream %d: seq %d again: duplicated", id, seq)
		}
		st.dups++
		return nil
	}
	st.seen[seq] = true
	st.order = append(st.order, seq)
	st.next = max(st.next, seq+1)
	close(ta.changed)
	ta.changed = make(chan struct{})
	return nil
}

// has reports whether stream's message seq was accepted.
func (ta *tally) has(id byte, seq uint64) bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.streams[id] != nil && ta.streams[id].seen[seq]
}

func (ta *tally) state(id byte) seqState {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	st := ta.streams[id]
	if st == nil {
		return seqState{}
	}
	out := seqState{next: st.next, got: len(st.order), dups: st.dups}
	// The fewest increasing runs: each number extends the run whose last is the highest below
	// it, or starts one (patience sorting).
	var tails []uint64
	for _, x := range st.order {
		i := sort.Search(len(tails), func(i int) bool { return tails[i] >= x }) - 1
		if i >= 0 {
			tails[i] = x
		} else {
			tails = append([]uint64{x}, tails...)
		}
	}
	out.runs = len(tails)
	sorted := slices.Sorted(maps.Keys(st.seen))
	for i := 1; i < len(sorted); i++ {
		if d := sorted[i] - sorted[i-1]; d > 1 {
			out.gaps++
			out.missing += d - 1
		}
	}
	return out
}

// waitGot waits until stream has n messages accepted, failing the test after d.
func (ta *tally) waitGot(t testing.TB, stream byte, n int, d time.Duration) {
	t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		ta.mu.Lock()
		got, changed := 0, ta.changed
		if st := ta.streams[stream]; st != nil {
			got = len(st.order)
		}
		ta.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("stream %d: %d messages after %v, want %d", stream, got, d, n)
		}
	}
}

// next waits until stream has advanced past seq or d has passed; a sender that must not
// outrun its receiver by more than a window paces itself on it.
func (ta *tally) next(stream byte, seq uint64, d time.Duration) {
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
func sendStream(g *group, s *zmq.Socket, sh shape, stream byte, pace func(seq uint64)) {
	g.run(func(ctx context.Context) {
		for seq := uint64(0); ctx.Err() == nil; seq++ {
			if pace != nil {
				pace(seq)
			}
			if err := s.Send(ctx, zmq.NewMsg(sh.msg(stream, seq)...)); err != nil {
				return
			}
		}
	})
}
