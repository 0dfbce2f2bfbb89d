package interop

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// TestHeartbeatPurePings has purezmq PING a libzmq peer every 20 ms with a 100 ms TTL, and libzmq
// (with no heartbeat of its own) answer: the PINGs and libzmq's PONGs keep the idle connection up
// on both sides, and it still carries messages.
func TestHeartbeatPurePings(t *testing.T) {
	for _, tr := range transports {
		for _, pureBinds := range []bool{false, true} {
			name := "DEALER-ROUTER/" + tr + "/lib-binds"
			if pureBinds {
				name = "DEALER-ROUTER/" + tr + "/pure-binds"
			}
			t.Run(name, func(t *testing.T) {
				pd := newPure(t, zmq.DEALER, zmq.WithHeartbeatIvl(20*time.Millisecond),
					zmq.WithHeartbeatTTL(100*time.Millisecond), zmq.WithHeartbeatTimeout(100*time.Millisecond))
				ctx := newLibCtx(t)
				lr := newLib(t, ctx, zmq.ROUTER)
				if err := lr.SetHeartbeatTimeout(30 * time.Millisecond); err != nil {
					t.Fatal(err)
				}
				mon := newMonitor(t, ctx, lr)
				if pureBinds {
					if err := lr.Connect(pureBind(t, pd, bindAddr(t, tr))); err != nil {
						t.Fatal(err)
					}
				} else if err := pd.Connect(libBind(t, lr, bindAddr(t, tr))); err != nil {
					t.Fatal(err)
				}
				mon.await(t, zmq4.EVENT_HANDSHAKE_SUCCEEDED)
				mon.none(t, zmq4.EVENT_DISCONNECTED) // 10 heartbeats, each ending libzmq's TTL anew
				routeBack(t, pd, lr, "still there")
			})
		}
	}
}

// routeBack sends body from a purezmq DEALER to a libzmq ROUTER and back by the routing id the
// ROUTER gave it.
func routeBack(t *testing.T, dealer *zmq.Socket, router *zmq4.Socket, body string) {
	t.Helper()
	mustSend(t, purePeer{dealer}, [][]byte{[]byte(body)})
	got, err := libPeer{router}.recv()
	if err != nil || len(got) != 2 || string(got[1]) != body {
		t.Fatalf("libzmq ROUTER received %q, %v", got, err)
	}
	mustSend(t, libPeer{router}, [][]byte{got[0], []byte(body)})
	expect(t, purePeer{dealer}, [][]byte{[]byte(body)})
}

// TestHeartbeatSilentLibzmqDropped puts a relay between a purezmq DEALER and a libzmq ROUTER and
// then makes the relay swallow everything, as a network partition would. Before that, libzmq's
// PONGs keep purezmq's connection up; after, purezmq drops it within HEARTBEAT_TIMEOUT and
// reconnects, and libzmq drops its end when the TTL announced in purezmq's PINGs runs out.
func TestHeartbeatSilentLibzmqDropped(t *testing.T) {
	const ivl, timeout, ttl = 20 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond
	pd := newPure(t, zmq.DEALER, zmq.WithHeartbeatIvl(ivl), zmq.WithHeartbeatTimeout(timeout),
		zmq.WithHeartbeatTTL(ttl), zmq.WithReconnectIvl(20*time.Millisecond))
	ctx := newLibCtx(t)
	lr := newLib(t, ctx, zmq.ROUTER)
	mon := newMonitor(t, ctx, lr)
	rl := newRelay(t, strings.TrimPrefix(libBind(t, lr, "tcp://127.0.0.1:*"), "tcp://"))
	if err := pd.Connect("tcp://" + rl.addr()); err != nil {
		t.Fatal(err)
	}
	first := rl.next(t)
	mon.await(t, zmq4.EVENT_HANDSHAKE_SUCCEEDED)
	routeBack(t, pd, lr, "before")
	mon.none(t, zmq4.EVENT_DISCONNECTED) // purezmq PINGs, libzmq answers: both ends stay
	select {
	case <-first.frontClosed:
		t.Fatal("purezmq dropped a libzmq peer that answered its PINGs")
	default:
	}

	first.blackhole.Store(true)
	start := time.Now()
	select {
	case <-first.frontClosed:
		if el := time.Since(start); el < timeout {
			t.Errorf("purezmq hung up %v after the partition, before HEARTBEAT_TIMEOUT", el)
		}
	case <-time.After(ioTimeout):
		t.Fatal("purezmq did not drop the silent peer")
	}
	// The relay keeps libzmq's end open: only the TTL from purezmq's PINGs can end it.
	mon.await(t, zmq4.EVENT_DISCONNECTED)
	// The TTL runs from the last PING libzmq received, at most an interval before the partition.
	if el := time.Since(start); el < ttl-2*ivl {
		t.Errorf("libzmq hung up %v after the partition, well before the %v TTL", el, ttl)
	}
	rl.next(t) // purezmq reconnects on its own
	routeBack(t, pd, lr, "after")
}

// relay forwards tcp connections to target; a link whose blackhole is set swallows what either
// side sends and stays open.
type relay struct {
	l        net.Listener
	accepted chan *relayLink
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

type relayLink struct {
	blackhole   atomic.Bool
	frontClosed chan struct{} // the connecting side hung up
}

func newRelay(t *testing.T, target string) *relay {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{l: l, accepted: make(chan *relayLink, 16), done: make(chan struct{})}
	r.wg.Add(1)
	go r.accept(target)
	t.Cleanup(func() {
		close(r.done)
		l.Close()
		r.mu.Lock()
		for _, c := range r.conns {
			c.Close()
		}
		r.mu.Unlock()
		r.wg.Wait()
	})
	return r
}

func (r *relay) addr() string { return r.l.Addr().String() }

func (r *relay) accept(target string) {
	defer r.wg.Done()
	for {
		front, err := r.l.Accept()
		if err != nil {
			return
		}
		back, err := net.Dial("tcp4", target)
		if err != nil {
			front.Close()
			continue
		}
		r.mu.Lock()
		r.conns = append(r.conns, front, back)
		r.mu.Unlock()
		k := &relayLink{frontClosed: make(chan struct{})}
		r.wg.Add(2)
		go func() {
			defer r.wg.Done()
			k.pump(front, back)
			close(k.frontClosed)
		}()
		go func() {
			defer r.wg.Done()
			k.pump(back, front)
		}()
		select {
		case r.accepted <- k:
		case <-r.done:
		}
	}
}

// pump copies src to dst until src ends, then closes dst unless the link is a black hole.
func (k *relayLink) pump(src, dst net.Conn) {
	b := make([]byte, 32<<10)
	for {
		n, err := src.Read(b)
		if n > 0 && !k.blackhole.Load() {
			if _, werr := dst.Write(b[:n]); werr != nil {
				src.Close()
				return
			}
		}
		if err != nil {
			if !k.blackhole.Load() {
				dst.Close()
			}
			return
		}
	}
}

func (r *relay) next(t *testing.T) *relayLink {
	t.Helper()
	select {
	case k := <-r.accepted:
		return k
	case <-time.After(ioTimeout):
		t.Fatal("no connection through the relay")
		return nil
	}
}
