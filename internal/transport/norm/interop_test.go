package norm_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/netnstest"
	"github.com/purezmq/zmq/internal/transport/norm"
)

// openIn opens a socket of typ inside ns (a SUB subscribed to everything) connected to ep.
func openIn(t *testing.T, ns netnstest.NS, typ zmq.Type, ep string, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	var s *zmq.Socket
	norm.InNS(t, ns, func() error {
		var err error
		if s, err = zmq.NewSocket(typ, opts...); err != nil {
			return err
		}
		if typ == zmq.SUB {
			if err := s.Subscribe(nil); err != nil {
				s.Close()
				return err
			}
		}
		if err := s.Connect(ep); err != nil {
			s.Close()
			return err
		}
		return nil
	})
	return s
}

// recvAll receives n messages [top, i, x*size] in order from sub, or fails.
func recvAll(t *testing.T, sub *zmq.Socket, n, size int) {
	t.Helper()
	// A libzmq PUB is paced at about a message a millisecond (see doc.go).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second+time.Duration(n)*2*time.Millisecond)
	defer cancel()
	for i := range n {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", i, n, err)
		}
		if len(m.Frames) != 3 || string(m.Frames[0]) != "top" || string(m.Frames[1]) != strconv.Itoa(i) || len(m.Frames[2]) != size {
			t.Fatalf("message %d: %d frames, %q %q, %d bytes", i, len(m.Frames), m.Frames[0], m.Frames[1], len(m.Frames[len(m.Frames)-1]))
		}
	}
}

// libzmq norm PUB -> purezmq SUB, multicast, messages in order and whole.
func TestLibzmqPubToSub(t *testing.T) {
	for _, size := range []int{100, 1900} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			p := netnstest.NewPair(t)
			group := "239.192.72.1:6200"
			sub := openIn(t, p.B, zmq.SUB, fmt.Sprintf("norm://%s;%s", p.B.Addr, group))
			defer sub.Close()
			const n = 200
			pub := norm.StartPy(t, p.A, norm.PyPub, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), n, size, 0.002, 4.0)
			recvAll(t, sub, n, size)
			pub.Wait(t)
		})
	}
}

// purezmq PUB -> libzmq norm SUB, multicast: messages in order and whole.
func TestPubToLibzmqSub(t *testing.T) {
	for _, size := range []int{100, 1500, 2500} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			p := netnstest.NewPair(t)
			group := "239.192.72.3:6202"
			const n = 300
			sub := norm.StartPy(t, p.B, norm.PySub, fmt.Sprintf("norm://%s;%s", p.B.Addr, group), n, 5000)
			pub := openIn(t, p.A, zmq.PUB, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), zmq.WithRate(100000))
			defer pub.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sub.WaitReady(t, func() { pub.Send(ctx, zmq.NewMsgString("hello")) })
			for i := range n {
				m := zmq.NewMsg([]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size))
				if err := pub.Send(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			checkPySub(t, sub.Wait(t), n, size)
		})
	}
}

// checkPySub checks what PySub printed: n messages, i-th "3 i size", in order.
func checkPySub(t *testing.T, out string, n, size int) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []string
	for _, l := range lines {
		if l != "ready" && !strings.HasPrefix(l, "got ") {
			got = append(got, l)
		}
	}
	for i := range n {
		want := fmt.Sprintf("3 %d %d", i, size)
		if i >= len(got) || got[i] != want {
			g := "nothing"
			if i < len(got) {
				g = got[i]
			}
			t.Fatalf("libzmq SUB: message %d is %q, want %q (%d messages; last line %q)", i, g, want, len(got), lines[len(lines)-1])
		}
	}
}

// purezmq PUB -> purezmq SUB with 5% of the datagrams lost on the way in: the receiver's
// NACKs get the segments resent, and every message arrives, in order. (With a libzmq SUB
// instead, libzmq aborts: see doc.go.)
func TestPubToSubLoss(t *testing.T) {
	p := netnstest.NewPair(t)
	group := "239.192.72.4:6203"
	p.B.Loss(t, 6203, 5, false)
	const n, size = 3000, 500
	sub := openIn(t, p.B, zmq.SUB, fmt.Sprintf("norm://%s;%s", p.B.Addr, group))
	defer sub.Close()
	// SNDHWM 0: a PUB drops at its high-water mark, and this one sends as fast as it can.
	pub := openIn(t, p.A, zmq.PUB, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), zmq.WithRate(20000), zmq.WithSendHWM(0))
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range n {
		if err := pub.Send(ctx, zmq.NewMsg([]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size))); err != nil {
			t.Fatal(err)
		}
	}
	recvAll(t, sub, n, size)
}

// Unicast: each end names the other's address (norm://peer:port), both ways with libzmq.
func TestUnicast(t *testing.T) {
	const n, size = 200, 100
	t.Run("purezmq PUB to libzmq SUB", func(t *testing.T) {
		p := netnstest.NewPair(t)
		sub := norm.StartPy(t, p.B, norm.PySub, fmt.Sprintf("norm://%s:6204", p.A.Addr), n, 5000)
		pub := openIn(t, p.A, zmq.PUB, fmt.Sprintf("norm://%s:6204", p.B.Addr), zmq.WithRate(100000))
		defer pub.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		sub.WaitReady(t, func() { pub.Send(ctx, zmq.NewMsgString("hello")) })
		for i := range n {
			if err := pub.Send(ctx, zmq.NewMsg([]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size))); err != nil {
				t.Fatal(err)
			}
		}
		checkPySub(t, sub.Wait(t), n, size)
	})
	t.Run("libzmq PUB to purezmq SUB", func(t *testing.T) {
		p := netnstest.NewPair(t)
		sub := openIn(t, p.B, zmq.SUB, fmt.Sprintf("norm://%s:6205", p.A.Addr))
		defer sub.Close()
		pub := norm.StartPy(t, p.A, norm.PyPub, fmt.Sprintf("norm://%s:6205", p.B.Addr), n, size, 0.002, 3.0)
		recvAll(t, sub, n, size)
		pub.Wait(t)
	})
}

// A PUB closed with data still held by its rate limiter sends it all before Close returns
// (LINGER), and the SUB gets every message.
func TestCloseDrainsRateLimiter(t *testing.T) {
	p := netnstest.NewPair(t)
	group := "239.192.72.6:6206"
	const n, size = 4, 60000
	sub := openIn(t, p.B, zmq.SUB, fmt.Sprintf("norm://%s;%s", p.B.Addr, group))
	defer sub.Close()
	// 5000 kbit/s: the last message, once the engine has taken it from the socket's queue,
	// takes 0.1 s to leave its rate limiter.
	pub := openIn(t, p.A, zmq.PUB, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), zmq.WithRate(5000), zmq.WithLinger(30*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range n {
		if err := pub.Send(ctx, zmq.NewMsg([]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	recvAll(t, sub, n, size)
}
