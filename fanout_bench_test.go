package zmq_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// rawSubs connects n raw ZMTP subscribers to pub's endpoint ep (tcp or ipc), each subscribed to
// everything and counting and dropping whatever comes: peers that cost the process nothing
// per message, so what a test measures is the publisher. It returns once pub has read all n
// subscriptions (pub is an XPUB_VERBOSE). read counts the bytes they received in all.
func rawSubs(tb testing.TB, pub *zmq.Socket, ep string, n int) (read *atomic.Int64) {
	tb.Helper()
	network, addr, _ := strings.Cut(ep, "://")
	if network == "ipc" {
		network = "unix"
	}
	var hello []byte
	hello = zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(hello)
	hello = zmtp.AppendReady(hello, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("SUB")}})
	hello = zmtp.AppendSubscribe(hello, nil)
	read = new(atomic.Int64)
	var wg sync.WaitGroup
	conns := make([]net.Conn, 0, n)
	tb.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
		wg.Wait()
	})
	for range n {
		c, err := net.Dial(network, addr)
		if err != nil {
			tb.Fatal(err)
		}
		conns = append(conns, c)
		if _, err := c.Write(hello); err != nil {
			tb.Fatal(err)
		}
		wg.Go(func() {
			buf := make([]byte, 64<<10)
			for {
				got, err := c.Read(buf)
				read.Add(int64(got))
				if err != nil {
					return
				}
			}
		})
	}
	awaitSubs(tb, pub, n)
	return read
}

// fanoutPub returns an XPUB_VERBOSE publisher with n raw subscribers over transport tr.
func fanoutPub(tb testing.TB, tr string, n int) *zmq.Socket {
	tb.Helper()
	pub := newSocket(tb, zmq.XPUB, zmq.WithXPubVerbose(true))
	ep := bind(tb, pub, map[string]string{"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*"}[tr])
	rawSubs(tb, pub, ep, n)
	return pub
}

// TestPubFanoutSendAllocatesNothing: in steady state a Send to 100 subscribers over tcp or ipc
// allocates nothing, neither per message nor per subscriber (their writers included: the
// count is the whole process's).
func TestPubFanoutSendAllocatesNothing(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			pub := fanoutPub(t, tr, 100)
			ctx := context.Background()
			const rounds = 2000
			msgs := make([]zmq.Msg, 2*rounds+1)
			for i := range msgs {
				msgs[i] = zmq.NewMsg([]byte("topic"), []byte("payload"))
			}
			next := 0
			step := func() {
				if err := pub.Send(ctx, msgs[next]); err != nil {
					t.Fatal(err)
				}
				next++
			}
			for range rounds {
				step() // warm up: the queues grow to their HWM once
			}
			if allocs := testing.AllocsPerRun(rounds-1, step); allocs != 0 {
				t.Fatalf("Send to 100 subscribers over %s allocates %.2f times per message, want 0", tr, allocs)
			}
		})
	}
}

// BenchmarkPubFanout is a publisher sending 64-byte messages to N raw subscribers over tcp or
// ipc, with its connections' writers: ns/op per message, ns/sub per message and subscriber.
// Subscribers at their HWM drop messages, as libzmq's do; delivered/op says how many copies
// went out per message (of N).
func BenchmarkPubFanout(b *testing.B) {
	for _, tr := range []string{"tcp", "ipc"} {
		for _, n := range []int{10, 100} {
			b.Run(fmt.Sprintf("%s/N=%d", tr, n), func(b *testing.B) {
				pub := newSocket(b, zmq.XPUB, zmq.WithXPubVerbose(true))
				ep := bind(b, pub, map[string]string{"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*"}[tr])
				read := rawSubs(b, pub, ep, n)
				body := make([]byte, 64)
				msgs := make([]zmq.Msg, b.N)
				for i := range msgs {
					msgs[i] = zmq.NewMsg(body)
				}
				ctx := context.Background()
				start := read.Load()
				b.ReportAllocs()
				b.ResetTimer()
				for i := range msgs {
					if err := pub.Send(ctx, msgs[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/sub")
				// What the subscribers had read when the last Send returned, 66 bytes a message.
				b.ReportMetric(float64(read.Load()-start)/66/float64(b.N), "delivered/op")
			})
		}
	}
}
