package pgm_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/netnstest"
	"github.com/purezmq/zmq/internal/transport/pgm"
)

// forSchemes runs a scenario over UDP-encapsulated PGM and PGM over IP (protocol 113).
func forSchemes(t *testing.T, f func(t *testing.T, scheme string)) {
	for _, scheme := range []string{"epgm", "pgm"} {
		t.Run(scheme, func(t *testing.T) { f(t, scheme) })
	}
}

// hole is what an nftables blackhole for scheme's packets matches: raw PGM has no ports.
func hole(scheme string) netnstest.Match {
	if scheme == "pgm" {
		return netnstest.PGM
	}
	return netnstest.UDP(5555)
}

// index checks that m is a whole numbered message and returns its number.
func index(t *testing.T, m zmq.Msg) int {
	t.Helper()
	i, err := strconv.Atoi(string(m.Frames[0]))
	if err != nil {
		t.Fatalf("not a numbered message: %q", m.Frames[0])
	}
	if !sameMsg(m, numbered(i)) {
		t.Fatalf("message #%d is not whole: %d frames", i, len(m.Frames))
	}
	return i
}

// A purezmq SUB that joins a libzmq PUB's stream late starts at a message start: whole
// messages, in order, from some message past the first.
func TestLateJoinerFromLibzmq(t *testing.T) {
	forSchemes(t, testLateJoinerFromLibzmq)
}

func testLateJoinerFromLibzmq(t *testing.T, scheme string) {
	p := netnstest.NewPair(t)
	w := pgm.Watch(t, p.B, scheme)
	startPy(t, p.A, pyStream, endpoint(scheme, p.A), "20000")
	w.WaitODATA(t, 300) // the stream is well under way
	zc := newContext(t)
	sub := open(t, zc, p.B, zmq.SUB, endpoint(scheme, p.B), zmq.WithRate(20000), zmq.WithRecvHWM(0))
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := -1
	for k := 0; k < 1000; k++ {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := index(t, m)
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

// A libzmq SUB that joins a purezmq PUB's stream late finds the message starts from our
// offsets: whole messages, in order.
func TestLateJoinerToLibzmq(t *testing.T) {
	forSchemes(t, testLateJoinerToLibzmq)
}

func testLateJoinerToLibzmq(t *testing.T, scheme string) {
	p := netnstest.NewPair(t)
	zc := newContext(t)
	pub := open(t, zc, p.A, zmq.PUB, endpoint(scheme, p.A), zmq.WithRate(20000), zmq.WithSendHWM(0))
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
			for range 50 {
				if pub.Send(ctx, numbered(i)) != nil {
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
	w := pgm.Watch(t, p.B, scheme)
	w.WaitODATA(t, 300)
	py := startPy(t, p.B, pySub, endpoint(scheme, p.B), "1000", "20000", "20000", "late")
	line := py.expect("ok", time.Minute)
	close(stop)
	<-sent
	if line != "ok 1000" {
		t.Fatalf("libzmq SUB: %q", line)
	}
}

// A receiver cut off for longer than the source's window resets cleanly: the messages it
// delivers are whole and in order, with a gap, and it goes on after it.
func TestDataLossResetFromLibzmq(t *testing.T) {
	forSchemes(t, testDataLossResetFromLibzmq)
}

func testDataLossResetFromLibzmq(t *testing.T, scheme string) {
	p := netnstest.NewPair(t)
	zc := newContext(t)
	// 1 Mbit/s and 100 ms: libzmq keeps 8 packets for repair.
	sub := open(t, zc, p.B, zmq.SUB, endpoint(scheme, p.B), zmq.WithRate(1000), zmq.WithRecoveryIvl(100*time.Millisecond), zmq.WithRecvHWM(0))
	defer sub.Close()
	startPy(t, p.A, pyStreamIvl, endpoint(scheme, p.A), "1000", "100")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	recv := func() int {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return index(t, m)
	}
	first := recv()
	for k := 1; k < 20; k++ {
		if i := recv(); i != first+k {
			t.Fatalf("message #%d after #%d before any loss", i, first+k-1)
		}
	}
	lift := p.B.Blackhole(t, hole(scheme))
	p.B.WaitDropped(t, "purezmq_hole", 40) // five windows' worth the receiver never sees
	lift()
	// The SUB queued what came before the cut: read on past the gap until 200 in a row.
	// Repairs racing the source's trail as it sweeps past the cut may leave more than one
	// gap; every message is still whole and in order.
	prev, gaps, run := first+19, 0, 0
	for k := 0; gaps == 0 || run < 200; k++ {
		if k > 1_000_000 {
			t.Fatalf("%d gaps and a run of %d in %d messages", gaps, run, k)
		}
		i := recv()
		if i <= prev {
			t.Fatalf("message #%d after #%d", i, prev)
		}
		run++
		if i != prev+1 {
			gaps, run = gaps+1, 0
		}
		prev = i
	}
	t.Logf("%d gap(s), then 200 in order", gaps)
}

// A PUB closed with messages still in its rate limiter sends them all (LINGER), then says
// goodbye with OPT_FIN: the libzmq SUB gets every one.
func TestCloseWithBacklog(t *testing.T) {
	forSchemes(t, testCloseWithBacklog)
}

func testCloseWithBacklog(t *testing.T, scheme string) {
	p := netnstest.NewPair(t)
	py := startPy(t, p.B, pySub, endpoint(scheme, p.B), "400", "1000", "20000", "first")
	w := pgm.Watch(t, p.B, scheme)
	zc := newContext(t)
	pub := open(t, zc, p.A, zmq.PUB, endpoint(scheme, p.A), zmq.WithRate(1000), zmq.WithSendHWM(0), zmq.WithLinger(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pingUntil(t, ctx, pub, py, "joined")
	for i := range 400 { // ~60 kB at 125 kB/s: half a second in the limiter
		if err := pub.Send(ctx, numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	pub.Close()
	if line := py.expect("ok", time.Minute); line != "ok 400" {
		t.Fatalf("libzmq SUB: %q", line)
	}
	fin := w.WaitFIN(t)
	if fin.Lead != w.LastODATA() {
		t.Fatalf("OPT_FIN with lead %d, last ODATA %d", fin.Lead, w.LastODATA())
	}
}

// pyStreamIvl is pyStream with RECOVERY_IVL (ms) from argv[3].
var pyStreamIvl = strings.Replace(pyStream, "p.setsockopt(zmq.RATE, rate)",
	"p.setsockopt(zmq.RATE, rate); p.setsockopt(zmq.RECOVERY_IVL, int(sys.argv[3]))", 1)
