package norm_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/netnstest"
	"github.com/purezmq/zmq/internal/transport/norm"
)

var long = flag.Bool("norm.long", false, "run the loss tests with libzmq on 100,000 messages (make test-norm-long)")

// lossRun is how many messages a loss test sends, and how fast.
func lossRun() (n int, rate int) {
	if *long {
		return 100000, 10000
	}
	return 3000, 20000
}

// pySubCheck subscribes to argv[1]; it prints "ready" once it has a message [b"hello"] (the
// publisher repeats it until then), then reads argv[2] messages [b"top", b"%d", argv[3] bytes]
// numbered from 0 and prints "ok N" when all are, else the first that is not. It prints
// nothing per message: a SUB that reads slower than NORM delivers loses data in NRL's buffer.
const pySubCheck = `
import sys, zmq
c = zmq.Context(); s = c.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b"")
s.setsockopt(zmq.RCVTIMEO, 20000); s.connect(sys.argv[1])
n, size = int(sys.argv[2]), int(sys.argv[3])
k, ready = 0, False
try:
    while k < n:
        m = s.recv_multipart()
        if m == [b"hello"]:
            if not ready:
                print("ready", flush=True); ready = True
            continue
        if len(m) != 3 or m[0] != b"top" or m[1] != b"%d" % k or len(m[2]) != size:
            print("bad message %d: %d frames, %r" % (k, len(m), m[1][:20]), flush=True); break
        k += 1
    else:
        print("ok", k, flush=True)
except zmq.Again:
    print("bad timeout after", k, flush=True)
s.close(0); c.term()
`

// purezmq PUB -> libzmq SUB with 5% of the datagrams lost each way: libzmq's NACKs get the
// segments resent, and it gets every message, in order.
func TestLossToLibzmq(t *testing.T) {
	p := netnstest.NewPair(t)
	const port, size = 6210, 100
	group := fmt.Sprintf("239.192.72.10:%d", port)
	n, rate := lossRun()
	sub := norm.StartPy(t, p.B, pySubCheck, fmt.Sprintf("norm://%s;%s", p.B.Addr, group), n, size)
	pub := openIn(t, p.A, zmq.PUB, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), zmq.WithRate(rate), zmq.WithSendHWM(0))
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sub.WaitReady(t, func() { pub.Send(ctx, zmq.NewMsgString("hello")) })
	p.B.Loss(t, port, 5, false)
	p.A.Loss(t, port, 5, false)
	start := time.Now()
	for i := range n {
		if err := pub.Send(ctx, zmq.NewMsg([]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size))); err != nil {
			t.Fatal(err)
		}
	}
	if out := strings.TrimSpace(sub.Wait(t)); out != fmt.Sprintf("ready\nok %d", n) {
		t.Fatalf("libzmq SUB: %q", out)
	}
	t.Logf("%d messages in %v; at the SUB %s, at the PUB %s", n, time.Since(start).Round(time.Millisecond), p.B.LossCount(t), p.A.LossCount(t))
}

// libzmq PUB -> purezmq SUB with 5% of the datagrams lost each way: every message arrives,
// in order.
func TestLossFromLibzmq(t *testing.T) {
	if !*long {
		// NRL's sender repairs only its last 93 blocks and first gathers NACKs for 5 × its
		// GRTT, which starts at 0.5 s and jumps when it stalls: on a busy machine it squelches
		// what it can no longer repair, or its rate falls to its floor and it stops (CI, 2 of
		// 4 runs of make test). A purezmq SUB stays clean (whole messages, in order), but the
		// run needs a quiet machine: make test-norm-long.
		t.Skip("libzmq PUB under loss: run by make test-norm-long, on a quiet machine")
	}
	p := netnstest.NewPair(t)
	const port, size = 6211, 100
	group := fmt.Sprintf("239.192.72.11:%d", port)
	n, rate := lossRun()
	sub := openIn(t, p.B, zmq.SUB, fmt.Sprintf("norm://%s;%s", p.B.Addr, group))
	defer sub.Close()
	if err := sub.Unsubscribe(nil); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe([]byte("top")); err != nil {
		t.Fatal(err)
	}
	p.B.Loss(t, port, 5, false)
	p.A.Loss(t, port, 5, false)
	start := time.Now()
	pub := norm.StartPy(t, p.A, norm.PyPub, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), n, size, 0.001, 5.0, rate, 3.0)
	lost := recvInOrder(t, sub, n, size)
	t.Logf("%d messages in %v, %d lost; at the SUB %s, at the PUB %s", n, time.Since(start).Round(time.Millisecond), lost, p.B.LossCount(t), p.A.LossCount(t))
	if lost > 0 {
		t.Fatalf("%d of %d messages lost", lost, n)
	}
	pub.Wait(t)
}

// recvInOrder reads n numbered messages [top, i, size bytes] and returns how many of them a
// clean gap skipped; a message torn, repeated or out of order fails t. A missing tail counts
// as lost once nothing more comes.
func recvInOrder(t *testing.T, sub *zmq.Socket, n, size int) (lost int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second+time.Duration(n)*2*time.Millisecond)
	defer cancel()
	next := 0
	for next < n {
		m, err := sub.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil && next > 0 {
				return lost + n - next // the tail never came
			}
			t.Fatalf("after %d of %d messages: %v", next, n, err)
		}
		i, err := strconv.Atoi(string(m.Frames[min(1, len(m.Frames)-1)]))
		if err != nil || len(m.Frames) != 3 || string(m.Frames[0]) != "top" || len(m.Frames[2]) != size || i < next || i >= n {
			t.Fatalf("message after #%d: %d frames, %q", next-1, len(m.Frames), m.Frames)
		}
		lost += i - next
		next = i + 1
	}
	return lost
}
