package interop

import (
	"encoding/binary"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// TestRestart restarts the libzmq peer a purezmq socket is connected to: the libzmq socket is
// closed and a new one bound on the same endpoint, and purezmq must reconnect and deliver by
// itself.
func TestRestart(t *testing.T) {
	for _, c := range []struct {
		pure, lib zmq.Type
		id        []byte
	}{
		{zmq.PUSH, zmq.PULL, nil},
		{zmq.DEALER, zmq.ROUTER, []byte("pure-dealer")},
	} {
		for _, tr := range transports {
			t.Run(c.pure.String()+"-"+c.lib.String()+"/"+tr+"/libzmq-binds", func(t *testing.T) {
				runRestart(t, c.pure, c.lib, c.id, tr)
			})
		}
	}
}

func runRestart(t *testing.T, pureType, libType zmq.Type, id []byte, transport string) {
	const (
		before = 100 // sent to and received by the first libzmq socket
		gap    = 50  // sent while no libzmq socket exists: queued, or lost in the dead connection
		after  = 500 // sent once the second libzmq socket has a connection: all must arrive
	)
	opts := []zmq.Option{zmq.WithReconnectIvl(10 * time.Millisecond)}
	if id != nil {
		opts = append(opts, zmq.WithRoutingID(id))
	}
	ps := newPure(t, pureType, opts...)
	sender := purePeer{ps}
	send := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			mustSend(t, sender, [][]byte{seqMsg(i)})
		}
	}

	ctx1 := newLibCtx(t)
	ls1 := newLib(t, ctx1, libType)
	ep := libBind(t, ls1, bindAddr(t, transport))
	if err := ps.Connect(ep); err != nil {
		t.Fatal(err)
	}
	send(0, before)
	if err := receive(libPeer{ls1}, id, 0, before); err != nil {
		t.Fatal(err)
	}

	// Terminating the context waits until libzmq has really closed the listener and the
	// connection, so the endpoint is free to bind again.
	closeLib(t, ls1)
	termLib(t, ctx1)
	send(before, before+gap)

	ctx2 := newLibCtx(t)
	ls2 := newLib(t, ctx2, libType)
	mon := newMonitor(t, ctx2, ls2)
	if got := libBind(t, ls2, ep); got != ep {
		t.Fatalf("second libzmq socket bound %s, want %s", got, ep)
	}
	mon.await(t, zmq4.EVENT_HANDSHAKE_SUCCEEDED)
	// purezmq now has its new connection, so nothing sent from here on may be lost.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := before + gap; i < before+gap+after; i++ {
			if err := sender.send([][]byte{seqMsg(i)}); err != nil {
				t.Errorf("%v: send %d: %v", sender, i, err)
				return
			}
		}
	}()
	defer func() { <-done }()

	// Messages queued during the gap arrive first, except those the old connection swallowed:
	// those are always the oldest, so what arrives is a tail of the gap and then everything after.
	body, err := recvBody(libPeer{ls2}, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) < 8 {
		t.Fatalf("first message after the restart has %d bytes, too short for a sequence number", len(body))
	}
	first := int(binary.BigEndian.Uint64(body))
	if first < before || first > before+gap {
		t.Fatalf("first message after the restart is %d, want one of %d..%d", first, before, before+gap)
	}
	if err := checkSeq(body, first); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d messages sent while the peer was down were lost with its old connection", first-before, gap)
	if err := receive(libPeer{ls2}, id, first+1, before+gap+after-first-1); err != nil {
		t.Fatal(err)
	}
}
