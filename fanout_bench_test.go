package zmq_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/allocs"
	"github.com/purezmq/zmq/zmtp"
)

// rawSubs connects n raw ZMTP subscribers to pub's endpoint ep (tcp or ipc), each subscribed to
// everything and counting and dropping whatever comes: peers that cost the process nothing
// per message, so what a test measures is the publisher. It returns once pub has read all n
// subscriptions (pub is an XPUB_VERBOSE). read counts the bytes they received in all.
func rawSubs(tb testing.TB, pub *zmq.Socket, ep string, n int) (read *atomic.Int64) {
	return rawSubsNotify(tb, pub, ep, n, nil)
}

// rawSubsNotify is rawSubs calling got, if set, with the bytes of each read.
func rawSubsNotify(tb testing.TB, pub *zmq.Socket, ep string, n int, got func(int)) (read *atomic.Int64) {
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
		greeted := make(chan error, 1)
		wg.Go(func() {
			buf := make([]byte, 64<<10)
			greeted <- skipGreeting(c, buf)
			for {
				k, err := c.Read(buf)
				read.Add(int64(k))
				if got != nil && k > 0 {
					got(k)
				}
				if err != nil {
					return
				}
			}
		})
		if err := <-greeted; err != nil {
			tb.Fatal(err)
		}
	}
	awaitSubs(tb, pub, n)
	return read
}

// skipGreeting reads the publisher's greeting and READY, so that what c reads next is
// messages.
func skipGreeting(c net.Conn, buf []byte) error {
	if _, err := io.ReadFull(c, buf[:zmtp.GreetingSize+2]); err != nil {
		return err
	}
	flags, size := buf[zmtp.GreetingSize], int(buf[zmtp.GreetingSize+1])
	if flags&zmtp.FlagLong != 0 {
		return fmt.Errorf("a READY of more than 255 bytes")
	}
	_, err := io.ReadFull(c, buf[:size])
	return err
}

// fanoutPub returns an XPUB_VERBOSE publisher with n raw subscribers over transport tr.
func fanoutPub(tb testing.TB, tr string, n int) *zmq.Socket {
	tb.Helper()
	pub := newSocket(tb, zmq.XPUB, zmq.WithXPubVerbose(true))
	ep := bind(tb, pub, map[string]string{"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*"}[tr])
	rawSubs(tb, pub, ep, n)
	return pub
}

// TestPubFanoutSendAllocatesNothing: in steady state a Send to 100 subscribers over tcp or ipc,
// of a message built in the call, allocates nothing per message or per subscriber (their
// writers included: the count is the whole process's): the log's chunks, which hold the
// messages' lists too, and the queues' run chunks are reused, so what is left is what queues
// and buffers still grow and the runtime's odd allocation, fewer than one in 64 messages
// (without the race detector, which allocates for itself). So too a SendCopy from one buffer
// the caller rewrites for every message, whose copies the log's chunks hold as well.
// (testing.AllocsPerRun, which this used, rounds such counts down to 0.)
func TestPubFanoutSendAllocatesNothing(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		for _, copying := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/SendCopy=%v", tr, copying), func(t *testing.T) {
				testPubFanoutAllocs(t, tr, copying)
			})
		}
	}
}

func testPubFanoutAllocs(t *testing.T, tr string, copying bool) {
	pub := fanoutPub(t, tr, 100)
	ctx := context.Background()
	const rounds = 2000
	topic := []byte("topic")
	payloads := make([][]byte, (1+allocs.Tries)*rounds+1) // the warm-up's and the counts
	for i := range payloads {
		payloads[i] = []byte("payload")
	}
	buf := []byte("payload 0000")
	next := 0
	step := func() {
		var err error
		if copying {
			binary.BigEndian.PutUint32(buf[8:], uint32(next))
			err = pub.SendCopy(ctx, zmq.Msg{Frames: [][]byte{topic, buf}})
		} else {
			err = pub.Send(ctx, zmq.Msg{Frames: [][]byte{topic, payloads[next]}})
		}
		if err != nil {
			t.Fatal(err)
		}
		next++
	}
	for range rounds {
		step() // warm up: the queues grow to their HWM once
	}
	limit := uint64(rounds / 64)
	if raceEnabled {
		limit = rounds // its bookkeeping: 240-340 allocations here
	}
	if n := allocs.Count(rounds, step); n >= limit {
		t.Fatalf("%d Sends to 100 subscribers over %s allocate %d times, want fewer than %d", rounds, tr, n, limit)
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
				cpu0 := cpu()
				for i := range msgs {
					if err := pub.Send(ctx, msgs[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/sub")
				b.ReportMetric(float64(cpu()-cpu0)/float64(b.N)/float64(n), "cpu-ns/sub")
				// What the subscribers had read when the last Send returned, 66 bytes a message.
				b.ReportMetric(float64(read.Load()-start)/66/float64(b.N), "delivered/op")
			})
		}
	}
}

// cpu is the process's CPU time so far, user and system, in nanoseconds: what the publisher,
// its writers and the raw subscribers' reads cost, however loaded the machine is.
func cpu() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkPubFanoutPaced sends one 64-byte message at a time and waits until all N raw
// subscribers have it: a publisher that does not outrun its connections, so each message finds
// every connection idle (the cost of waking, or writing, each one per message).
func BenchmarkPubFanoutPaced(b *testing.B) {
	for _, tr := range []string{"tcp", "ipc"} {
		for _, n := range []int{10, 100} {
			b.Run(fmt.Sprintf("%s/N=%d", tr, n), func(b *testing.B) {
				pub := newSocket(b, zmq.XPUB, zmq.WithXPubVerbose(true))
				ep := bind(b, pub, map[string]string{"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*"}[tr])
				var left atomic.Int64 // bytes the subscribers have still to read of this message
				arrived := make(chan struct{}, 1)
				rawSubsNotify(b, pub, ep, n, func(k int) {
					if left.Add(-int64(k)) == 0 {
						arrived <- struct{}{}
					}
				})
				body := make([]byte, 64)
				msgs := make([]zmq.Msg, b.N)
				for i := range msgs {
					msgs[i] = zmq.NewMsg(body)
				}
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpu()
				for i := range msgs {
					left.Store(int64(66 * n))
					if err := pub.Send(ctx, msgs[i]); err != nil {
						b.Fatal(err)
					}
					<-arrived
				}
				b.StopTimer()
				b.ReportMetric(float64(cpu()-cpu0)/float64(b.N)/float64(n), "cpu-ns/sub")
			})
		}
	}
}
