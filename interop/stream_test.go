package interop

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/purezmq/zmq"
)

const streamLen = 100_000

// seqMsg is message seq of a stream: its number, then 0 to 99 pattern bytes, so frames of many
// sizes share each batch and a shifted byte shows.
func seqMsg(seq int) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+seq%100), uint64(seq))
	return append(b, pattern(seq%100, seq)...)
}

// checkSeq fails unless body is exactly seqMsg(want).
func checkSeq(body []byte, want int) error {
	if len(body) < 8 {
		return fmt.Errorf("message %d: %d bytes, too short for a sequence number", want, len(body))
	}
	if got := int(binary.BigEndian.Uint64(body)); got != want {
		return fmt.Errorf("got message %d where %d was due: lost or reordered", got, want)
	}
	if d := diffFrames([][]byte{body}, [][]byte{seqMsg(want)}); d != "" {
		return fmt.Errorf("message %d: %s", want, d)
	}
	return nil
}

// streamCase sends streamLen numbered messages one way between a purezmq and a libzmq socket
// over tcp; the receiving side binds.
type streamCase struct {
	pure, lib zmq.Type
	pureSends bool
	id        []byte // the sender's routing id, which a receiving ROUTER must report
}

func TestStream(t *testing.T) {
	for _, c := range []streamCase{
		{pure: zmq.PUSH, lib: zmq.PULL, pureSends: true},
		{pure: zmq.PULL, lib: zmq.PUSH, pureSends: false},
		{pure: zmq.DEALER, lib: zmq.ROUTER, pureSends: true, id: []byte("pure-dealer")},
		{pure: zmq.ROUTER, lib: zmq.DEALER, pureSends: false, id: []byte("libzmq-dealer")},
	} {
		t.Run(c.pure.String()+"-"+c.lib.String()+"/tcp", func(t *testing.T) { runStream(t, c) })
	}
}

func runStream(t *testing.T, c streamCase) {
	var opts []zmq.Option
	if c.pureSends && c.id != nil {
		opts = append(opts, zmq.WithRoutingID(c.id))
	}
	ps := newPure(t, c.pure, opts...)
	ls := newLib(t, newLibCtx(t), c.lib)
	if !c.pureSends && c.id != nil {
		if err := ls.SetIdentity(string(c.id)); err != nil {
			t.Fatal(err)
		}
	}
	var sender, receiver peer = purePeer{ps}, libPeer{ls}
	if c.pureSends {
		if err := ps.Connect(libBind(t, ls, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
	} else {
		sender, receiver = receiver, sender
		if err := ls.Connect(pureBind(t, ps, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
	}

	// The sender runs on its own goroutine so the receiver can drain while it sends; a libzmq
	// socket is only ever used by one goroutine at a time.
	sent := make(chan error, 1)
	go func() {
		for i := range streamLen {
			if err := sender.send([][]byte{seqMsg(i)}); err != nil {
				sent <- fmt.Errorf("%v: send %d: %w", sender, i, err)
				return
			}
		}
		sent <- nil
	}()
	err := receive(receiver, c.id, 0, streamLen)
	if serr := <-sent; serr != nil {
		t.Fatal(serr)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// recvBody receives one message on p and returns its one body frame, first checking the
// routing id id when p is a ROUTER.
func recvBody(p peer, id []byte) ([]byte, error) {
	m, err := p.recv()
	if err != nil {
		return nil, fmt.Errorf("%v: recv: %w", p, err)
	}
	if id != nil {
		if len(m) == 0 || string(m[0]) != string(id) {
			return nil, fmt.Errorf("%v: got frames %s, want routing id %q first", p, sizes(m), id)
		}
		m = m[1:]
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("%v: got %d body frames, want 1", p, len(m))
	}
	return m[0], nil
}

// receive takes n messages from p and checks they are numbers from to from+n-1, in order.
func receive(p peer, id []byte, from, n int) error {
	for i := from; i < from+n; i++ {
		body, err := recvBody(p, id)
		if err == nil {
			err = checkSeq(body, i)
		}
		if err != nil {
			return fmt.Errorf("waiting for message %d: %w", i, err)
		}
	}
	return nil
}
