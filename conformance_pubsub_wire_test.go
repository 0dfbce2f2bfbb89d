package zmq_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// rawSubHandshake completes a NULL handshake as a SUB speaking ZMTP 3.minor.
func rawSubHandshake(t *testing.T, c net.Conn, minor uint8) {
	t.Helper()
	rawWrite(t, c, append(zmtp.Greeting{Major: 3, Minor: minor, Mechanism: "NULL"}.Append(nil), ready("SUB")...))
	rawGreeting(t, c)
	flags, body := rawReadFrame(t, c)
	if cmd, err := zmtp.ParseCommand(body); flags&zmtp.FlagCommand == 0 || err != nil || cmd.Name != zmtp.CmdReady {
		t.Fatalf("expected READY, got flags %#x body %q (%v)", flags, body, err)
	}
}

// TestPubSubWireSubscriber: a raw subscriber speaking ZMTP 3.0 subscribes with the message form
// (\x01topic), one speaking 3.1 with SUBSCRIBE; either way the PUB filters for it.
func TestPubSubWireSubscriber(t *testing.T) {
	for _, minor := range []uint8{0, 1} {
		t.Run(map[uint8]string{0: "zmtp3.0", 1: "zmtp3.1"}[minor], func(t *testing.T) {
			t.Parallel()
			pub := newSocket(t, zmq.PUB)
			ep := bind(t, pub, "tcp://127.0.0.1:*")
			c, err := net.DialTimeout("tcp", strings.TrimPrefix(ep, "tcp://"), waitLong)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			rawSubHandshake(t, c, minor)
			if minor == 0 {
				rawWrite(t, c, zmtp.AppendFrame(nil, 0, []byte("\x01top")))
			} else {
				rawWrite(t, c, zmtp.AppendSubscribe(nil, []byte("top")))
			}
			// Publish until the subscription has arrived; only matching messages may come.
			got := make(chan []byte, 1)
			go func() {
				// A short frame, read without t: this goroutine may outlive a failed test.
				var hdr [2]byte
				if _, err := io.ReadFull(c, hdr[:]); err != nil {
					return
				}
				body := make([]byte, hdr[1])
				if _, err := io.ReadFull(c, body); err == nil {
					got <- body
				}
			}()
			deadline := time.After(waitLong)
			for {
				sendString(t, pub, "other")
				sendString(t, pub, "top.1")
				select {
				case body := <-got:
					if string(body) != "top.1" {
						t.Fatalf("raw subscriber received %q, want \"top.1\"", body)
					}
					return
				case <-deadline:
					t.Fatal("the subscription never took effect")
				case <-time.After(5 * time.Millisecond):
				}
			}
		})
	}
}

// TestPubSubWirePublisher: a SUB sends its subscriptions to a ZMTP 3.0 publisher as messages,
// to a 3.1 one as SUBSCRIBE/CANCEL commands.
func TestPubSubWirePublisher(t *testing.T) {
	for _, minor := range []uint8{0, 1} {
		t.Run(map[uint8]string{0: "zmtp3.0", 1: "zmtp3.1"}[minor], func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			sub := newSocket(t, zmq.SUB)
			subscribe(t, sub, "top")
			connect(t, sub, "tcp://"+ln.Addr().String())
			_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(waitLong))
			c, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			rawWrite(t, c, append(zmtp.Greeting{Major: 3, Minor: minor, Mechanism: "NULL"}.Append(nil), ready("PUB")...))
			rawGreeting(t, c)
			rawReadFrame(t, c) // READY
			for _, on := range []bool{true, false} {
				if !on {
					unsubscribe(t, sub, "top") // once the SUB surely has the peer
				}
				flags, body := rawReadFrame(t, c)
				if minor == 0 {
					want := "\x01top"
					if !on {
						want = "\x00top"
					}
					if flags != 0 || string(body) != want {
						t.Fatalf("got flags %#x body %q, want a message %q", flags, body, want)
					}
					continue
				}
				want := zmtp.AppendSubscribe(nil, []byte("top"))
				if !on {
					want = zmtp.AppendCancel(nil, []byte("top"))
				}
				if flags&zmtp.FlagCommand == 0 || string(body) != string(want[2:]) { // past the short header
					t.Fatalf("got flags %#x body %q, want the command %q", flags, body, want)
				}
			}
			// And the PUB's messages reach the application, filtered.
			rawWrite(t, c, zmtp.AppendFrame(nil, 0, []byte("nope")))
			subscribe(t, sub, "yes")
			rawWrite(t, c, zmtp.AppendFrame(nil, 0, []byte("yes!")))
			expectRecvString(t, sub, "yes!")
		})
	}
}
