package zmq_test

import (
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// TestDepartedSubscribersBounded: an XPUB reports a departed subscriber's topics to its
// application as unsubscriptions, whatever RCVHWM says; those count among what departed peers
// left. Subscribers that come, subscribe and go, while the application reads nothing, stop
// once what they left reaches RCVHWM: the next one's subscription waits, its connection held,
// until the application has read the notices down to half; then it goes through, and nothing
// is lost.
func TestDepartedSubscribersBounded(t *testing.T) {
	const hwm = 4
	xpub := newSocket(t, zmq.XPUB, zmq.WithRecvHWM(hwm))
	events, stop := xpub.Monitor(zmq.EventDisconnected)
	defer stop()
	ep := bind(t, xpub, "tcp://127.0.0.1:*")
	addr := strings.TrimPrefix(ep, "tcp://")

	// Each peer subscribes to three topics of its own and leaves (a FIN, then it reads
	// until the XPUB hangs up): 3 subscriptions and, once it has gone, 3 unsubscriptions.
	peer := func(name string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		rawSubHandshake(t, c, 0)
		var b []byte
		for i := range 3 {
			b = zmtp.AppendFrame(b, 0, []byte{1, name[0], byte('1' + i)})
		}
		rawWrite(t, c, b)
		leaveRaw(c)
	}
	gone := func(d time.Duration) bool { return eventWithin(events, d) }

	peer("a")
	if !gone(5 * time.Second) {
		t.Fatal("the first subscriber did not go")
	}
	peer("b") // 6 notices left by a: b's first subscription waits for room
	if gone(300 * time.Millisecond) {
		t.Fatal("the second subscriber went while what the first left filled the queue")
	}
	var got []string
	for len(got) < 12 {
		f := recvWithin(t, xpub, 5*time.Second).Frames[0]
		got = append(got, string([]byte{"-+"[f[0]]})+string(f[1:]))
	}
	if !gone(5 * time.Second) {
		t.Fatal("the second subscriber did not go once the application read")
	}
	// Each peer's subscriptions in order, then its unsubscriptions in any order; the two
	// peers' queues fair-queued.
	for _, name := range []string{"a", "b"} {
		var mine []string
		for _, n := range got {
			if n[1:2] == name {
				mine = append(mine, n)
			}
		}
		want := []string{"+" + name + "1", "+" + name + "2", "+" + name + "3"}
		wantGone := []string{"-" + name + "1", "-" + name + "2", "-" + name + "3"}
		if len(mine) != 6 || !slices.Equal(mine[:3], want) || !slices.Equal(slices.Sorted(slices.Values(mine[3:])), wantGone) {
			t.Fatalf("notices %q: %s's are %q, want %q then %q", got, name, mine, want, wantGone)
		}
	}
}

// eventWithin reports whether an event comes on events within d.
func eventWithin(events <-chan zmq.Event, d time.Duration) bool {
	select {
	case <-events:
		return true
	case <-time.After(d):
		return false
	}
}

// leaveRaw closes c's sending side and reads until the other end hangs up: a peer that goes
// with a FIN, not a reset, so nothing it sent is lost.
func leaveRaw(c net.Conn) {
	go func() {
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, c)
	}()
}

// TestDepartedStreamPeersBounded: a STREAM socket's raw peers that connect, send and go leave
// their data and the notices of their coming and going (STREAM_NOTIFY); those count among
// what departed peers left, and once they reach RCVHWM the next peer's data waits, its
// connection held, until the application reads.
func TestDepartedStreamPeersBounded(t *testing.T) {
	const hwm = 4
	stream := newSocket(t, zmq.STREAM, zmq.WithRecvHWM(hwm))
	events, stop := stream.Monitor(zmq.EventDisconnected)
	defer stop()
	addr := strings.TrimPrefix(bind(t, stream, "tcp://127.0.0.1:*"), "tcp://")
	peer := func(data string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		rawWrite(t, c, []byte(data))
		leaveRaw(c)
	}
	for _, data := range []string{"a", "b"} { // 3 messages each: hello, data, goodbye
		peer(data)
		if !eventWithin(events, 5*time.Second) {
			t.Fatalf("peer %s did not go", data)
		}
	}
	peer("c")
	if eventWithin(events, 300*time.Millisecond) {
		t.Fatal("the third peer went while what the first two left filled the queue")
	}
	var data []string
	for len(data) < 3 {
		m := recvWithin(t, stream, 5*time.Second)
		if len(m.Frames) == 2 && len(m.Frames[1]) > 0 {
			data = append(data, string(m.Frames[1]))
		}
	}
	if !eventWithin(events, 5*time.Second) {
		t.Fatal("the third peer did not go once the application read")
	}
	if got := strings.Join(slices.Sorted(slices.Values(data)), ""); got != "abc" {
		t.Fatalf("data %q, want a, b and c", data)
	}
}
