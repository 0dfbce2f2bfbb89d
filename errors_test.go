package zmq_test

import (
	"context"
	"errors"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
)

// Errors a program can branch on, as a libzmq program branches on errno.

// TestErrAgain: a Send or Recv that cannot complete before its ctx's deadline, or whose ctx is
// already done (libzmq's ZMQ_DONTWAIT), fails with ErrAgain (EAGAIN) wrapping the ctx's error;
// the caller cancelling a call that waits is only the ctx's error.
func TestErrAgain(t *testing.T) {
	t.Parallel()
	push := newSocket(t, zmq.PUSH) // no peer: Send waits
	pull := newSocket(t, zmq.PULL) // nothing to receive: Recv waits
	send := func(ctx context.Context) error { return push.Send(ctx, zmq.NewMsgString("x")) }
	recv := func(ctx context.Context) error { _, err := pull.Recv(ctx); return err }
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, op := range []struct {
		name string
		call func(context.Context) error
	}{{"Send", send}, {"Recv", recv}} {
		if err := op.call(done); !errors.Is(err, zmq.ErrAgain) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled ctx: %v, want ErrAgain and context.Canceled", op.name, err)
		}
		ctx, cancel := within(waitShort)
		err := op.call(ctx)
		cancel()
		if !errors.Is(err, zmq.ErrAgain) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s past its deadline: %v, want ErrAgain and context.DeadlineExceeded", op.name, err)
		}
	}
	for _, op := range []struct {
		name  string
		call  func(context.Context) error
		where string
	}{{"Send", send, "socket.(*Socket).Send"}, {"Recv", recv, "socket.(*Socket).Recv"}} {
		ctx, cancel := context.WithCancel(context.Background())
		res := make(chan error, 1)
		id := goID(func() { res <- op.call(ctx) })
		waitParked(t, parked.Where{Func: op.where, States: parked.Select}, id)
		cancel()
		if err := <-res; !errors.Is(err, context.Canceled) || errors.Is(err, zmq.ErrAgain) {
			t.Errorf("%s cancelled while it waits: %v, want context.Canceled alone", op.name, err)
		}
	}
}

// TestEndpointErrors: an unknown transport is EPROTONOSUPPORT, a malformed address EINVAL, and
// every endpoint operation's error is an *OpError naming the operation and the endpoint.
func TestEndpointErrors(t *testing.T) {
	t.Parallel()
	s := newSocket(t, zmq.PUSH)
	ops := []struct {
		name string
		call func(string) error
	}{{"bind", s.Bind}, {"connect", s.Connect}, {"unbind", s.Unbind}, {"disconnect", s.Disconnect}}
	for _, tc := range []struct {
		ep      string
		want    error
		notWant error
	}{
		{"foo://x", zmq.ErrTransportNotSupported, zmq.ErrEndpoint},
		{"tipc://{5560,0,0}", zmq.ErrTransportNotSupported, zmq.ErrEndpoint}, // libzmq has it on Linux; purezmq not
		{"tcp://127.0.0.1:port", zmq.ErrEndpoint, zmq.ErrTransportNotSupported},
		{"tcp//127.0.0.1:5555", zmq.ErrEndpoint, zmq.ErrTransportNotSupported},
		{"ipc://", zmq.ErrEndpoint, zmq.ErrTransportNotSupported},
	} {
		for _, op := range ops {
			err := op.call(tc.ep)
			if !errors.Is(err, tc.want) || errors.Is(err, tc.notWant) {
				t.Errorf("%s(%q): %v, want %v and not %v", op.name, tc.ep, err, tc.want, tc.notWant)
			}
			if tc.want == zmq.ErrEndpoint && !errors.Is(err, zmq.ErrInvalid) {
				t.Errorf("%s(%q): %v, want it to match ErrInvalid (EINVAL)", op.name, tc.ep, err)
			}
			var oe *zmq.OpError
			if !errors.As(err, &oe) || oe.Op != op.name || oe.Endpoint != tc.ep {
				t.Errorf("%s(%q): %v, want an *OpError{Op: %q, Endpoint: %q}", op.name, tc.ep, err, op.name, tc.ep)
			}
		}
	}
	ep := bind(t, newSocket(t, zmq.PULL), "tcp://127.0.0.1:*")
	var oe *zmq.OpError
	if err := newSocket(t, zmq.PULL).Bind(ep); !errors.Is(err, zmq.ErrAddrInUse) || !errors.As(err, &oe) || oe.Op != "bind" {
		t.Errorf("Bind(%s) twice: %v, want an *OpError matching ErrAddrInUse", ep, err)
	}
	if err := s.Unbind(ep); !errors.Is(err, zmq.ErrNotFound) || !errors.As(err, &oe) || oe.Op != "unbind" {
		t.Errorf("Unbind(%s) of another socket's endpoint: %v, want an *OpError matching ErrNotFound", ep, err)
	}
}

