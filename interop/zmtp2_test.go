package interop

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// The ZMTP 2.0 tests of the main module play a 2.0 peer with rawzmtp; these play the same
// peer against libzmq, so that what it does, and what it expects back, is libzmq's downgrade
// and not only ours.

func dialLib2(t *testing.T, ls *zmq4.Socket, typ string, id []byte) (*rawzmtp.Peer, byte, error) {
	t.Helper()
	ep, err := ls.GetLastEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	p, err := rawzmtp.Dial(ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	n, _ := zmtp.SocketTypeNumber2(typ)
	got, _, err := p.Greet2(n, id)
	return p, got, err
}

// TestZMTP2PeerAgainstLibzmq: libzmq 4.3 downgrades for the raw 2.0 peer: its ROUTER takes
// the identity from the 2.0 greeting, its PUB takes a \x01topic subscription message.
func TestZMTP2PeerAgainstLibzmq(t *testing.T) {
	t.Run("ROUTER", func(t *testing.T) {
		ls := newLib(t, newLibCtx(t), zmq.ROUTER)
		if err := ls.Bind("tcp://127.0.0.1:*"); err != nil {
			t.Fatal(err)
		}
		p, typ, err := dialLib2(t, ls, "DEALER", []byte("d2"))
		if err != nil || typ != 6 {
			t.Fatalf("greeting: type %d, %v", typ, err)
		}
		if err := p.WriteMessage([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		m, err := ls.RecvMessageBytes(0)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, "libzmq ROUTER", m, [][]byte{[]byte("d2"), []byte("hello")})
		if _, err := ls.SendMessage("d2", "world"); err != nil {
			t.Fatal(err)
		}
		got, err := p.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, "raw DEALER", got, [][]byte{[]byte("world")})
	})
	t.Run("PUB", func(t *testing.T) {
		ls := newLib(t, newLibCtx(t), zmq.PUB)
		if err := ls.Bind("tcp://127.0.0.1:*"); err != nil {
			t.Fatal(err)
		}
		p, typ, err := dialLib2(t, ls, "SUB", nil)
		if err != nil || typ != 1 {
			t.Fatalf("greeting: type %d, %v", typ, err)
		}
		if err := p.WriteMessage([]byte("\x01top")); err != nil {
			t.Fatal(err)
		}
		got := make(chan [][]byte, 1)
		go func() { // ends when the test closes p
			if m, err := p.ReadMessage(); err == nil {
				got <- m
			}
		}()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(ioTimeout)
		for {
			if _, err := ls.SendMessage("other"); err != nil {
				t.Fatal(err)
			}
			if _, err := ls.SendMessage("top.1"); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-got:
				checkFrames(t, "raw SUB", m, [][]byte{[]byte("top.1")})
				return
			case <-deadline:
				t.Fatal("the subscription never took effect")
			case <-tick.C:
			}
		}
	})
}

// TestZMTP2RefusedByLibzmq: libzmq refuses the downgrade when ZAP is in use (a mechanism
// other than NULL, or a ZAP domain), as purezmq does.
func TestZMTP2RefusedByLibzmq(t *testing.T) {
	for name, set := range map[string]func(*zmq4.Socket) error{
		"plain":     func(s *zmq4.Socket) error { return s.SetPlainServer(1) },
		"zapDomain": func(s *zmq4.Socket) error { return s.SetZapDomain("global") },
	} {
		t.Run(name, func(t *testing.T) {
			ls := newLib(t, newLibCtx(t), zmq.PULL)
			if err := errors.Join(set(ls), ls.Bind("tcp://127.0.0.1:*")); err != nil {
				t.Fatal(err)
			}
			p, _, err := dialLib2(t, ls, "PUSH", nil)
			if err == nil {
				err = p.Closed()
			} else {
				err = nil // the greeting failed: the connection closed under it
			}
			if err != nil {
				t.Fatalf("libzmq kept the connection: %v", err)
			}
		})
	}
}

// TestSignatureAsLibzmq: purezmq's first ten bytes are libzmq's: the signature whose padding
// is the size of an identity frame for the routing id, which a ZMTP 1.0 peer reads as one.
func TestSignatureAsLibzmq(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ep := "tcp://" + ln.Addr().String()
	first10 := func() []byte {
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(ioTimeout))
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(ioTimeout))
		b := make([]byte, 10)
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	ls := newLib(t, newLibCtx(t), zmq.DEALER)
	if err := errors.Join(ls.SetIdentity("abc"), ls.Connect(ep)); err != nil {
		t.Fatal(err)
	}
	lib := first10()
	ps := newPure(t, zmq.DEALER, zmq.WithRoutingID([]byte("abc")))
	if err := ps.Connect(ep); err != nil {
		t.Fatal(err)
	}
	if pure := first10(); !bytes.Equal(pure, lib) {
		t.Fatalf("purezmq sent %x, libzmq %x", pure, lib)
	}
}
