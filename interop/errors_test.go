package interop

import (
	"errors"
	"syscall"
	"testing"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// Errors as libzmq 4.3.4 gives them, checked against purezmq's.

var allTypes = []zmq.Type{zmq.PAIR, zmq.PUB, zmq.SUB, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER,
	zmq.PULL, zmq.PUSH, zmq.XPUB, zmq.XSUB, zmq.STREAM}

// TestOptionTypesMatchLibzmq: for every option libzmq takes on some socket types only, and
// every socket type, libzmq's zmq_setsockopt and purezmq's NewSocket agree on whether it is
// taken; a refusal is EINVAL there and ErrOption (ErrInvalid) here.
func TestOptionTypesMatchLibzmq(t *testing.T) {
	c := newLibCtx(t)
	for _, o := range []struct {
		id  zmq.OptionID
		lib func(*zmq4.Socket) error
		val any
	}{
		{zmq.OptRouterMandatory, func(s *zmq4.Socket) error { return s.SetRouterMandatory(1) }, 1},
		{zmq.OptRouterHandover, func(s *zmq4.Socket) error { return s.SetRouterHandover(true) }, 1},
		{zmq.OptProbeRouter, func(s *zmq4.Socket) error { return s.SetProbeRouter(1) }, 1},
		{zmq.OptReqCorrelate, func(s *zmq4.Socket) error { return s.SetReqCorrelate(1) }, 1},
		{zmq.OptReqRelaxed, func(s *zmq4.Socket) error { return s.SetReqRelaxed(1) }, 1},
		{zmq.OptXPubVerbose, func(s *zmq4.Socket) error { return s.SetXpubVerbose(1) }, 1},
		{zmq.OptXPubVerboser, func(s *zmq4.Socket) error { return s.SetXpubVerboser(1) }, 1},
		{zmq.OptXPubNoDrop, func(s *zmq4.Socket) error { return s.SetXpubNodrop(true) }, 1},
		{zmq.OptXPubManual, func(s *zmq4.Socket) error { return s.SetXpubManual(1) }, 1},
		{zmq.OptXPubWelcomeMsg, func(s *zmq4.Socket) error { return s.SetXpubWelcomeMsg("hi") }, "hi"},
		{zmq.OptConflate, func(s *zmq4.Socket) error { return s.SetConflate(true) }, 1},
		{zmq.OptInvertMatching, func(s *zmq4.Socket) error { return s.SetInvertMatching(1) }, 1},
	} {
		for _, typ := range allTypes {
			ls := newLib(t, c, typ)
			libErr := o.lib(ls)
			closeLib(t, ls)
			if libErr != nil && !isErrno(libErr, zmq4.Errno(syscall.EINVAL)) {
				t.Fatalf("libzmq %v %v: %v", typ, o.id, libErr)
			}
			ps, err := zmq.NewSocket(typ, zmq.WithOption(o.id, o.val))
			if ps != nil {
				ps.Close()
			}
			switch {
			case libErr == nil && err != nil:
				t.Errorf("%v %v: libzmq takes it, purezmq: %v", typ, o.id, err)
			case libErr != nil && !errors.Is(err, zmq.ErrOption):
				t.Errorf("%v %v: libzmq refuses it (EINVAL), purezmq: %v", typ, o.id, err)
			}
		}
	}
}

// TestUnbindWildcardLikeLibzmq: Unbind of the wildcard given to Bind is ENOENT in both
// libraries; the endpoint LAST_ENDPOINT reports unbinds.
func TestUnbindWildcardLikeLibzmq(t *testing.T) {
	c := newLibCtx(t)
	for _, wildcard := range []string{"tcp://127.0.0.1:*", "ipc://*"} {
		ls := newLib(t, c, zmq.PULL)
		lep := libBind(t, ls, wildcard)
		if err := ls.Unbind(wildcard); !isErrno(err, zmq4.Errno(syscall.ENOENT)) {
			t.Errorf("libzmq Unbind(%q): %v, want ENOENT", wildcard, err)
		}
		if err := ls.Unbind(lep); err != nil {
			t.Errorf("libzmq Unbind(%q): %v", lep, err)
		}
		ps := newPure(t, zmq.PULL)
		pep := pureBind(t, ps, wildcard)
		if err := ps.Unbind(wildcard); !errors.Is(err, zmq.ErrNotFound) {
			t.Errorf("purezmq Unbind(%q): %v, want ErrNotFound", wildcard, err)
		}
		if err := ps.Unbind(pep); err != nil {
			t.Errorf("purezmq Unbind(%q): %v", pep, err)
		}
	}
}
