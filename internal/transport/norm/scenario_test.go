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

// number checks that m is a whole message [top, i, size bytes] and returns i.
func number(t *testing.T, m zmq.Msg, size int) int {
	t.Helper()
	if len(m.Frames) != 3 || string(m.Frames[0]) != "top" || len(m.Frames[2]) != size {
		t.Fatalf("not a whole message: %d frames", len(m.Frames))
	}
	i, err := strconv.Atoi(string(m.Frames[1]))
	if err != nil {
		t.Fatalf("not a numbered message: %q", m.Frames[1])
	}
	return i
}

// subTop opens a purezmq SUB in ns on ep, subscribed to "top" only (not the warm-up).
func subTop(t *testing.T, ns netnstest.NS, ep string) *zmq.Socket {
	t.Helper()
	sub := openIn(t, ns, zmq.SUB, ep, zmq.WithRecvHWM(0))
	if err := sub.Unsubscribe(nil); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe([]byte("top")); err != nil {
		t.Fatal(err)
	}
	return sub
}

// A purezmq SUB that joins a libzmq PUB's stream late starts at a message start: whole
// messages, in order, from some message past the first.
func TestLateJoinerFromLibzmq(t *testing.T) {
	p := netnstest.NewPair(t)
	const size = 100
	ep := func(ns netnstest.NS) string { return fmt.Sprintf("norm://%s;239.192.72.20:6220", ns.Addr) }
	early := subTop(t, p.B, ep(p.B))
	defer early.Close()
	norm.StartPy(t, p.A, norm.PyPub, ep(p.A), 100000, size, 0.001, 0.0, 20000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for { // the stream is well under way
		m, err := early.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if number(t, m, size) >= 1000 {
			break
		}
	}
	late := subTop(t, p.B, ep(p.B))
	defer late.Close()
	first := -1
	for k := range 1000 {
		m, err := late.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := number(t, m, size)
		if first < 0 {
			first = i
		} else if i != first+k {
			t.Fatalf("message #%d after #%d", i, first+k-1)
		}
	}
	if first <= 0 {
		t.Fatalf("first message #%d: the SUB did not join late", first)
	}
	t.Logf("joined at message #%d, then 1000 in order", first)
}

// pySubRun subscribes to argv[1] and reads argv[2] messages [top, i, body]; it prints "ok
// FIRST" when they are whole and consecutive, else what went wrong.
const pySubRun = `
import sys, zmq
c = zmq.Context(); s = c.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b"top")
s.setsockopt(zmq.RCVTIMEO, 20000); s.connect(sys.argv[1])
first = None
try:
    for k in range(int(sys.argv[2])):
        m = s.recv_multipart()
        if len(m) != 3:
            print("bad %d frames" % len(m), flush=True); break
        i = int(m[1])
        if first is None: first = i
        elif i != first + k:
            print("bad #%d after #%d" % (i, first + k - 1), flush=True); break
    else:
        print("ok", first, flush=True)
except zmq.Again:
    print("bad timeout", flush=True)
s.close(0); c.term()
`

// A libzmq SUB that joins a purezmq PUB's stream late gets whole messages, in order: NRL's
// NORM_SYNC_STREAM asks for the stream from the oldest data the sender keeps, which our
// window still holds here, so it starts at #0. (One that joins after the window moved on
// aborts at norm_engine.cpp:471, as it does joining a libzmq PUB that late: see doc.go.)
func TestLateJoinerToLibzmq(t *testing.T) {
	p := netnstest.NewPair(t)
	const size = 100
	ep := func(ns netnstest.NS) string { return fmt.Sprintf("norm://%s;239.192.72.21:6221", ns.Addr) }
	watch := subTop(t, p.B, ep(p.B))
	defer watch.Close()
	pub := openIn(t, p.A, zmq.PUB, ep(p.A), zmq.WithRate(20000), zmq.WithSendHWM(0))
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop := make(chan struct{})
	sent := make(chan int, 1)
	go func() {
		tick := time.NewTicker(5 * time.Millisecond) // pacing, not synchronisation
		defer tick.Stop()
		i := 0
		defer func() { sent <- i }()
		for {
			for range 20 {
				if pub.Send(ctx, zmq.NewMsg([]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size))) != nil {
					return
				}
				i++
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	defer func() { close(stop); <-sent }()
	for { // the stream is well under way
		m, err := watch.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if number(t, m, size) >= 1000 {
			break
		}
	}
	py := norm.StartPy(t, p.B, pySubRun, ep(p.B), 1000)
	out := strings.TrimSpace(py.Wait(t))
	if !strings.HasPrefix(out, "ok ") {
		t.Fatalf("libzmq SUB: %q", out)
	}
	t.Logf("libzmq SUB joined at message #%s, then 1000 in order", strings.TrimPrefix(out, "ok "))
}

// A receiver cut off for longer than the sender's buffer resets cleanly: the messages it
// delivers are whole and in order, with a gap, and it goes on after it.
func TestDataLossResetFromLibzmq(t *testing.T) {
	p := netnstest.NewPair(t)
	const size, port = 100, 6222
	ep := func(ns netnstest.NS) string { return fmt.Sprintf("norm://%s;239.192.72.22:%d", ns.Addr, port) }
	sub := subTop(t, p.B, ep(p.B))
	defer sub.Close()
	norm.StartPy(t, p.A, norm.PyPub, ep(p.A), 100000, size, 0.001, 0.0, 20000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	recv := func() int {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return number(t, m, size)
	}
	first := recv()
	for k := 1; k < 20; k++ {
		if i := recv(); i != first+k {
			t.Fatalf("message #%d after #%d before any loss", i, first+k-1)
		}
	}
	lift := dropData(t, p.B, port)
	// libzmq writes a segment a frame, three a message; NRL keeps 2 MB of 1400-byte
	// segments (1,497) for repair: 2,000 are beyond.
	p.B.WaitDropped(t, "purezmq_hole", 2000)
	lift()
	// The SUB queued what came before the cut: read on past the gap until 200 in a row.
	gaps := netnstest.ReadPastGap(t, recv, first+19, 200, 100000)
	t.Logf("%d gap(s), then 200 in order", gaps)
}

// dropData drops the NORM_DATA messages (first byte: version 1, type 2) ns receives on UDP
// port, until the returned function lifts it. Commands still come, and the receiver answers
// their congestion control probes: cut off from those too, a libzmq PUB's NORM-CC rate falls
// to its floor, and libzmq's norm engine stalls (see doc.go).
func dropData(t *testing.T, ns netnstest.NS, port int) (lift func()) {
	t.Helper()
	ns.Run(t, "nft", "add", "table", "inet", "purezmq_hole")
	ns.Run(t, "nft", "add", "chain", "inet", "purezmq_hole", "in", "{ type filter hook input priority 0; }")
	ns.Run(t, "nft", "add", "rule", "inet", "purezmq_hole", "in", "udp", "dport", strconv.Itoa(port), "@th,64,8", "0x12", "counter", "drop")
	return func() { ns.Run(t, "nft", "delete", "table", "inet", "purezmq_hole") }
}
