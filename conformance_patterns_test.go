package zmq_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

	zmq "github.com/purezmq/zmq"
)

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// seqOf decodes a frame made by u32, failing the test on anything else.
func seqOf(t testing.TB, f []byte) uint32 {
	t.Helper()
	if len(f) != 4 {
		t.Fatalf("sequence frame %q is not 4 bytes", f)
	}
	return binary.BigEndian.Uint32(f)
}

// TestConformanceOrdering: 10,000 messages from one peer arrive in the order sent, while the
// receiver reads concurrently (so HWMs are hit and released many times on the way).
func TestConformanceOrdering(t *testing.T) {
	const n = 10_000
	cases := []struct {
		name     string
		snd, rcv zmq.Type
		envelope int // frames the receiver sees before the payload
		rcvBinds bool
	}{
		{name: "PUSH-PULL", snd: zmq.PUSH, rcv: zmq.PULL, rcvBinds: true},
		{name: "PUSH-PULL/push-binds", snd: zmq.PUSH, rcv: zmq.PULL},
		{name: "PAIR-PAIR", snd: zmq.PAIR, rcv: zmq.PAIR, rcvBinds: true},
		{name: "DEALER-ROUTER", snd: zmq.DEALER, rcv: zmq.ROUTER, envelope: 1, rcvBinds: true},
		{name: "DEALER-DEALER", snd: zmq.DEALER, rcv: zmq.DEALER, rcvBinds: true},
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				snd, rcv := newSocket(t, c.snd), newSocket(t, c.rcv)
				if c.rcvBinds {
					link(t, tr, rcv, snd)
				} else {
					link(t, tr, snd, rcv)
				}
				ctx, cancel := within(4 * waitLong)
				defer cancel()
				sent := make(chan error, 1)
				go func() {
					for i := range uint32(n) {
						if err := snd.Send(ctx, zmq.NewMsg(u32(i))); err != nil {
							sent <- fmt.Errorf("Send #%d: %w", i, err)
							return
						}
					}
					sent <- nil
				}()
				for i := range uint32(n) {
					m, err := rcv.Recv(ctx)
					if err != nil {
						cancel()
						t.Fatalf("Recv #%d: %v (sender: %v)", i, err, <-sent)
					}
					if len(m.Frames) != c.envelope+1 {
						t.Fatalf("message #%d is %s", i, fmtFrames(m.Frames))
					}
					if got := seqOf(t, m.Frames[c.envelope]); got != i {
						t.Fatalf("message #%d carries sequence %d", i, got)
					}
				}
				if err := <-sent; err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestConformanceLoadBalancing: a PUSH connected to three PULLs deals messages round-robin, so
// each PULL gets exactly every third one; a DEALER deals requests to three REPs the same way.
// Connect-side peers queue from the moment Connect returns, so the rotation includes all three
// from the first message.
func TestConformanceLoadBalancing(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("PUSH-to-3-PULL", func(t *testing.T) {
			const perPeer = 100
			push := newSocket(t, zmq.PUSH)
			var pulls []*zmq.Socket
			for range 3 {
				pull := newSocket(t, zmq.PULL)
				connect(t, push, bind(t, pull, tr.wildcard()))
				pulls = append(pulls, pull)
			}
			for i := range uint32(3 * perPeer) {
				send(t, push, u32(i))
			}
			for j, pull := range pulls {
				for k := range uint32(perPeer) {
					m := recvWithin(t, pull, waitLong)
					if got, want := seqOf(t, m.Frames[0]), uint32(j)+3*k; got != want {
						t.Fatalf("PULL %d message %d carries %d, want %d (round-robin)", j, k, got, want)
					}
				}
			}
		})
		t.Run("DEALER-to-3-REP", func(t *testing.T) {
			const perPeer = 10
			dealer := newSocket(t, zmq.DEALER)
			var reps []*zmq.Socket
			for range 3 {
				rep := newSocket(t, zmq.REP)
				connect(t, dealer, bind(t, rep, tr.wildcard()))
				reps = append(reps, rep)
			}
			for i := range uint32(3 * perPeer) {
				send(t, dealer, nil, u32(i))
			}
			for j, rep := range reps {
				for k := range uint32(perPeer) {
					m := recvWithin(t, rep, waitLong)
					got := seqOf(t, m.Frames[0])
					if want := uint32(j) + 3*k; got != want {
						t.Fatalf("REP %d request %d carries %d, want %d (round-robin)", j, k, got, want)
					}
					send(t, rep, []byte{byte(j)}, u32(got))
				}
			}
			perRep := map[byte]int{}
			for range 3 * perPeer {
				m := recvWithin(t, dealer, waitLong)
				if len(m.Frames) != 3 || len(m.Frames[0]) != 0 || len(m.Frames[1]) != 1 {
					t.Fatalf("DEALER received %s, want [\"\" <rep> <seq>]", fmtFrames(m.Frames))
				}
				perRep[m.Frames[1][0]]++
			}
			for j := range byte(3) {
				if perRep[j] != perPeer {
					t.Errorf("REP %d answered %d requests, want %d", j, perRep[j], perPeer)
				}
			}
		})
	})
}

