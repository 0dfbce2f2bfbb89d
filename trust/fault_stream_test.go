package trust_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
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

// seqState is what a receiver saw of one stream.
type seqState struct {
	seen    bool
	next    uint64 // the sequence number expected next
	got     int    // messages accepted
	gaps    int    // runs of missing messages
	missing uint64 // messages missing in all
	repeats int    // messages equal to the one before (a retry, where the test allows it)
}

// tally checks and counts what one receiver gets, per stream.
type tally struct {
	sh      shape
	repeats bool // a repeat of the last message is a retry, not an error (REQ/REP)
	// onBad, when set, takes the messages that fail the check instead of failing the test:
	// where the test expects some (corruption NULL cannot detect).
	onBad func(err error)
	// seen, when set, records every sequence number accepted, per stream.
	seen map[byte]map[uint64]bool

	mu      sync.Mutex
	streams map[byte]*seqState
	changed chan struct{} // closed and replaced on each message
}

func newTally(sh shape) *tally {
	return &tally{sh: sh, streams: map[byte]*seqState{}, changed: make(chan struct{})}
}

// see checks m and counts it; the error says what is wrong with it (altered, duplicated,
// reordered). The first message of a stream starts it: what a subscriber missed before its
// subscription arrived is no gap.
func (ta *tally) see(m [][]byte) error {
	stream, seq, err := ta.sh.check(m)
	if err != nil {
		return err
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	st := ta.streams[stream]
	if st == nil {
		st = &seqState{}
		ta.streams[stream] = st
	}
	switch {
	case !st.seen:
		st.seen = true
	case seq+1 == st.next && ta.repeats:
		st.repeats++
		return nil
	case seq < st.next:
		return fmt.Errorf("stream %d: seq %d after %d: duplicated or reordered", stream, seq, st.next-1)
	case seq > st.next:
		st.gaps++
		st.missing += seq - st.next
	}
	if ta.seen != nil {
		if ta.seen[stream] == nil {
			ta.seen[stream] = map[uint64]bool{}
		}
		ta.seen[stream][seq] = true
	}
	st.next = seq + 1
	st.got++
	close(ta.changed)
	ta.changed = make(chan struct{})
	return nil
}

// has reports whether stream's message seq was accepted; the tally must record (seen).
func (ta *tally) has(stream byte, seq uint64) bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.seen[stream][seq]
}

func (ta *tally) state(stream byte) seqState {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if st := ta.streams[stream]; st != nil {
		return *st
	}
	return seqState{}
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
			got = st.got
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

// receive runs a receive loop on s until ctx ends, handing each message (after strip, which
// may take off an envelope) to the tally; a message the tally refuses fails the test.
func receive(t testing.TB, g *group, s *zmq.Socket, ta *tally, strip func([][]byte) [][]byte) {
	g.run(func(ctx context.Context) {
		for {
			m, err := s.Recv(ctx)
			if err != nil {
				if ctx.Err() == nil && !errors.Is(err, zmq.ErrClosed) {
					t.Errorf("%v Recv: %v", s.Type(), err)
				}
				return
			}
			f := m.Frames
			if strip != nil {
				f = strip(f)
			}
			if err := ta.see(f); err != nil {
				if ta.onBad != nil {
					ta.onBad(err)
				} else {
					t.Errorf("%v received a bad message: %v", s.Type(), err)
				}
			}
		}
	})
}

// sendStream sends stream's messages on s, seq 0, 1, 2..., until ctx ends, each after wrap
// (which may add an envelope). pace, when set, is called before each send.
func sendStream(g *group, s *zmq.Socket, sh shape, stream byte, wrap func([][]byte) [][]byte, pace func(seq uint64)) {
	g.run(func(ctx context.Context) {
		for seq := uint64(0); ctx.Err() == nil; {
			if pace != nil {
				pace(seq)
			}
			m := sh.msg(stream, seq)
			if wrap != nil {
				m = wrap(m)
			}
			if err := s.Send(ctx, zmq.NewMsg(m...)); err != nil {
				return
			}
			seq++
		}
	})
}