// TestUnbindWildcard: as libzmq, Unbind takes the endpoint Bind resolved (LastEndpoint), not the
// wildcard given to Bind, which names no endpoint (ENOENT).
func TestUnbindWildcard(t *testing.T) {
	t.Parallel()
	for _, wildcard := range []string{"tcp://127.0.0.1:*", "tcp://127.0.0.1:0", "ipc://*"} {
		s := newSocket(t, zmq.PULL)
		ep := bind(t, s, wildcard)
		if err := s.Unbind(wildcard); !errors.Is(err, zmq.ErrNotFound) {
			t.Errorf("Unbind(%q): %v, want ErrNotFound", wildcard, err)
		}
		if err := s.Unbind(ep); err != nil {
			t.Errorf("Unbind(%q) after binding %q: %v", ep, wildcard, err)
		}
	}
	// A host name or "*" is resolved, as libzmq resolves it: only the port has to be given.
	s := newSocket(t, zmq.PULL)
	ep := bind(t, s, "tcp://127.0.0.1:*")
	port := ep[len("tcp://127.0.0.1:"):]
	if err := s.Unbind("tcp://localhost:" + port); err != nil {
		t.Errorf("Unbind(tcp://localhost:%s) after binding %s: %v", port, ep, err)
	}
}

// TestInvalidArguments: EINVAL and ENOTSUP, as libzmq returns them.
func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	push := newSocket(t, zmq.PUSH)
	ctx, cancel := within(waitShort)
	defer cancel()
	if err := push.Send(ctx, zmq.Msg{}); !errors.Is(err, zmq.ErrInvalid) || errors.Is(err, zmq.ErrState) {
		t.Errorf("Send of a message with no frame: %v, want ErrInvalid", err)
	}
	// ZMQ_SERVER is a type libzmq has (as a draft) and purezmq has not; 99 is no type at all.
	if _, err := zmq.NewSocket(zmq.Type(12)); !errors.Is(err, zmq.ErrNotSupported) {
		t.Errorf("NewSocket(Type(12)): %v, want ErrNotSupported", err)
	}
	if _, err := zmq.NewSocket(zmq.Type(99)); !errors.Is(err, zmq.ErrInvalid) {
		t.Errorf("NewSocket(Type(99)): %v, want ErrInvalid", err)
	}
}

