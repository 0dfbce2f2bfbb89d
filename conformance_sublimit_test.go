package zmq_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A subscription to a one-byte topic costs its publisher 257 bytes of MAX_SUBSCRIPTION_BYTES.
const oneByte = 1 + 256

// notices reads an XPUB's subscription notices ("\x01topic", "\x00topic") up to last and
// returns those before it. An XPUB reports all a peer's topics unsubscribed when the peer's
// connection ends: a peer disconnected on the way shows as notices nobody asked for.
func notices(t *testing.T, xpub *zmq.Socket, last string) []string {
	t.Helper()
	var got []string
	for len(got) < 1000 { // a peer disconnected and back, again and again, never gets there
		f := string(recvWithin(t, xpub, 5*time.Second).Frames[0])
		if f == last {
			return got
		}
		got = append(got, f)
	}
	t.Fatalf("no %q in 1000 notices: %q...", last, got[:10])
	return nil
}

// awaitDisconnect waits for a DISCONNECTED event whose error matches want.
func awaitDisconnect(t *testing.T, ch <-chan zmq.Event, want error) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.Type == zmq.EventDisconnected && errors.Is(e.Err, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no DISCONNECTED event with an error matching %v within 5s", want)
		}
	}
}

// TestSubscriptionLimitKeepsPeers: a subscriber whose subscriptions stay within
// MAX_SUBSCRIPTION_BYTES keeps its connection however many subscription commands it sends:
// repeated topics are held once and cost once, and what a peer unsubscribes it gets back.
func TestSubscriptionLimitKeepsPeers(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(sub *zmq.Socket) // holding at most two topics besides the markers "[" and "]"
		want []string              // the notices it makes
	}{
		{"the same topic again and again", func(sub *zmq.Socket) {
			for range 1000 {
				sub.Subscribe([]byte("a"))
			}
		}, []string{"\x01a"}},
		{"subscribed, unsubscribed, twenty rounds", func(sub *zmq.Socket) {
			for r := range 20 {
				topics := []string{string(rune('a' + r)), string(rune('A' + r))}
				for _, tp := range topics {
					sub.Subscribe([]byte(tp))
				}
				for _, tp := range topics {
					sub.Unsubscribe([]byte(tp))
				}
			}
		}, func() (w []string) {
			for r := range 20 {
				a, b := string(rune('a'+r)), string(rune('A'+r))
				w = append(w, "\x01"+a, "\x01"+b, "\x00"+a, "\x00"+b)
			}
			return w
		}()},
		{"up to the limit", func(sub *zmq.Socket) {
			sub.Subscribe([]byte("a"))
			sub.Subscribe([]byte("b"))
		}, []string{"\x01a", "\x01b"}}, // with "[" and "]", four
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			xpub := newSocket(t, zmq.XPUB, zmq.WithMaxSubscriptionBytes(4*oneByte))
			sub := newSocket(t, zmq.SUB)
			connect(t, sub, bind(t, xpub, "tcp://127.0.0.1:*"))
			// Once "[" is in, the connection is up: what follows goes as it is made, not as
			// the set a SUB sends a new connection.
			sub.Subscribe([]byte("["))
			notices(t, xpub, "\x01[")
			tc.run(sub)
			sub.Subscribe([]byte("]"))
			if got := notices(t, xpub, "\x01]"); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Fatalf("notices %q, want %q", got, tc.want)
			}
			sendString(t, xpub, "]", "alive")
			expectRecvString(t, sub, "]", "alive")
		})
	}
}

// TestSubscriptionLimitDisconnects: a subscriber going past MAX_SUBSCRIPTION_BYTES is
// disconnected, the DISCONNECTED event's Err matching ErrSubscriptionLimit, whatever form its
// subscriptions take and whichever of its publisher's tries holds them; the publisher's other
// subscribers are not touched.
func TestSubscriptionLimitDisconnects(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  zmq.Type
		opts []zmq.Option
	}{
		{"PUB", zmq.PUB, nil},
		{"XPUB", zmq.XPUB, nil},
		{"XPUB_MANUAL counts requests", zmq.XPUB, []zmq.Option{zmq.WithXPubManual(true)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pub := newSocket(t, tc.typ, append(tc.opts, zmq.WithMaxSubscriptionBytes(3*oneByte))...)
			ch, stop := pub.Monitor(zmq.EventDisconnected)
			defer stop()
			ep := bind(t, pub, "tcp://127.0.0.1:*")
			modest := newSocket(t, zmq.SUB)
			modest.Subscribe([]byte("m"))
			connect(t, modest, ep)
			greedy := newSocket(t, zmq.SUB)
			for _, tp := range []string{"a", "b", "c", "d"} {
				greedy.Subscribe([]byte(tp))
			}
			connect(t, greedy, ep)
			awaitDisconnect(t, ch, zmq.ErrSubscriptionLimit)
			if tc.typ == zmq.XPUB {
				return // the manual one subscribes nobody by itself; the other's notices vary
			}
			// The modest subscriber still gets its messages (a publisher's first ones may
			// go before its subscription arrives: send until one comes).
			for {
				sendString(t, pub, "m", "still here")
				ctx, cancel := within(50 * time.Millisecond)
				m, err := modest.Recv(ctx)
				cancel()
				if err == nil {
					if got := fmtFrames(m.Frames); got != fmtFrames(strFrames("m", "still here")) {
						t.Fatalf("the modest subscriber got %s", got)
					}
					return
				}
			}
		})
	}
}

