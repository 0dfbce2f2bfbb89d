package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// bigFrame is large enough that tcp and ipc kernel buffers fill after a few hundred messages, so
// blocking and dropping at the HWM show up quickly on every transport.
var bigFrame = bytes.Repeat([]byte{'x'}, 64<<10)

// sendUntilBlocked sends [seq, bigFrame] messages, each with a short deadline, until one fails
// or limit are taken; it returns how many were taken and the error that stopped it.
func sendUntilBlocked(s *zmq.Socket, head [][]byte, limit int) (int, error) {
	for n := 0; n < limit; n++ {
		ctx, cancel := within(waitShort)
		err := s.Send(ctx, zmq.NewMsg(cat(head, u32(uint32(n)), bigFrame)...))
		cancel()
		if err != nil {
			return n, err
		}
	}
	return limit, nil
}

// drainSeq receives want messages (each within waitLong), or when want is negative, until
// nothing comes for waitShort. It checks that each is [..., seq, bigFrame] with seq in frame idx
// rising strictly (whole and in order), and returns the sequence numbers.
func drainSeq(t *testing.T, s *zmq.Socket, idx, want int) (seqs []uint32) {
	t.Helper()
	for want < 0 || len(seqs) < want {
		wait := waitLong
		if want < 0 {
			wait = waitShort
		}
		ctx, cancel := within(wait)
		m, err := s.Recv(ctx)
		cancel()
		if want < 0 && errors.Is(err, context.DeadlineExceeded) {
			return seqs
		}
		if err != nil {
			t.Fatalf("Recv after %d messages: %v", len(seqs), err)
		}
		if len(m.Frames) != idx+2 || !bytes.Equal(m.Frames[idx+1], bigFrame) {
			t.Fatalf("message %d is %s", len(seqs), fmtFrames(m.Frames))
		}
		seq := seqOf(t, m.Frames[idx])
		if len(seqs) > 0 && seq <= seqs[len(seqs)-1] {
			t.Fatalf("sequence %d after %d", seq, seqs[len(seqs)-1])
		}
		seqs = append(seqs, seq)
	}
	expectNoMsg(t, s, waitShort)
	return seqs
}

// TestConformancePushBlocksAtHWM: a PUSH whose peer does not read takes messages until its
// queue and the peer's are full (plus, over a wire, what the kernel buffers), then Send blocks
// until its deadline. Nothing taken is lost, and once the peer reads, Send works again.
func TestConformancePushBlocksAtHWM(t *testing.T) {
	const (
		hwm   = 10
		limit = 2000 // 128 MiB: far more than loopback buffers hold
	)
	forEachTransport(t, func(t *testing.T, tr transport) {
		push := newSocket(t, zmq.PUSH, zmq.WithSendHWM(hwm))
		pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(hwm))
		link(t, tr, pull, push)
		taken, err := sendUntilBlocked(push, nil, limit)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("after %d messages Send returned %v, want context.DeadlineExceeded", taken, err)
		}
		t.Logf("%s: Send blocked after %d messages (SNDHWM %d, RCVHWM %d)", tr.name, taken, hwm, hwm)
		if taken < hwm {
			t.Fatalf("Send blocked after %d messages, below SNDHWM %d", taken, hwm)
		}
		if tr.name == "inproc" && taken != 2*hwm {
			// No wire: exactly the sender's SNDHWM plus the receiver's RCVHWM, as in libzmq.
			t.Fatalf("inproc Send blocked after %d messages, want SNDHWM+RCVHWM = %d", taken, 2*hwm)
		}
		if seqs := drainSeq(t, pull, 0, taken); seqs[0] != 0 || seqs[taken-1] != uint32(taken-1) {
			t.Fatalf("PULL received #%d to #%d, want all %d taken", seqs[0], seqs[taken-1], taken)
		}
		send(t, push, u32(uint32(taken)), bigFrame)
		expectRecv(t, pull, u32(uint32(taken)), bigFrame)
	})
}

