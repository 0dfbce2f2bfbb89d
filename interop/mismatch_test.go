package interop

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// TestSocketTypeMismatch connects a REQ to a PULL, which ZMTP forbids: the handshake must fail,
// and nothing may be delivered, and nothing may hang, whichever library plays which role and
// whichever side binds.
func TestSocketTypeMismatch(t *testing.T) {
	for _, roles := range [][2]zmq.Type{{zmq.REQ, zmq.PULL}, {zmq.PULL, zmq.REQ}} {
		for _, tr := range transports {
			for _, pureBinds := range []bool{true, false} {
				who := "libzmq-binds"
				if pureBinds {
					who = "pure-binds"
				}
				name := roles[0].String() + "-" + roles[1].String() + "/" + tr + "/" + who
				t.Run(name, func(t *testing.T) { runMismatch(t, roles[0], roles[1], tr, pureBinds) })
			}
		}
	}
}

// rejected is every event by which libzmq reports a connection that ended in its handshake.
// libzmq 4.3.4 reports a wrong socket type as a plain DISCONNECTED, never HANDSHAKE_FAILED_*.
const rejected = zmq4.EVENT_DISCONNECTED | zmq4.EVENT_HANDSHAKE_FAILED_PROTOCOL |
	zmq4.EVENT_HANDSHAKE_FAILED_NO_DETAIL

// awaitRejected waits until libzmq drops the connection, failing if a handshake succeeds first.
func awaitRejected(t *testing.T, mon monitor) {
	t.Helper()
	ev := mon.await(t, rejected|zmq4.EVENT_HANDSHAKE_SUCCEEDED)
	if ev&zmq4.EVENT_HANDSHAKE_SUCCEEDED != 0 {
		t.Fatal("libzmq accepted a handshake between a REQ and a PULL")
	}
	t.Logf("libzmq reported %v", ev)
}

func runMismatch(t *testing.T, pureType, libType zmq.Type, transport string, pureBinds bool) {
	ps := newPure(t, pureType, zmq.WithReconnectIvl(10*time.Millisecond))
	ctx := newLibCtx(t)
	ls := newLib(t, ctx, libType)
	if err := ls.SetReconnectIvl(10 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	mon := newMonitor(t, ctx, ls)
	addr := bindAddr(t, transport)
	if pureBinds {
		if err := ls.Connect(pureBind(t, ps, addr)); err != nil {
			t.Fatal(err)
		}
	} else if err := ps.Connect(libBind(t, ls, addr)); err != nil {
		t.Fatal(err)
	}

	// The REQ asks at once. A connecting REQ queues the request for its peer-to-be; a binding
	// one waits for a peer that never comes, and then may not wait for a reply either (EFSM,
	// ErrState).
	asked := false
	if pureType == zmq.REQ {
		ctx, cancel := context.WithTimeout(context.Background(), quiet)
		err := ps.Send(ctx, zmq.NewMsgString("must not arrive"))
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("purezmq REQ Send: %v", err)
		}
		asked = err == nil
	} else {
		if err := ls.SetSndtimeo(quiet); err != nil {
			t.Fatal(err)
		}
		_, err := ls.SendMessage("must not arrive")
		if err != nil && !isErrno(err, eagain) {
			t.Fatalf("libzmq REQ Send: %v", err)
		}
		asked = err == nil
	}
	t.Logf("REQ queued its request: %v", asked)

	// The peers met and parted; no later attempt can go differently.
	awaitRejected(t, mon)

	// Nothing arrives on either side: neither the request on the PULL, nor a reply on the REQ.
	pctx, cancel := context.WithTimeout(context.Background(), quiet)
	defer cancel()
	m, err := ps.Recv(pctx)
	if pureType == zmq.REQ && !asked {
		if !errors.Is(err, zmq.ErrState) {
			t.Errorf("purezmq REQ Recv with no request out = %q, %v; want ErrState", m.Frames, err)
		}
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("purezmq %v Recv = %q, %v; want nothing until the deadline", pureType, m.Frames, err)
	}
	if err := ls.SetRcvtimeo(quiet); err != nil {
		t.Fatal(err)
	}
	want := eagain
	if libType == zmq.REQ && !asked {
		want = zmq4.EFSM
	}
	if lm, err := ls.RecvMessageBytes(0); !isErrno(err, want) {
		t.Errorf("libzmq %v Recv = %q, %v; want %v", libType, lm, err, want)
	}
	closePure(t, ps) // bounded by closeTimeout: a hang fails the test
}

// TestMismatchStopsReconnecting pins what libzmq 4.3 does after a handshake fails on the socket
// type: it treats it as a protocol error and never reconnects that endpoint (unlike a refused or
// broken connection, which it retries every RECONNECT_IVL).
func TestMismatchStopsReconnecting(t *testing.T) {
	t.Run("libzmq-connects", func(t *testing.T) {
		ps := newPure(t, zmq.PULL)
		ctx := newLibCtx(t)
		ls := newLib(t, ctx, zmq.REQ)
		if err := ls.SetReconnectIvl(10 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		mon := newMonitor(t, ctx, ls)
		if err := ls.Connect(pureBind(t, ps, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		awaitRejected(t, mon)
		mon.none(t, zmq4.EVENT_CONNECTED|zmq4.EVENT_CONNECT_RETRIED|zmq4.EVENT_CONNECT_DELAYED)
	})
	t.Run("pure-connects", func(t *testing.T) {
		ps := newPure(t, zmq.REQ, zmq.WithReconnectIvl(10*time.Millisecond))
		ctx := newLibCtx(t)
		ls := newLib(t, ctx, zmq.PULL)
		mon := newMonitor(t, ctx, ls)
		if err := ps.Connect(libBind(t, ls, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		awaitRejected(t, mon)
		mon.none(t, zmq4.EVENT_ACCEPTED)
	})
}
