package zmq_test

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestConformanceSendersAtSmallHWM: many goroutines sending as fast as they can, each on a PUSH
// socket of its own or all on one, with queues so small that senders wait at the HWM and give
// up their turn (socket.go, sendTurn) every message or two. Whatever the scheduling, the PULL
// gets every message once, and each sender's in the order it sent them.
func TestConformanceSendersAtSmallHWM(t *testing.T) {
	const (
		senders = 8
		each    = 300
	)
	for _, shared := range []bool{false, true} {
		name := "socket each"
		if shared {
			name = "one socket"
		}
		t.Run(name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(2))
				ep := bind(t, pull, tr.wildcard())
				socks := make([]*zmq.Socket, senders)
				for i := range socks {
					if i == 0 || !shared {
						socks[i] = newSocket(t, zmq.PUSH, zmq.WithSendHWM(2))
						connect(t, socks[i], ep)
					} else {
						socks[i] = socks[0]
					}
				}
				errs := make(chan error, senders)
				var wg sync.WaitGroup
				for i, s := range socks {
					wg.Go(func() {
						ctx, cancel := within(waitLong)
						defer cancel()
						for seq := range each {
							b := binary.BigEndian.AppendUint32(u32(uint32(i)), uint32(seq))
							if err := s.Send(ctx, zmq.NewMsg(b)); err != nil {
								errs <- fmt.Errorf("sender %d, message %d: %w", i, seq, err)
								return
							}
						}
					})
				}
				next := make([]uint32, senders)
				for range senders * each {
					m := recvWithin(t, pull, waitLong)
					b := m.Frames[0]
					i, seq := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
					if len(m.Frames) != 1 || len(b) != 8 || i >= senders {
						t.Fatalf("received %s, not a message any sender sent", fmtFrames(m.Frames))
					}
					if seq != next[i] {
						t.Fatalf("sender %d's message %d arrived when %d was due", i, seq, next[i])
					}
					next[i]++
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
			})
		})
	}
}