// TestConformanceRouterUnroutable: a ROUTER silently drops a message for an unknown routing id;
// with ROUTER_MANDATORY, Send fails with ErrHostUnreachable instead. Known peers keep working.
func TestConformanceRouterUnroutable(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, mandatory := range []bool{false, true} {
			name := "default"
			if mandatory {
				name = "mandatory"
			}
			t.Run(name, func(t *testing.T) {
				router := newSocket(t, zmq.ROUTER, zmq.WithRouterMandatory(mandatory))
				// Before any peer, too.
				ctx, cancel := within(waitShort)
				defer cancel()
				err := router.Send(ctx, zmq.NewMsgString("nobody", "lost"))
				if mandatory && !errors.Is(err, zmq.ErrHostUnreachable) {
					t.Fatalf("Send to an unknown id with no peers: %v, want ErrHostUnreachable", err)
				}
				if !mandatory && err != nil {
					t.Fatalf("Send to an unknown id with no peers: %v, want nil (dropped)", err)
				}

				dealer := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("known")))
				link(t, tr, router, dealer)
				sendString(t, dealer, "hello")
				expectRecvString(t, router, "known", "hello")

				err = router.Send(ctx, zmq.NewMsgString("nobody", "lost"))
				if mandatory && !errors.Is(err, zmq.ErrHostUnreachable) {
					t.Fatalf("Send to an unknown id: %v, want ErrHostUnreachable", err)
				}
				if !mandatory && err != nil {
					t.Fatalf("Send to an unknown id: %v, want nil (dropped)", err)
				}
				sendString(t, router, "known", "found")
				expectRecvString(t, dealer, "found")
			})
		}
	})
}

// TestConformanceRouterAtHWM: a ROUTER never blocks on a peer at its HWM: it drops (and the
// peer gets a gap-free prefix of what was sent). With ROUTER_MANDATORY it blocks instead and
// loses nothing.
func TestConformanceRouterAtHWM(t *testing.T) {
	const (
		hwm   = 5
		limit = 1000
	)
	id := []byte("slow")
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("drops", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER, zmq.WithSendHWM(hwm))
			dealer := newSocket(t, zmq.DEALER, zmq.WithRecvHWM(hwm), zmq.WithRoutingID(id))
			link(t, tr, router, dealer)
			sendString(t, dealer, "hello")
			recvWithin(t, router, waitLong)
			taken, err := sendUntilBlocked(router, [][]byte{id}, limit)
			if err != nil {
				t.Fatalf("ROUTER Send #%d: %v, want nil (drop at HWM)", taken, err)
			}
			seqs := drainSeq(t, dealer, 0, -1)
			got := len(seqs)
			t.Logf("%s: %d of %d delivered", tr.name, got, limit)
			if got >= limit {
				t.Fatalf("all %d messages delivered to a peer that was not reading: nothing dropped", got)
			}
			if seqs[0] != 0 {
				t.Fatalf("first delivered message is #%d, want #0", seqs[0])
			}
			if tr.name == "inproc" && got != 2*hwm {
				t.Fatalf("inproc delivered %d, want SNDHWM+RCVHWM = %d", got, 2*hwm)
			}
		})
		t.Run("mandatory-blocks", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER, zmq.WithSendHWM(hwm), zmq.WithRouterMandatory(true))
			dealer := newSocket(t, zmq.DEALER, zmq.WithRecvHWM(hwm), zmq.WithRoutingID(id))
			link(t, tr, router, dealer)
			sendString(t, dealer, "hello")
			recvWithin(t, router, waitLong)
			taken, err := sendUntilBlocked(router, [][]byte{id}, limit)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("after %d messages Send returned %v, want context.DeadlineExceeded", taken, err)
			}
			if seqs := drainSeq(t, dealer, 0, taken); seqs[taken-1] != uint32(taken-1) {
				t.Fatalf("DEALER received #%d to #%d, want all %d taken", seqs[0], seqs[taken-1], taken)
			}
		})
	})
}