// TestConformanceFairQueueing: three PUSHes send continuously into one PULL. Once all three are
// flowing, the PULL's input interleaves them and none is starved, however fast each sends.
func TestConformanceFairQueueing(t *testing.T) {
	const (
		senders = 3
		hwm     = 100
		window  = 30_000 // messages judged once every sender has been seen
	)
	forEachTransport(t, func(t *testing.T, tr transport) {
		pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(hwm))
		ep := bind(t, pull, tr.wildcard())
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		errs := make(chan error, senders)
		for id := range byte(senders) {
			push := newSocket(t, zmq.PUSH, zmq.WithSendHWM(hwm))
			connect(t, push, ep)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := uint32(0); ; seq++ {
					if err := push.Send(ctx, zmq.NewMsg([]byte{id}, u32(seq))); err != nil {
						if !errors.Is(err, context.Canceled) {
							errs <- fmt.Errorf("sender %d: %w", id, err)
						}
						return
					}
				}
			}()
		}
		defer func() {
			cancel()
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		}()

		next := make([]uint32, senders) // per sender, the sequence expected next
		recv := func() byte {
			m := recvWithin(t, pull, waitLong)
			if len(m.Frames) != 2 || len(m.Frames[0]) != 1 || m.Frames[0][0] >= senders {
				t.Fatalf("PULL received %s, want [<sender> <seq>]", fmtFrames(m.Frames))
			}
			id := m.Frames[0][0]
			if seq := seqOf(t, m.Frames[1]); seq != next[id] {
				t.Fatalf("sender %d: got sequence %d, want %d", id, seq, next[id])
			}
			next[id]++
			return id
		}
		seen := map[byte]bool{}
		for len(seen) < senders {
			seen[recv()] = true
		}
		counts := make([]int, senders)
		switches, run, longest := 0, 0, 0
		last := byte(255)
		for range window {
			id := recv()
			counts[id]++
			if id != last {
				switches++
				run = 0
			}
			run++
			longest = max(longest, run)
			last = id
		}
		t.Logf("%s: counts %v, source switches %d, longest run %d", tr.name, counts, switches, longest)
		for id, n := range counts {
			if n < window/senders/10 {
				t.Errorf("sender %d got %d of %d messages: starved (counts %v)", id, n, window, counts)
			}
		}
		// Which senders have messages queued at any moment is up to the scheduler (a PULL
		// that reads faster than one sender writes sees runs from the others), so these bounds
		// only catch a PULL that drains one peer before the next; the exact round-robin is
		// TestConformanceFairQueueingOrder's.
		if minSwitches := window / 100; switches < minSwitches {
			t.Errorf("input switched source %d times in %d messages, want at least %d: not interleaved",
				switches, window, minSwitches)
		}
	})
}

// TestConformanceFairQueueingOrder: with messages waiting from three peers, a PULL takes one
// from each in turn, as libzmq's fair queueing does. Over inproc a message is in the PULL's
// queue once Send returns, so the order is exact.
func TestConformanceFairQueueingOrder(t *testing.T) {
	const perSender = 50
	ep := inprocName()
	pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(1000))
	bind(t, pull, ep)
	for id := range byte(3) {
		push := newSocket(t, zmq.PUSH)
		connect(t, push, ep)
		for seq := range perSender {
			send(t, push, []byte{id}, u32(uint32(seq)))
		}
	}
	for i := range 3 * perSender {
		m := recvWithin(t, pull, waitLong)
		if want := byte(i % 3); m.Frames[0][0] != want || seqOf(t, m.Frames[1]) != uint32(i/3) {
			t.Fatalf("message %d is from sender %d seq %d, want sender %d seq %d",
				i, m.Frames[0][0], seqOf(t, m.Frames[1]), want, i/3)
		}
	}
}