// TestSubscriptionLimitChanges: the limit applies to the subscriptions that come after it is
// set (those held stay), -1 lifts it, and inproc peers, the program's own, are not counted.
func TestSubscriptionLimitChanges(t *testing.T) {
	t.Parallel()
	t.Run("lifted, then set again", func(t *testing.T) {
		t.Parallel()
		xpub := newSocket(t, zmq.XPUB, zmq.WithMaxSubscriptionBytes(3*oneByte))
		ch, stop := xpub.Monitor(zmq.EventDisconnected)
		defer stop()
		sub := newSocket(t, zmq.SUB)
		connect(t, sub, bind(t, xpub, "tcp://127.0.0.1:*"))
		if err := xpub.SetOption(zmq.OptMaxSubscriptionBytes, -1); err != nil {
			t.Fatal(err)
		}
		sub.Subscribe([]byte("[")) // once in, the connection is up (TestSubscriptionLimitKeepsPeers)
		notices(t, xpub, "\x01[")
		for _, tp := range []string{"a", "b", "c", "d", "e"} {
			sub.Subscribe([]byte(tp))
		}
		if got := notices(t, xpub, "\x01e"); len(got) != 4 {
			t.Fatalf("notices %q, want four before \"e\"", got)
		}
		if err := xpub.SetOptions(zmq.WithMaxSubscriptionBytes(3 * oneByte)); err != nil {
			t.Fatal(err)
		}
		sub.Unsubscribe([]byte("a")) // five held, over the new limit: they stay
		sub.Subscribe([]byte("b"))   // held already: nothing new, no notice
		sub.Unsubscribe([]byte("c"))
		if got := notices(t, xpub, "\x00c"); len(got) != 1 || got[0] != "\x00a" {
			t.Fatalf("notices %q before \"\\x00c\": the peer was disconnected", got)
		}
		sub.Subscribe([]byte("f")) // four held, a fifth: over
		awaitDisconnect(t, ch, zmq.ErrSubscriptionLimit)
	})
	t.Run("inproc", func(t *testing.T) {
		t.Parallel()
		pub := newSocket(t, zmq.PUB, zmq.WithMaxSubscriptionBytes(3*oneByte))
		ep := bind(t, pub, inprocName())
		sub := newSocket(t, zmq.SUB)
		for c := 'a'; c <= 'z'; c++ {
			sub.Subscribe([]byte{byte(c)})
		}
		connect(t, sub, ep)
		sendString(t, pub, "z", "inproc") // inproc subscriptions are in place once connected
		expectRecvString(t, sub, "z", "inproc")
	})
}

// TestSubscriptionLimitOption: MAX_SUBSCRIPTION_BYTES is 16 MiB by default, -1 or more, and
// only a publisher's.
func TestSubscriptionLimitOption(t *testing.T) {
	t.Parallel()
	pub := newSocket(t, zmq.PUB)
	if got := pub.MaxSubscriptionBytes(); got != 16<<20 {
		t.Errorf("default %d, want 16 MiB", got)
	}
	id, ok := zmq.LookupOption("ZMQ_MAX_SUBSCRIPTION_BYTES")
	if !ok || id != zmq.OptMaxSubscriptionBytes {
		t.Fatalf("LookupOption: %v, %v", id, ok)
	}
	if err := pub.SetOption(id, 1<<20); err != nil {
		t.Fatal(err)
	}
	if v, err := pub.Option(id); err != nil || v != int64(1<<20) {
		t.Errorf("Option: %v (%T), %v; want 1 MiB", v, v, err)
	}
	for _, tc := range []struct {
		typ zmq.Type
		n   int64
	}{{zmq.PUB, -2}, {zmq.SUB, 1 << 20}, {zmq.XSUB, -1}} {
		if _, err := zmq.NewSocket(tc.typ, zmq.WithMaxSubscriptionBytes(tc.n)); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("%v with %d: %v, want ErrOption", tc.typ, tc.n, err)
		}
	}
}
