package zmq_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
)

// startProxy runs f in a goroutine and returns a stop that cancels its ctx and returns f's
// result, and a channel closed when f has returned; the test's cleanup stops it too.
func startProxy(t *testing.T, f func(ctx context.Context) error) (stop func() error, done <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := make(chan struct{})
	var err error
	go func() { err = f(ctx); close(c) }()
	stop = func() error {
		cancel()
		select {
		case <-c:
			return err
		case <-time.After(waitLong):
			t.Errorf("the proxy did not return after its ctx ended")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return stop, c
}

func TestProxyQueue(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		router, dealer := newSocket(t, zmq.ROUTER), newSocket(t, zmq.DEALER)
		front, back := bind(t, router, tr.wildcard()), bind(t, dealer, tr.wildcard())
		stop, _ := startProxy(t, func(ctx context.Context) error { return zmq.Proxy(ctx, router, dealer, nil) })

		wctx, wcancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 2 {
			rep := newSocket(t, zmq.REP)
			connect(t, rep, back)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					m, err := rep.Recv(wctx)
					if err != nil {
						return
					}
					m.Frames = append(m.Frames, []byte(fmt.Sprint("worker", w)))
					if err := rep.Send(wctx, m); err != nil {
						return
					}
				}
			}()
		}
		defer func() { wcancel(); wg.Wait() }()

		var cg sync.WaitGroup
		for c := range 3 {
			req := newSocket(t, zmq.REQ)
			connect(t, req, front)
			cg.Add(1)
			go func() {
				defer cg.Done()
				for i := range 5 {
					ctx, cancel := within(waitLong)
					q := fmt.Sprintf("client%d-%d", c, i)
					err := req.Send(ctx, zmq.NewMsgString(q, "second frame"))
					var m zmq.Msg
					if err == nil {
						m, err = req.Recv(ctx)
					}
					cancel()
					if err != nil {
						t.Errorf("%s: %v", q, err)
						return
					}
					if m.Len() != 3 || string(m.Frames[0]) != q || string(m.Frames[1]) != "second frame" {
						t.Errorf("%s got the reply %q", q, m)
						return
					}
				}
			}()
		}
		cg.Wait()
		if err := stop(); !errors.Is(err, context.Canceled) {
			t.Fatalf("Proxy returned %v after cancel; want context.Canceled", err)
		}
	})
}

// publishUntil publishes topic+"!" every few milliseconds until sub receives it.
func publishUntil(t *testing.T, pub, sub *zmq.Socket, topic string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		sendString(t, pub, topic+"!", "body")
		ctx, cancel := within(20 * time.Millisecond)
		m, err := sub.Recv(ctx)
		cancel()
		if err == nil {
			if string(m.Frames[0]) != topic+"!" || m.Len() != 2 {
				t.Fatalf("waiting for %q: got %q", topic, m)
			}
			return
		}
	}
	t.Fatalf("%q never arrived through the forwarder", topic)
}

// drain discards what s has queued.
func drain(s *zmq.Socket) {
	for {
		ctx, cancel := within(20 * time.Millisecond)
		_, err := s.Recv(ctx)
		cancel()
		if err != nil {
			return
		}
	}
}

// TestProxyForwarder: publisher → XSUB|XPUB Proxy → subscribers, one joining late and one
// unsubscribing (the chain of go-zeromq/zmq4 issues #108 and #136).
func TestProxyForwarder(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub := newSocket(t, zmq.PUB)
		xsub, xpub := newSocket(t, zmq.XSUB), newSocket(t, zmq.XPUB)
		link(t, tr, pub, xsub)
		front := bind(t, xpub, tr.wildcard())
		startProxy(t, func(ctx context.Context) error { return zmq.Proxy(ctx, xsub, xpub, nil) })

		s1 := newSocket(t, zmq.SUB)
		subscribe(t, s1, "news.", "ctl.")
		connect(t, s1, front)
		publishUntil(t, pub, s1, "news.a")

		// A late subscriber to another topic gets it; the first one does not.
		s2 := newSocket(t, zmq.SUB)
		subscribe(t, s2, "sports.")
		connect(t, s2, front)
		publishUntil(t, pub, s2, "sports.a")
		drain(s1)
		sendString(t, pub, "sports.b", "body")
		sendString(t, pub, "ctl.b", "body")
		expectRecvString(t, s1, "ctl.b", "body")

		// After s1 unsubscribes from news., the unsubscription reaches the publisher through
		// the proxy and news stops arriving.
		if err := s1.Unsubscribe([]byte("news.")); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(waitLong)
		for {
			drain(s1)
			sendString(t, pub, "news.c", "body")
			sendString(t, pub, "ctl.c", "body")
			m := recvWithin(t, s1, waitLong)
			if string(m.Frames[0]) == "ctl.c" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("news still arrives after Unsubscribe")
			}
		}
		sendString(t, pub, "news.d", "body")
		sendString(t, pub, "ctl.d", "body")
		expectRecvString(t, s1, "ctl.d", "body")
		// s2 still gets what it asked for.
		drain(s2)
		sendString(t, pub, "sports.e", "body")
		expectRecvString(t, s2, "sports.e", "body")
	})
}

func TestProxyStreamerCapture(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		src, front := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
		back, sink := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
		capture, tap := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
		link(t, tr, front, src)
		link(t, tr, sink, back)
		link(t, tr, tap, capture)
		startProxy(t, func(ctx context.Context) error { return zmq.Proxy(ctx, front, back, capture) })

		big := make([]byte, 100_000)
		for i := range big {
			big[i] = byte(i)
		}
		for i := range 50 {
			send(t, src, []byte(fmt.Sprint(i)), nil, big)
		}
		for i := range 50 {
			want := [][]byte{[]byte(fmt.Sprint(i)), {}, big}
			expectRecv(t, sink, want...)
			expectRecv(t, tap, want...)
		}
	})
}

