package redisdedup

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// forwarder relays TCP connections to a server; once lose is set, it drops everything the
// server sends (replies, PONGs): the network loses the server's replies.
type forwarder struct {
	ln   net.Listener
	to   string
	lose atomic.Bool
	mu   sync.Mutex
	cs   []net.Conn
	wg   sync.WaitGroup
}

func startForwarder(t *testing.T, to string) *forwarder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{ln: ln, to: strings.TrimPrefix(to, "tcp://")}
	f.wg.Go(f.accept)
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.cs {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *forwarder) endpoint() string { return "tcp://" + f.ln.Addr().String() }

func (f *forwarder) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", f.to)
		if err != nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		f.cs = append(f.cs, c, s)
		f.mu.Unlock()
		f.wg.Go(func() { _, _ = io.Copy(s, c); s.Close() })
		f.wg.Go(func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 && !f.lose.Load() {
					if _, err := c.Write(buf[:n]); err != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		})
	}
}

// A reply lost on the way back: the client's heartbeat finds the server silent, the call is
// retried on another server, which replays the first server's cached reply without running
// the handler again.
func TestAtLeastOnceLostReply(t *testing.T) {
	rs := redistest.Start(t)
	startChild(t, "p0", rs.Addr(), false)
	lossy := startChild(t, "lossy", rs.Addr(), false, gateEnv+"=1")
	fw := startForwarder(t, lossy.endpoint)
	reg, err := redisreg.New(redisreg.Options{Addrs: []string{rs.Addr()}, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	cl, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithRegistry(reg), rpc.WithEndpoint(fw.endpoint()),
		rpc.WithDelivery(rpc.AtLeastOnce), rpc.WithHeartbeat(50*time.Millisecond, 3), rpc.WithTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	connectAll(t, cl, "p0", "lossy")
	// Two calls at once: one to each server (round robin).
	ids := []string{"a", "b"}
	replies := make([]applyReply, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { errs[i] = cl.Call(context.Background(), "apply", applyArgs{ID: id}, &replies[i]) })
	}
	l := lossy.Next(t)
	id, ok := strings.CutPrefix(l, "recv:")
	if !ok {
		t.Fatalf("lossy said %q", l)
	}
	fw.lose.Store(true)
	rc := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rc.Close()
	if err := rc.RPush(context.Background(), "go:"+id, "1").Err(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil {
			t.Fatalf("call %s: %v", ids[i], errs[i])
		}
		want := "p0"
		if ids[i] == id {
			want = "lossy" // its reply, lost, then replayed by p0
		}
		if r := replies[i]; r.ID != ids[i] || r.Server != want || r.Effects != 1 {
			t.Errorf("call %s: %+v, want from %s, effects 1", ids[i], r, want)
		}
		if c, err := rc.Get(context.Background(), "effects:"+ids[i]).Int64(); err != nil || c != 1 {
			t.Errorf("call %s took effect %d times (%v)", ids[i], c, err)
		}
	}
}
