package trust_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// burst is how many peers dial at once while Unbind runs.
const burst = 8

// TestRaceUnbindDuringAccept unbinds an endpoint while a burst of peers connects to it: some
// complete the ZMTP handshake, some stop halfway through the greeting, and Unbind comes after
// a different number of them has been accepted in each round. Unbind returns nil within
// waitLong, and every connection that reached the socket is closed: each peer's read ends
// (EOF or reset) within waitLong, whether it was accepted before Unbind, during it, or was
// still in the kernel's backlog. The same socket binds again in the next round, so a
// connection the previous endpoint left behind would also show in the goroutine check.
func TestRaceUnbindDuringAccept(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			zc := zmq.NewContext()
			defer closeWithin(t, "context", zc)
			s := raceSocket(t, zc, zmq.PULL)
			ev := watch(t, s)
			repeat(t, rounds(100), func(t *testing.T, i int) { unbindRound(t, tr, s, ev, i) })
		})
	}
}

func unbindRound(t *testing.T, tr string, s *zmq.Socket, ev *events, i int) {
	what := fmt.Sprintf("%s round %d", tr, i)
	addr := map[string]string{"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*"}[tr]
	if err := s.Bind(addr); err != nil {
		t.Fatalf("%s: Bind: %v", what, err)
	}
	ep := s.LastEndpoint()
	accepted := ev.count(zmq.EventAccepted)
	ended := make(chan error, burst)
	for k := range burst {
		go func() { ended <- dialAndWait(ep, k%2 == 0) }()
	}
	// Unbind once a different number of the burst has been accepted each round.
	ev.waitFor(t, zmq.EventAccepted, accepted+i%(burst/2+1), waitLong)
	if err := await(t, what+": Unbind", async(func() error { return s.Unbind(ep) })); err != nil {
		t.Fatalf("%s: Unbind: %v", what, err)
	}
	for range burst {
		if err := await(t, what+": a peer's connection to end after Unbind", ended); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	if err := s.Unbind(ep); !errors.Is(err, zmq.ErrNotFound) {
		t.Errorf("%s: second Unbind: %v, want ErrNotFound", what, err)
	}
}

// dialAndWait connects to ep and sends a whole NULL handshake as a PUSH (full) or half a
// greeting, then reads until the socket closes the connection. A refused dial is fine (the
// endpoint is gone); a connection still open after waitLong is the error.
func dialAndWait(ep string, full bool) error {
	network, addr := "tcp", strings.TrimPrefix(ep, "tcp://")
	if a, ok := strings.CutPrefix(ep, "ipc://"); ok {
		network, addr = "unix", a
	}
	c, err := net.Dial(network, addr)
	if err != nil {
		return nil
	}
	defer c.Close()
	out := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)
	if full {
		out = zmtp.AppendReady(out, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PUSH")}})
	} else {
		out = out[:zmtp.GreetingSize/2]
	}
	_ = c.SetDeadline(time.Now().Add(waitLong))
	if _, err := c.Write(out); err != nil {
		return nil // closed under us already
	}
	if _, err := io.Copy(io.Discard, c); err != nil && !isReset(err) {
		return fmt.Errorf("a connection accepted on %s still open: %v", ep, err)
	}
	return nil
}

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

// TestRaceDisconnectDuringHandshake disconnects while the socket's handshake is stalled: the
// peer is a raw listener that sends nothing, part of a greeting, a whole one, or a greeting and
// part of READY, and the test waits until the socket's connection is parked in its handshake
// read. In one round of five the peer sends the rest of its handshake as Disconnect starts.
// Disconnect returns nil within waitLong, the peer sees the connection closed, and the
// endpoint is gone (a second Disconnect: ErrNotFound).
func TestRaceDisconnectDuringHandshake(t *testing.T) {
	dir, err := os.MkdirTemp("", "zdh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, tr := range []struct{ name, network, addr string }{
		{"tcp", "tcp4", "127.0.0.1:0"},
		{"ipc", "unix", filepath.Join(dir, "s")},
	} {
		t.Run(tr.name, func(t *testing.T) {
			ln, err := net.Listen(tr.network, tr.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			ep := "tcp://" + ln.Addr().String()
			if tr.network == "unix" {
				ep = "ipc://" + ln.Addr().String()
			}
			zc := zmq.NewContext()
			defer closeWithin(t, "context", zc)
			s := raceSocket(t, zc, zmq.DEALER)
			repeat(t, rounds(100), func(t *testing.T, i int) { disconnectRound(t, tr.name, s, ln, ep, i) })
		})
	}
}

func disconnectRound(t *testing.T, tr string, s *zmq.Socket, ln net.Listener, ep string, i int) {
	what := fmt.Sprintf("%s round %d", tr, i)
	hs := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)
	hs = zmtp.AppendReady(hs, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("ROUTER")}})
	sent := []int{0, 11, zmtp.GreetingSize, zmtp.GreetingSize + 8}[i%4]
	if err := s.Connect(ep); err != nil {
		t.Fatalf("%s: Connect: %v", what, err)
	}
	c := await(t, what+": accept", async(func() net.Conn {
		c, err := ln.Accept()
		if err != nil {
			t.Errorf("%s: Accept: %v", what, err)
		}
		return c
	}))
	if c == nil {
		t.FailNow()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(waitLong))
	if _, err := c.Write(hs[:sent]); err != nil {
		t.Fatalf("%s: raw peer: %v", what, err)
	}
	waitCount(t, what+": handshake stalled", 1, inRead, "engine.Handshake")
	var wg sync.WaitGroup
	if i%5 == 4 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.Write(hs[sent:]) }()
	}
	if err := await(t, what+": Disconnect", async(func() error { return s.Disconnect(ep) })); err != nil {
		t.Fatalf("%s: Disconnect: %v", what, err)
	}
	wg.Wait()
	if _, err := io.Copy(io.Discard, c); err != nil && !isReset(err) {
		t.Fatalf("%s: the connection is still open after Disconnect: %v", what, err)
	}
	if err := s.Disconnect(ep); !errors.Is(err, zmq.ErrNotFound) {
		t.Errorf("%s: second Disconnect: %v, want ErrNotFound", what, err)
	}
}
