package pipe

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/allocs"
)

func seqMsg(i int) Msg { return Msg{binary.BigEndian.AppendUint64(nil, uint64(i))} }

func seqOf(m Msg) int { return int(binary.BigEndian.Uint64(m[0])) }

// eachQueueKind runs f as subtest name for a queue of slots and for one holding runs of a Log.
func eachQueueKind(t *testing.T, name string, f func(t *testing.T, logged bool)) {
	for _, logged := range []bool{false, true} {
		kind := "/slots"
		if logged {
			kind = "/log"
		}
		t.Run(name+kind, func(t *testing.T) { f(t, logged) })
	}
}

// newTestQueue is NewOutQueue, holding runs of a log of its own when logged.
func newTestQueue(hwm int, onSpace func(), logged bool) *OutQueue {
	q := NewOutQueue(hwm, onSpace)
	if logged {
		q.SetLog(NewLog())
	}
	return q
}

// TestOutQueueSemantics pins what the lock-free queue must keep of the locked one, step by
// step: each step's pushes, and then a drain's outcome.
func TestOutQueueSemantics(t *testing.T) {
	type step struct {
		front   int  // PushFront this many first
		push    int  // then TryPush this many
		quiet   bool // with TryPushQuiet
		took    int  // pushes that must succeed
		woken   bool // the writer must have been woken (by the last push or PushFront)
		drain   int  // then drain this many bytes' worth (0: no drain, -1: everything)
		drained int  // messages the drain must return
		spaced  int  // onSpace calls in all after the step
		closeQ  bool // Close after the step
		length  int  // Len after the step
	}
	tests := []struct {
		name  string
		hwm   int
		steps []step
	}{
		{"refuse at hwm, onSpace once", 3, []step{
			{push: 5, took: 3, woken: true, drain: -1, drained: 3, spaced: 1},
			{push: 4, took: 3, woken: true, drain: 1, drained: 1, spaced: 2, length: 2},
			{push: 1, took: 1, woken: false, drain: -1, drained: 3, spaced: 2},
		}},
		{"no refusal, no onSpace", 3, []step{
			{push: 2, took: 2, woken: true, drain: -1, drained: 2},
			{push: 3, took: 3, woken: true, length: 3},
		}},
		{"wake only on empty", 0, []step{
			{push: 1, took: 1, woken: true, length: 1},
			{push: 1, took: 1, woken: false, drain: 1, drained: 1, length: 1},
			{push: 1, took: 1, woken: false, drain: -1, drained: 2},
			{push: 1, took: 1, woken: true, length: 1},
		}},
		{"quiet leaves the writer asleep", 2, []step{
			{push: 1, quiet: true, took: 1, woken: false, drain: -1, drained: 1},
			{push: 3, quiet: true, took: 2, woken: false, drain: -1, drained: 2, spaced: 1},
		}},
		{"front counts against hwm", 2, []step{
			{front: 1, push: 2, took: 1, woken: true, drain: -1, drained: 2, spaced: 1},
			{front: 2, push: 1, took: 0, woken: true, spaced: 1, length: 2},
			{push: 1, took: 0, drain: 1, drained: 1, spaced: 2, length: 1},
			{push: 1, took: 1, spaced: 2, length: 2},
		}},
		{"unlimited across chunks", 0, []step{
			{push: 3000, took: 3000, woken: true, drain: -1, drained: 3000},
			{push: 1000, took: 1000, woken: true, length: 1000},
		}},
		// Chunks of 16 and 32: the writer stops at the end of the second, whose next the
		// pushes that follow must still find leading to the first.
		{"writer parked at a chunk's end", 0, []step{
			{push: 48, took: 48, woken: true, drain: -1, drained: 48},
			{push: 49, took: 49, woken: true, drain: -1, drained: 49},
			{push: 100, took: 100, woken: true, drain: 500, drained: 30, length: 70},
			{push: 100, took: 100, woken: false, drain: -1, drained: 170},
		}},
		{"close discards and refuses", 4, []step{
			{front: 1, push: 2, took: 2, woken: true, closeQ: true},
			{push: 1, took: 0, drain: -1, drained: 0, spaced: 1},
		}},
		{"deep hwm refuses exactly", 1000, []step{
			{push: 1200, took: 1000, woken: true, drain: 1, drained: 1, spaced: 1, length: 999},
			{push: 5, took: 1, drain: -1, drained: 1000, spaced: 2},
		}},
	}
	for _, tc := range tests {
		eachQueueKind(t, tc.name, func(t *testing.T, logged bool) {
			spaced := 0
			q := newTestQueue(tc.hwm, func() { spaced++ }, logged)
			next, want := 0, 0 // the next sequence number to push, and to drain
			var front []int    // front messages not drained, newest last
			for i, s := range tc.steps {
				select { // forget earlier wake-ups
				case <-q.Wake():
				default:
				}
				for range s.front {
					front = append(front, -1-len(front))
					q.PushFront(seqMsg(front[len(front)-1]))
				}
				took := 0
				for range s.push {
					push := q.TryPush
					if s.quiet {
						push = q.TryPushQuiet
					}
					if push(seqMsg(next)) {
						next++
						took++
					}
				}
				woken := false
				select {
				case <-q.Wake():
					woken = true
				default:
				}
				if took != s.took || woken != s.woken {
					t.Fatalf("step %d: %d pushes taken, woken %v; want %d, %v", i, took, woken, s.took, s.woken)
				}
				if s.drain != 0 {
					budget := s.drain
					if budget < 0 {
						budget = math.MaxInt
					}
					got, more := q.Drain(nil, budget)
					if len(got) != s.drained {
						t.Fatalf("step %d: drained %d, want %d", i, len(got), s.drained)
					}
					for _, m := range got {
						if n := len(front); n > 0 {
							if seqOf(m) != front[n-1] {
								t.Fatalf("step %d: drained %d, want front message %d", i, seqOf(m), front[n-1])
							}
							front = front[:n-1]
							continue
						}
						if seqOf(m) != want {
							t.Fatalf("step %d: drained %d, want %d", i, seqOf(m), want)
						}
						want++
					}
					if more != (q.Len() > 0) {
						t.Fatalf("step %d: more %v with %d left", i, more, q.Len())
					}
				}
				if s.closeQ {
					q.Close()
					front = nil
				}
				if spaced != s.spaced || q.Len() != s.length {
					t.Fatalf("step %d: onSpace %d times, Len %d; want %d, %d", i, spaced, q.Len(), s.spaced, s.length)
				}
			}
		})
	}
}

