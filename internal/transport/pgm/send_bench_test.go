package pgm

import (
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// sinkConn takes what a SendEngine sends and counts the bytes; nothing comes upstream.
type sinkConn struct {
	bytes  atomic.Int64
	closed chan struct{}
}

func (c *sinkConn) read([]byte) ([]byte, netip.Addr, error) {
	<-c.closed
	return nil, netip.Addr{}, net.ErrClosed
}

func (c *sinkConn) sendGroup(b []byte) error        { c.bytes.Add(int64(len(b))); return nil }
func (c *sinkConn) sendTo([]byte, netip.Addr) error { return nil }
func (c *sinkConn) setReadDeadline(time.Time) error { return nil }
func (c *sinkConn) close() error                    { close(c.closed); return nil }
func (c *sinkConn) ipHeader() int                   { return 28 }

// BenchmarkSend is the source's cost per message from the socket's queue to the bytes handed
// to the socket (no system calls): the engine's loop, the packer, the sender and the encoding,
// at a rate that never holds it back (-benchmem: allocations per message).
func BenchmarkSend(b *testing.B) {
	for _, size := range []int{100, 8192} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			c := &sinkConn{closed: make(chan struct{})}
			// 100 Gbit/s never holds it back; a 1 ms window (8,333 packets) is recycled as a long run's is.
			cfg := Config{Rate: 100_000_000, RecoveryIvl: time.Millisecond, Hops: 1, MaxTPDU: 1500, MaxMsgSize: -1}
			ep := Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Group: netip.MustParseAddr("239.192.1.1"), Port: 5555}
			e, err := newSendEngine(c, ep, cfg)
			if err != nil {
				b.Fatal(err)
			}
			idle := make(chan struct{}, 1)
			q := pipe.NewOutQueue(0, nil)
			done := make(chan error, 1)
			go func() {
				done <- e.Run(transport.Link{Out: q, Idle: func() {
					select {
					case idle <- struct{}{}:
					default:
					}
				}})
			}()
			payload := make([]byte, size)
			const batch = 1000
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n += batch {
				for range min(batch, b.N-n) {
					if !q.TryPush(pipe.Msg{payload}) {
						b.Fatal("queue refused a message")
					}
				}
				// Idle comes when the engine found the queue empty and its backlog sent.
				for q.Len() > 0 || e.Busy() {
					<-idle
				}
			}
			b.StopTimer()
			if err := e.Close(); err != nil {
				b.Fatal(err)
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			if c.bytes.Load() < int64(b.N*size) {
				b.Fatalf("sent %d bytes for %d messages of %d", c.bytes.Load(), b.N, size)
			}
		})
	}
}