// TestOptionTypes: an option only some socket types have is refused on the others with EINVAL,
// as libzmq's zmq_setsockopt refuses it; options libzmq keeps for every type are accepted.
func TestOptionTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ zmq.Type
		opt zmq.Option
		id  zmq.OptionID
		ok  bool
	}{
		{zmq.SUB, zmq.WithXPubVerbose(true), zmq.OptXPubVerbose, false},
		{zmq.PUB, zmq.WithXPubVerbose(true), zmq.OptXPubVerbose, true}, // libzmq's PUB is an XPUB
		{zmq.XPUB, zmq.WithXPubVerbose(true), zmq.OptXPubVerbose, true},
		{zmq.PUSH, zmq.WithRouterMandatory(true), zmq.OptRouterMandatory, false},
		{zmq.DEALER, zmq.WithRouterHandover(true), zmq.OptRouterHandover, false},
		{zmq.ROUTER, zmq.WithRouterMandatory(true), zmq.OptRouterMandatory, true},
		{zmq.REQ, zmq.WithProbeRouter(true), zmq.OptProbeRouter, true}, // libzmq's REQ is a DEALER
		{zmq.PUB, zmq.WithProbeRouter(true), zmq.OptProbeRouter, false},
		{zmq.DEALER, zmq.WithReqCorrelate(true), zmq.OptReqCorrelate, false},
		{zmq.REP, zmq.WithReqRelaxed(true), zmq.OptReqRelaxed, false},
		{zmq.SUB, zmq.WithXPubNoDrop(true), zmq.OptXPubNoDrop, false},
		{zmq.XSUB, zmq.WithXPubManual(true), zmq.OptXPubManual, false},
		{zmq.PULL, zmq.WithXPubWelcomeMsg([]byte("hi")), zmq.OptXPubWelcomeMsg, false},
		{zmq.XSUB, zmq.WithOnlyFirstSubscribe(true), zmq.OptOnlyFirstSubscribe, true},
		{zmq.SUB, zmq.WithOnlyFirstSubscribe(true), zmq.OptOnlyFirstSubscribe, false},
		{zmq.PUSH, zmq.WithConflate(true), zmq.OptConflate, true},               // generic in libzmq
		{zmq.DEALER, zmq.WithInvertMatching(true), zmq.OptInvertMatching, true}, // generic in libzmq
		{zmq.PAIR, zmq.WithXPubVerboser(false), zmq.OptXPubVerboser, false},     // the value does not matter
		{zmq.DEALER, zmq.WithRouterNotify(zmq.NotifyConnect), zmq.OptRouterNotify, false},
		{zmq.ROUTER, zmq.WithRouterNotify(zmq.NotifyConnect), zmq.OptRouterNotify, true},
		{zmq.ROUTER, zmq.WithStreamNotify(true), zmq.OptStreamNotify, false},
		{zmq.STREAM, zmq.WithStreamNotify(false), zmq.OptStreamNotify, true},
		{zmq.STREAM, zmq.WithRouterMandatory(true), zmq.OptRouterMandatory, false},
	} {
		check := func(how string, err error) {
			t.Helper()
			switch {
			case tc.ok && err != nil:
				t.Errorf("%v with %v (%s): %v", tc.typ, tc.id, how, err)
			case !tc.ok && (!errors.Is(err, zmq.ErrInvalid) || !errors.Is(err, zmq.ErrOption)):
				t.Errorf("%v with %v (%s): %v, want ErrOption (EINVAL)", tc.typ, tc.id, how, err)
			}
		}
		for _, opt := range []zmq.Option{tc.opt, zmq.WithOption(tc.id, optionValue(tc.id))} {
			s, err := zmq.NewSocket(tc.typ, opt)
			if s != nil {
				s.Close()
			}
			check("NewSocket", err)
		}
		s := newSocket(t, tc.typ)
		check("SetOption", s.SetOption(tc.id, optionValue(tc.id)))
		check("SetOptions", s.SetOptions(tc.opt))
	}
	// An option set again on a type that takes it is taken again.
	s := newSocket(t, zmq.XPUB)
	for range 3 {
		if err := s.SetOption(zmq.OptXPubVerbose, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetConnectRoutingID([]byte("x")); !errors.Is(err, zmq.ErrOption) {
		t.Errorf("SetConnectRoutingID on an XPUB: %v, want ErrOption", err)
	}
}

func optionValue(id zmq.OptionID) any {
	if id == zmq.OptXPubWelcomeMsg {
		return []byte("hi")
	}
	return 1
}

// TestClosedSocketOrContext: a socket's own Close and its context's are told apart, as libzmq's
// ENOTSOCK and ETERM; both match ErrClosed (and net.ErrClosed).
func TestClosedSocketOrContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := within(waitShort)
	defer cancel()
	s := newSocket(t, zmq.PULL)
	s.Close()
	if _, err := s.Recv(ctx); !errors.Is(err, zmq.ErrClosed) || errors.Is(err, zmq.ErrContextClosed) {
		t.Errorf("Recv on a closed socket: %v, want ErrClosed and not ErrContextClosed", err)
	}
	zc := zmq.NewContext()
	s, err := zc.NewSocket(zmq.PULL)
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan error, 1)
	id := goID(func() { _, err := s.Recv(context.Background()); res <- err })
	waitParked(t, parked.Where{Func: "socket.(*Socket).Recv", States: parked.Select}, id)
	zc.Close()
	if err := <-res; !errors.Is(err, zmq.ErrContextClosed) || !errors.Is(err, zmq.ErrClosed) {
		t.Errorf("Recv blocked as its context closes: %v, want ErrContextClosed and ErrClosed", err)
	}
	if err := s.Send(ctx, zmq.NewMsgString("x")); !errors.Is(err, zmq.ErrContextClosed) {
		t.Errorf("Send after its context closed: %v, want ErrContextClosed", err)
	}
	if err := s.Bind("tcp://127.0.0.1:*"); !errors.Is(err, zmq.ErrContextClosed) {
		t.Errorf("Bind after its context closed: %v, want ErrContextClosed", err)
	}
	if _, err := zc.NewSocket(zmq.PULL); !errors.Is(err, zmq.ErrContextClosed) {
		t.Errorf("NewSocket in a closed context: %v, want ErrContextClosed", err)
	}
}

// TestMsgTooLarge: a peer whose message is above MAXMSGSIZE loses its connection, and the
// DISCONNECTED event says why with ErrMsgTooLarge.
func TestMsgTooLarge(t *testing.T) {
	t.Parallel()
	pull := newSocket(t, zmq.PULL, zmq.WithMaxMsgSize(10))
	ch, stop := pull.Monitor(zmq.EventDisconnected)
	defer stop()
	push := newSocket(t, zmq.PUSH)
	connect(t, push, bind(t, pull, "tcp://127.0.0.1:*"))
	send(t, push, make([]byte, 100))
	if e := expectEvents(t, ch, zmq.EventDisconnected)[0]; !errors.Is(e.Err, zmq.ErrMsgTooLarge) {
		t.Errorf("DISCONNECTED: %v, want ErrMsgTooLarge", e.Err)
	}
}
