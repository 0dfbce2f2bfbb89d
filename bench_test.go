package zmq_test

import (
	"context"
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// pushPull returns a connected PUSH→PULL pair over transport.
func pushPull(tb testing.TB, transport string) (push, pull *zmq.Socket) {
	tb.Helper()
	ep := map[string]string{"inproc": fmt.Sprintf("inproc://bench-%p", tb), "ipc": "ipc://*", "tcp": "tcp://127.0.0.1:*"}[transport]
	pull = newSocket(tb, zmq.PULL)
	bind(tb, pull, ep)
	push = newSocket(tb, zmq.PUSH)
	connect(tb, push, pull.LastEndpoint())
	return push, pull
}

// BenchmarkSendRecv is the hot path end to end: one goroutine sends, another receives. The
// messages are built before the clock starts, so allocations are the library's; the "built"
// cases build each one in the Send call instead, as most programs do.
func BenchmarkSendRecv(b *testing.B) {
	for _, tr := range []string{"inproc", "ipc", "tcp"} {
		for _, c := range []struct {
			size    int
			recycle bool // the receiver gives each message back (Socket.Recycle)
			built   bool // the sender builds each message in its Send call
		}{{16, false, false}, {16, false, true}, {256, false, false}, {4096, false, false}, {65536, false, false}, {65536, true, false}, {1 << 20, false, false}, {1 << 20, true, false}} {
			size := c.size
			name := fmt.Sprintf("%s/%d", tr, size)
			if c.recycle {
				if tr == "inproc" {
					continue // a frame received over inproc is the sender's: not the receiver's to recycle here
				}
				name += "/recycle"
			}
			if c.built {
				name += "/built"
			}
			b.Run(name, func(b *testing.B) {
				push, pull := pushPull(b, tr)
				ctx := context.Background()
				msgs := make([]zmq.Msg, b.N)
				body := make([]byte, size)
				for i := range msgs {
					msgs[i] = zmq.NewMsg(body)
				}
				done := make(chan error, 1)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				go func() {
					for i := range msgs {
						m := msgs[i]
						if c.built {
							m = zmq.Msg{Frames: [][]byte{body}}
						}
						if err := push.Send(ctx, m); err != nil {
							done <- err
							return
						}
					}
					done <- nil
				}()
				for range b.N {
					m, err := pull.Recv(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if c.recycle {
						pull.Recycle(m)
					}
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// TestSendAllocatesNothing: in steady state, Send over inproc and Recv over inproc allocate
// nothing of their own (the frames the caller made are handed over, not copied), and Send
// keeps no list of frames it was given, so one built for the call needs no allocation.
func TestSendAllocatesNothing(t *testing.T) {
	push, pull := pushPull(t, "inproc")
	ctx := context.Background()
	const rounds = 1000
	payloads := make([][]byte, rounds+1)
	for i := range payloads {
		payloads[i] = []byte("payload")
	}
	next := 0
	step := func() {
		if err := push.Send(ctx, zmq.Msg{Frames: [][]byte{payloads[next]}}); err != nil {
			t.Fatal(err)
		}
		m, err := pull.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Frames) != 1 || &m.Frames[0][0] != &payloads[next][0] {
			t.Fatalf("received %q, not the frame sent", m.Frames)
		}
		next++
	}
	step() // warm up the queues
	if allocs := testing.AllocsPerRun(rounds-1, step); allocs != 0 {
		t.Fatalf("Send+Recv over inproc allocate %.1f times per message, want 0", allocs)
	}
}