// stats asks control for the proxy's STATISTICS.
func stats(t *testing.T, control *zmq.Socket) [8]uint64 {
	t.Helper()
	sendString(t, control, "STATISTICS")
	m := recvWithin(t, control, waitLong)
	var s [8]uint64
	if m.Len() != 8 {
		t.Fatalf("STATISTICS replied %d frames", m.Len())
	}
	for i, f := range m.Frames {
		if len(f) != 8 {
			t.Fatalf("STATISTICS frame %d has %d bytes", i, len(f))
		}
		s[i] = binary.LittleEndian.Uint64(f)
	}
	return s
}

func TestSteerableProxy(t *testing.T) {
	for _, ctlType := range []zmq.Type{zmq.REP, zmq.PAIR} {
		t.Run(ctlType.String(), func(t *testing.T) {
			tr := transports[0] // tcp
			src, front := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
			back, sink := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
			link(t, tr, front, src)
			link(t, tr, sink, back)
			control := newSocket(t, ctlType)
			client := newSocket(t, map[zmq.Type]zmq.Type{zmq.REP: zmq.REQ, zmq.PAIR: zmq.PAIR}[ctlType])
			link(t, tr, control, client)
			stop, done := startProxy(t, func(ctx context.Context) error {
				return zmq.SteerableProxy(ctx, front, back, nil, control)
			})
			command := func(cmd string) {
				t.Helper()
				sendString(t, client, cmd)
				if ctlType == zmq.REP {
					expectRecv(t, client, []byte{})
				}
			}

			sendString(t, src, "a", "bb")
			sendString(t, src, "ccc")
			expectRecvString(t, sink, "a", "bb")
			expectRecvString(t, sink, "ccc")
			if got, want := stats(t, client), [8]uint64{2, 6, 0, 0, 0, 0, 2, 6}; got != want {
				t.Fatalf("STATISTICS = %v, want %v", got, want)
			}

			command("PAUSE")
			stats(t, client) // PAIR has no reply to PAUSE: this one says it was taken
			sendString(t, src, "paused")
			expectNoMsg(t, sink, waitShort)
			command("RESUME")
			expectRecvString(t, sink, "paused")
			if got := stats(t, client); got[0] != 3 || got[6] != 3 {
				t.Fatalf("STATISTICS after RESUME = %v", got)
			}

			command("TERMINATE")
			select {
			case <-done:
				if err := stop(); err != nil {
					t.Fatalf("SteerableProxy after TERMINATE = %v; want nil", err)
				}
			case <-time.After(waitLong):
				t.Fatal("SteerableProxy did not return after TERMINATE")
			}
		})
	}
}

func TestProxyReturnsOnClose(t *testing.T) {
	router, dealer := newSocket(t, zmq.ROUTER), newSocket(t, zmq.DEALER)
	stop, done := startProxy(t, func(ctx context.Context) error { return zmq.Proxy(ctx, router, dealer, nil) })
	// Close while both of its forwarders wait in Recv.
	ctx, cancel := within(waitLong)
	defer cancel()
	if err := parked.AtLeast(ctx, parked.Where{Func: "zmq.(*proxyRun).forward", States: parked.Select}, 2); err != nil {
		t.Fatal(err)
	}
	dealer.Close()
	select {
	case <-done:
		if err := stop(); !errors.Is(err, zmq.ErrClosed) {
			t.Fatalf("Proxy after its backend closed = %v; want ErrClosed", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Proxy did not return when its backend closed")
	}
}

// TestSteerableProxyAnswersWhileBackendFull: a message the backend cannot take yet (no peer)
// must not hold up the control socket. libzmq's proxy reads only what the other side can take,
// so STATISTICS, PAUSE and TERMINATE are always answered; the message, once a peer comes, goes
// on and is counted then.
func TestSteerableProxyAnswersWhileBackendFull(t *testing.T) {
	tr := transports[0] // tcp
	src, front := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
	back := newSocket(t, zmq.PUSH)
	link(t, tr, front, src)
	control, client := newSocket(t, zmq.PAIR), newSocket(t, zmq.PAIR)
	link(t, tr, control, client)
	stop, done := startProxy(t, func(ctx context.Context) error {
		return zmq.SteerableProxy(ctx, front, back, nil, control)
	})
	sendString(t, src, "waiting")
	// The proxy has the message, or will soon: either way nothing has been passed on.
	if got, want := stats(t, client), [8]uint64{}; got != want {
		t.Fatalf("STATISTICS with no backend peer = %v, want %v", got, want)
	}
	sink := newSocket(t, zmq.PULL)
	link(t, tr, sink, back)
	expectRecvString(t, sink, "waiting")
	if got, want := stats(t, client), [8]uint64{1, 7, 0, 0, 0, 0, 1, 7}; got != want {
		t.Fatalf("STATISTICS once passed on = %v, want %v", got, want)
	}
	sink.Close()
	sendString(t, src, "stuck again")
	stats(t, client)
	sendString(t, client, "TERMINATE")
	select {
	case <-done:
		if err := stop(); err != nil {
			t.Fatalf("SteerableProxy after TERMINATE = %v; want nil", err)
		}
	case <-time.After(waitLong):
		t.Fatal("SteerableProxy did not return after TERMINATE")
	}
}
