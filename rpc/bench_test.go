package rpc

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/internal/benchtest"
)

// 64 bytes of JSON each way: a 62-character string and its quotes.
var payload64 = strings.Repeat("x", 62)

func BenchmarkCall(b *testing.B) {
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("callers=%d", n), func(b *testing.B) {
			srv := startServer(b, Target{Topic: "bench"}, func(s *Server) {
				_ = Handle(s, "echo64", func(_ context.Context, a string) (string, error) { return a, nil })
			})
			cl, err := NewClient(Target{Topic: "bench"}, WithEndpoint(srv.Endpoint()))
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			ctx := context.Background()
			benchtest.Callers(b, n, func() error {
				var r string
				if err := cl.Call(ctx, "echo64", payload64, &r); err != nil {
					return err
				}
				if len(r) != len(payload64) {
					return fmt.Errorf("reply of %d bytes", len(r))
				}
				return nil
			})
		})
	}
}

// BenchmarkRawRoundTrip is the ceiling: one shared DEALER to a ROUTER echoing 64-byte frames,
// replies matched by an 8-byte id as rpc does, without rpc's encoding, deadlines or dispatch.
func BenchmarkRawRoundTrip(b *testing.B) {
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("callers=%d", n), func(b *testing.B) {
			zc := zmq.NewContext()
			defer zc.Close()
			router, err := zc.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
			if err != nil {
				b.Fatal(err)
			}
			if err := router.Bind("tcp://127.0.0.1:*"); err != nil {
				b.Fatal(err)
			}
			dealer, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
			if err != nil {
				b.Fatal(err)
			}
			if err := dealer.Connect(router.LastEndpoint()); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { // echo
				for {
					m, err := router.Recv(ctx)
					if err != nil {
						return
					}
					if router.Send(ctx, m) != nil {
						return
					}
				}
			})
			var mu sync.Mutex
			waiting := map[uint64]chan []byte{}
			wg.Go(func() { // match replies
				for {
					m, err := dealer.Recv(ctx)
					if err != nil {
						return
					}
					id := uint64(m.Frames[0][0]) | uint64(m.Frames[0][1])<<8 | uint64(m.Frames[0][2])<<16 | uint64(m.Frames[0][3])<<24
					mu.Lock()
					ch := waiting[id]
					delete(waiting, id)
					mu.Unlock()
					ch <- m.Frames[1]
				}
			})
			var next atomic.Uint64
			benchtest.Callers(b, n, func() error {
				id := next.Add(1)
				ch := make(chan []byte, 1)
				mu.Lock()
				waiting[id] = ch
				mu.Unlock()
				hdr := make([]byte, 8)
				hdr[0], hdr[1], hdr[2], hdr[3] = byte(id), byte(id>>8), byte(id>>16), byte(id>>24)
				if err := dealer.Send(ctx, zmq.NewMsg(hdr, []byte(payload64+"  "))); err != nil {
					return err
				}
				<-ch
				return nil
			})
			b.StopTimer()
			cancel()
			wg.Wait()
			_ = router.Close()
			_ = dealer.Close()
		})
	}
}
