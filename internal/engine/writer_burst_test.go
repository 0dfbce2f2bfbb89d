package engine

import (
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
)

// TestBurstBufferGivenBack: a burst of small messages, more than a connection's own buffer
// holds, is encoded into a buffer the connection borrows (bursts) and gives back once the
// burst is written, by the writer or by a direct write that the socket took only partly: the
// peer receives every message as sent, and afterwards the connection holds its own small
// buffer again, not one a burst grew.
func TestBurstBufferGivenBack(t *testing.T) {
	sk, ck := newKeyPair(t), newKeyPair(t)
	for _, tc := range []struct {
		name       string
		send, recv Config
		direct     bool // a direct write (WriteNow) starts the burst
	}{
		{"null", cfg("PAIR"), cfg("PAIR"), false},
		{"null direct", cfg("PAIR"), cfg("PAIR"), true},
		{"curve", secured("PAIR", curveClientCfg(ck, sk.pub)), secured("PAIR", curveServerCfg(sk)), false},
		{"curve direct", secured("PAIR", curveClientCfg(ck, sk.pub)), secured("PAIR", curveServerCfg(sk)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Small socket buffers: a direct write cannot take the burst whole.
			c, peer := pausedWriter(t, tc.send, tc.recv, 4<<10)
			q := pipe.NewOutQueue(0, nil)
			burst := make([]pipe.Msg, 600) // 41 KiB encoded, 60 KiB sealed: a burst buffer holds it
			for i := range burst {
				burst[i] = pipe.Msg{patterned(i, 60)}
				q.TryPush(burst[i])
			}
			if tc.direct {
				c.WriteNow(q)
				if c.w.pending == 0 {
					t.Fatal("the direct write took the whole burst: the test needs a partial write")
				}
				if c.w.lent == nil {
					t.Fatal("the direct write encoded the burst without borrowing a buffer")
				}
			}

			rb := run(peer, 0)
			defer func() {
				c.nc.Close()
				<-rb.done
			}()
			writeAndCheck(t, c, q, rb, burst)
			c.wmu.Lock()
			defer c.wmu.Unlock()
			if c.w.lent != nil || len(c.w.wbuf) != 0 || cap(c.w.wbuf) != ownSize {
				t.Fatalf("after the burst the connection holds a buffer of %d bytes (%d in it), borrowed: %v; want its own %d, empty",
					cap(c.w.wbuf), len(c.w.wbuf), c.w.lent != nil, ownSize)
			}
		})
	}
}