// TestOutQueueSteadyStateAllocs: a queue that fills and empties over and over reuses its
// chunks instead of allocating.
func TestOutQueueSteadyStateAllocs(t *testing.T) {
	q := NewOutQueue(1000, nil)
	m := msg("x")
	batch := make([]Msg, 0, 1000)
	cycle := func() {
		for q.TryPush(m) {
		}
		for q.Len() > 0 {
			batch, _ = q.Drain(batch[:0], 4000)
		}
	}
	for range 5 {
		cycle() // the circle grows to what a full queue, drained, needs
	}
	if n := allocs.Count(50, cycle); n > 10 {
		t.Fatalf("%d allocations in 50 fills and drains, want none of the queue's (at most 10)", n)
	}
}

// TestOutQueueConcurrent runs one producer against a writer goroutine with small and large
// HWMs: every message arrives once and in order, the queue never holds more than the HWM, a
// writer asleep on Wake is always woken for what is queued, and a producer refused for the HWM
// is always told when there is room. Some pushes are quiet and followed by the producer
// draining the queue itself, as a direct write does, so two consumers meet at the queue.
func TestOutQueueConcurrent(t *testing.T) {
	const stuck = 20 * time.Second // only a lost wake-up waits this long
	for _, tc := range []struct {
		name   string
		hwm, n int
		direct bool
	}{
		{"hwm 1", 1, 20000, false},
		{"hwm 3", 3, 50000, false},
		{"hwm 300", 300, 100000, false},
		{"unlimited", 0, 100000, false},
		{"hwm 5 direct", 5, 50000, true},
		{"hwm 300 direct", 300, 100000, true},
	} {
		eachQueueKind(t, tc.name, func(t *testing.T, logged bool) {
			space := NewWake()
			q := newTestQueue(tc.hwm, func() { Signal(space) }, logged)
			var total atomic.Int64 // messages taken by either consumer
			got := make([]int, 0, tc.n)
			runs := make(chan []Msg)
			pushedAll := make(chan struct{}) // with two consumers, the writer may find nothing left
			quit := make(chan struct{})
			done := make(chan struct{})
			defer func() {
				close(quit)
				<-done
			}()
			go func() { // the writer
				defer close(done)
				pushedAll := pushedAll // set to nil below, for this goroutine only
				var batch []Msg
				r := rand.New(rand.NewPCG(1, 2))
				for total.Load() < int64(tc.n) {
					var more bool
					batch, more = q.Drain(batch[:0], 1+r.IntN(200))
					if tc.hwm > 0 && len(batch) > tc.hwm {
						t.Errorf("drained %d messages from a queue of at most %d", len(batch), tc.hwm)
						return
					}
					if len(batch) > 0 {
						total.Add(int64(len(batch)))
						select {
						case runs <- batch:
							batch = <-runs // handed back once checked
						case <-quit:
							return
						}
						if more {
							continue
						}
					}
					// Asleep on "no more", as a raw connection's writer: a push it did not
					// see must wake it.
					select {
					case <-q.Wake():
					case <-quit:
						return
					case <-pushedAll:
						pushedAll = nil
					case <-time.After(stuck):
						t.Errorf("writer asleep with %d queued, %d of %d taken", q.Len(), total.Load(), tc.n)
						return
					}
				}
			}()
			check := func(batch []Msg) {
				for _, m := range batch {
					got = append(got, seqOf(m))
				}
			}
			r := rand.New(rand.NewPCG(3, 4))
			for i := 0; i < tc.n; {
				select {
				case b := <-runs:
					check(b)
					runs <- b[:0]
				case <-done:
					t.Fatalf("writer gave up at %d of %d", total.Load(), tc.n)
				default:
				}
				quiet := tc.direct && r.IntN(4) == 0
				ok := false
				if quiet {
					ok = q.TryPushQuiet(seqMsg(i))
				} else {
					ok = q.TryPush(seqMsg(i))
				}
				if tc.hwm > 0 && q.Len() > tc.hwm {
					t.Fatalf("%d queued, HWM %d", q.Len(), tc.hwm)
				}
				if ok {
					i++
					if quiet {
						mine, more := q.Drain(nil, 1+r.IntN(200))
						total.Add(int64(len(mine)))
						check(mine)
						if more {
							q.WakeWriter()
						}
					}
					continue
				}
				select {
				case <-space:
				case b := <-runs:
					check(b)
					runs <- b[:0]
				case <-time.After(stuck):
					t.Fatalf("refused for the HWM and never told of room: %d queued", q.Len())
				}
			}
			if tc.direct {
				close(pushedAll) // only then: it would hide a lost wake-up of the last pushes
			}
			for total.Load() < int64(tc.n) || len(got) < int(total.Load()) {
				select {
				case b := <-runs:
					check(b)
					runs <- b[:0]
				case <-done:
					if len(got) < tc.n {
						t.Fatalf("writer gave up: %d of %d arrived, %d queued", len(got), tc.n, q.Len())
					}
				}
			}
			if len(got) != tc.n || q.Len() != 0 {
				t.Fatalf("%d messages arrived, %d queued; want %d, 0", len(got), q.Len(), tc.n)
			}
			seen := make([]bool, tc.n)
			for i, s := range got {
				if seen[s] {
					t.Fatalf("message %d delivered twice", s)
				}
				seen[s] = true
				// With two consumers only each batch is in order; with one, all of it.
				if !tc.direct && s != i {
					t.Fatalf("message %d arrived as number %d", s, i)
				}
			}
		})
	}
}
