package interop

import (
	"fmt"
	"slices"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// TestMonitorEventsMatchLibzmq runs each scenario twice against the same libzmq peer: once with
// a libzmq socket under observation, once with a purezmq one, and requires the same events in
// the same order (with the same values where libzmq's are deterministic: protocol error codes
// and ZAP status codes; CONNECT_RETRIED's interval has random jitter in libzmq).
func TestMonitorEventsMatchLibzmq(t *testing.T) {
	for _, sc := range monitorScenarios {
		for _, tr := range transports {
			t.Run(sc.name+"/"+tr, func(t *testing.T) {
				lib := sc.run(t, tr, false)
				pure := sc.run(t, tr, true)
				want := lib
				if sc.expect != nil {
					want, pure = sc.expect(slices.Clone(lib)), sc.expect(pure)
				}
				t.Logf("libzmq %v", lib)
				if !slices.Equal(want, pure) {
					t.Errorf("events differ\nlibzmq:   %v\nexpected: %v\npurezmq:  %v", lib, want, pure)
				}
			})
		}
	}
}

// watched is the socket under observation, libzmq's or purezmq's, with its events.
type watched struct {
	bind    func(addr string) string
	connect func(ep string)
	close   func()
	next    func() (zmq.EventType, int) // the next event and its value
}

// watchOpts are the options a scenario gives the watched socket.
type watchOpts struct{ plainServer bool }

func newWatched(t *testing.T, c *zmq4.Context, typ zmq.Type, pure bool, o watchOpts) watched {
	t.Helper()
	if pure {
		opts := []zmq.Option{zmq.WithReconnectIvl(50 * time.Millisecond)}
		if o.plainServer {
			opts = append(opts, zmq.WithPlainServer(true))
		}
		s := newPure(t, typ, opts...)
		ch, stop := s.Monitor(zmq.EventAll)
		t.Cleanup(stop)
		return watched{
			bind: func(addr string) string { return pureBind(t, s, addr) },
			connect: func(ep string) {
				if err := s.Connect(ep); err != nil {
					t.Fatal(err)
				}
			},
			close: func() { closePure(t, s) },
			next: func() (zmq.EventType, int) {
				select {
				case e := <-ch:
					return e.Type, e.Value
				case <-time.After(ioTimeout):
					t.Fatal("purezmq monitor: no event")
					return 0, 0
				}
			},
		}
	}
	s := newLib(t, c, typ)
	if err := s.SetReconnectIvl(50 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if o.plainServer {
		if err := s.SetPlainServer(1); err != nil {
			t.Fatal(err)
		}
	}
	mon := newMonitor(t, c, s)
	return watched{
		bind: func(addr string) string { return libBind(t, s, addr) },
		connect: func(ep string) {
			if err := s.Connect(ep); err != nil {
				t.Fatal(err)
			}
		},
		close: func() { closeLib(t, s) },
		next: func() (zmq.EventType, int) {
			ev, _, val, err := mon.s.RecvEvent(0)
			if err != nil {
				t.Fatalf("libzmq monitor: %v", err)
			}
			return zmq.EventType(ev), val
		},
	}
}

// until collects w's events up to and including one of type last, each as its name, with the
// value where it is deterministic.
func (w watched) until(t *testing.T, last zmq.EventType) []string {
	t.Helper()
	var got []string
	for len(got) < 20 {
		typ, val := w.next()
		s := typ.String()
		if typ&(zmq.EventHandshakeFailedProtocol|zmq.EventHandshakeFailedAuth) != 0 {
			s += fmt.Sprintf("(%#x)", val)
		}
		got = append(got, s)
		if typ == last {
			return got
		}
	}
	t.Fatalf("no %v in %v", last, got)
	return nil
}

var monitorScenarios = []struct {
	name string
	run  func(t *testing.T, tr string, pure bool) []string
	// expect drops from both sides' events what libzmq itself reports or not, by timing;
	// nil when they must be the same.
	expect func(events []string) []string
}{
	{"connect-then-peer-closes", func(t *testing.T, tr string, pure bool) []string {
		c := newLibCtx(t)
		peer := newLib(t, c, zmq.PULL)
		ep := libBind(t, peer, bindAddr(t, tr))
		w := newWatched(t, c, zmq.PUSH, pure, watchOpts{})
		w.connect(ep)
		got := w.until(t, zmq.EventHandshakeSucceeded)
		closeLib(t, peer)
		got = append(got, w.until(t, zmq.EventConnectRetried)...)
		got = append(got, w.until(t, zmq.EventConnectRetried)...)
		w.close()
		return got
	}, nil},
	{"accept-then-peer-closes", func(t *testing.T, tr string, pure bool) []string {
		c := newLibCtx(t)
		w := newWatched(t, c, zmq.PULL, pure, watchOpts{})
		ep := w.bind(bindAddr(t, tr))
		peer := newLib(t, c, zmq.PUSH)
		if err := peer.Connect(ep); err != nil {
			t.Fatal(err)
		}
		got := w.until(t, zmq.EventHandshakeSucceeded)
		closeLib(t, peer)
		got = append(got, w.until(t, zmq.EventDisconnected)...)
		w.close()
		return got
	}, nil},
	{"mechanism-mismatch", func(t *testing.T, tr string, pure bool) []string {
		c := newLibCtx(t)
		w := newWatched(t, c, zmq.PULL, pure, watchOpts{plainServer: true})
		ep := w.bind(bindAddr(t, tr))
		peer := newLib(t, c, zmq.PUSH)
		if err := peer.Connect(ep); err != nil {
			t.Fatal(err)
		}
		got := w.until(t, zmq.EventDisconnected)
		w.close()
		return got
	}, func(events []string) []string {
		// A libzmq client that has our whole greeting may hang up before its own has left its
		// queue (it reads before it writes): the server then sees only EOF. purezmq greets in
		// steps, as libzmq does, and mostly gets the client's mechanism in time, but not
		// always; both forms are compared as the EOF. Against a purezmq peer the mismatch is
		// always reported (TestMonitorMechanismMismatch).
		for i, e := range events {
			if e == "HANDSHAKE_FAILED_PROTOCOL(0x11000002)" {
				events[i] = "HANDSHAKE_FAILED_NO_DETAIL"
			}
		}
		return events
	}},
	{"socket-type-mismatch", func(t *testing.T, tr string, pure bool) []string {
		c := newLibCtx(t)
		w := newWatched(t, c, zmq.PULL, pure, watchOpts{})
		ep := w.bind(bindAddr(t, tr))
		peer := newLib(t, c, zmq.REQ)
		if err := peer.Connect(ep); err != nil {
			t.Fatal(err)
		}
		got := w.until(t, zmq.EventDisconnected)
		w.close()
		return got
	}, func(lib []string) []string {
		// libzmq 4.3.4 reports a wrong socket type as a plain DISCONNECTED when it reads the
		// REQ's READY, and adds HANDSHAKE_FAILED_NO_DETAIL when the REQ, which read ours
		// first, has hung up before that (mostly over ipc). purezmq greets in the same steps
		// and races the same way, so both are compared without that event.
		return slices.DeleteFunc(lib, func(e string) bool { return e == "HANDSHAKE_FAILED_NO_DETAIL" })
	}},
}
