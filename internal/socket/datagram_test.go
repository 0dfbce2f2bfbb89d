package socket

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// fakecast is a datagram transport whose engines the test drives: what the socket layer asks
// of a multicast engine, and what it does with the answers.
type fakecast struct{}

var fakeOpened = make(chan *fakeEngine, 8)

func init() { transport.Register("fakecast", fakecast{}) }

func (fakecast) CheckAddr(addr string) error {
	_, err := transport.ParseMulticast(addr)
	return err
}

func (fakecast) Open(addr string, c *transport.Config, send bool) (transport.Engine, error) {
	e := &fakeEngine{cfg: *c, send: send, fail: make(chan error, 1), took: make(chan pipe.Msg, 8),
		release: make(chan struct{}), closed: make(chan struct{})}
	fakeOpened <- e
	return e, nil
}

type fakeEngine struct {
	cfg     transport.Config
	send    bool
	busy    atomic.Bool
	fail    chan error    // Run returns what it receives
	took    chan pipe.Msg // what a sender took
	release chan struct{} // a sender holding a message lets it go
	closed  chan struct{}
	once    sync.Once
	closes  atomic.Int32
}

func (e *fakeEngine) Run(l transport.Link) error {
	for {
		var wake <-chan struct{}
		if l.Out != nil {
			wake = l.Out.Wake()
		}
		select {
		case err := <-e.fail:
			return err
		case <-e.closed:
			return nil
		case <-wake:
			e.busy.Store(true)
			ms, _ := l.Out.Drain(nil, 1<<20)
			for _, m := range ms {
				e.took <- m
			}
			select {
			case <-e.release:
			case <-e.closed:
				return nil
			}
			e.busy.Store(false)
			l.Idle()
		}
	}
}

func (e *fakeEngine) Busy() bool { return e.busy.Load() }

func (e *fakeEngine) Close() error {
	e.closes.Add(1)
	e.once.Do(func() { close(e.closed) })
	return nil
}

func opened(t *testing.T) *fakeEngine {
	t.Helper()
	select {
	case e := <-fakeOpened:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no engine opened")
		return nil
	}
}

type sink chan MonitorEvent

func (s sink) Deliver(e MonitorEvent) { s <- e }
func (s sink) Stop()                  {}

// TestDatagramEngineGetsOptions: a PUB opens a sender, a SUB a receiver, each with the
// socket's multicast options and MAXMSGSIZE as they were at Connect.
func TestDatagramEngineGetsOptions(t *testing.T) {
	ctx := NewContext()
	defer ctx.Close()
	for _, tt := range []struct {
		typ  Type
		send bool
	}{{PUB, true}, {XPUB, true}, {SUB, false}, {XSUB, false}} {
		o := DefaultOptions()
		o.Linger = 0
		o.Multicast = transport.Multicast{Rate: 1000, RecoveryIvl: time.Second, Hops: 3, Loop: false, MaxTPDU: 9000}
		o.MaxMsgSize = 4096
		s, err := New(ctx, tt.typ, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Connect("fakecast://lo;239.1.1.1:5555"); err != nil {
			t.Fatal(err)
		}
		e := opened(t)
		if e.send != tt.send || e.cfg.Multicast != o.Multicast || e.cfg.MaxMsgSize != 4096 {
			t.Errorf("%v opened send=%v with %+v, want send=%v with %+v", tt.typ, e.send, e.cfg, tt.send, o.Multicast)
		}
		s.Close()
		<-s.done
		if n := e.closes.Load(); n != 1 {
			t.Errorf("%v: engine closed %d times, want once", tt.typ, n)
		}
	}
}

// TestDatagramLingerWaitsForBusy: Close with LINGER waits for what the engine took and has not
// sent yet (its rate limiter's backlog), not only for the queue.
func TestDatagramLingerWaitsForBusy(t *testing.T) {
	ctx := NewContext()
	defer ctx.Close()
	o := DefaultOptions()
	o.Linger = time.Minute
	s, err := New(ctx, PUB, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Connect("fakecast://lo;239.1.1.1:5555"); err != nil {
		t.Fatal(err)
	}
	e := opened(t)
	if err := s.Send(context.Background(), pipe.Msg{[]byte("held")}); err != nil {
		t.Fatal(err)
	}
	if m := <-e.took; string(m[0]) != "held" {
		t.Fatalf("the engine took %q", m)
	}
	s.Close()
	select {
	case <-e.closed:
		t.Fatal("the engine was closed while it still held a message")
	default:
	}
	close(e.release)
	select {
	case <-e.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the engine was not closed once it had sent what it held")
	}
	<-s.done
}

// TestDatagramRunFails: an engine that fails is reported (DISCONNECTED with its error) and
// leaves the socket's pipes; the endpoint stays until Disconnect, which closes it.
func TestDatagramRunFails(t *testing.T) {
	ctx := NewContext()
	defer ctx.Close()
	o := DefaultOptions()
	o.Linger = 0
	s, err := New(ctx, SUB, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events := make(sink, 8)
	s.AddMonitor(events)
	const ep = "fakecast://lo;239.1.1.1:5555"
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
	e := opened(t)
	boom := errors.New("boom")
	e.fail <- boom
	select {
	case ev := <-events:
		if ev.Type != EvDisconnected || ev.Endpoint != ep || !errors.Is(ev.Err, boom) {
			t.Fatalf("event %+v, want DISCONNECTED of %s with the engine's error", ev, ep)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event for the failed engine")
	}
	s.mu.Lock()
	n := len(s.links)
	s.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d links after the engine failed, want none", n)
	}
	if err := s.Disconnect(ep); err != nil {
		t.Fatal(err)
	}
	if n := e.closes.Load(); n != 1 {
		t.Fatalf("engine closed %d times after Disconnect, want once", n)
	}
}
