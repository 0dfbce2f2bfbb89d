package pgm_test

import (
	"bytes"
	"context"
	"fmt"
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

// index checks that m is a whole message want(i) and returns its number i.
func index(t *testing.T, m zmq.Msg, want func(int) zmq.Msg) int {
	t.Helper()
	i, err := strconv.Atoi(string(m.Frames[0]))
	if err != nil {
		t.Fatalf("not a numbered message: %.40q", m.Frames[0])
	}
	if !sameMsg(m, want(i)) {
		t.Fatalf("message #%d is not whole: %d frames", i, len(m.Frames))
	}
	return i
}

// A late joiner lands on whatever packet comes first: only one that starts inside a message
// tests the offset, so each late-joiner test joins lateJoins times, one SUB after another,
// and each reads lateMsgs messages.
const (
	lateJoins = 5
	lateMsgs  = 100
)

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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var firsts []int
	for range lateJoins {
		sub := open(t, zc, p.B, zmq.SUB, endpoint(scheme, p.B), zmq.WithRate(20000), zmq.WithRecvHWM(0))
		first := -1
		for k := 0; k < lateMsgs; k++ {
			m, err := sub.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			i := index(t, m, numbered)
			if first < 0 {
				first = i
			} else if i != first+k {
				t.Fatalf("message #%d after #%d", i, first+k-1)
			}
		}
		sub.Close()
		if first <= 0 {
			t.Fatalf("first message #%d: the SUB did not join late", first)
		}
		firsts = append(firsts, first)
	}
	t.Logf("joined at messages %v, then %d in order each", firsts, lateMsgs)
}

// A libzmq SUB that joins a purezmq PUB's stream late finds the message starts from our
// offsets: whole messages, in order.
func TestLateJoinerToLibzmq(t *testing.T) {
	forSchemes(t, testLateJoinerToLibzmq)
}

func testLateJoinerToLibzmq(t *testing.T, scheme string) {
	p := netnstest.NewPair(t)
	zc := newContext(t)
	// 4 Mbit/s, below the pace of the sends below (~1.6 MB/s): the PUB is always backlogged,
	// its packets full and its messages spanning them, as a burst would not be. No linger:
	// the backlog left at the end is of no interest.
	pub := open(t, zc, p.A, zmq.PUB, endpoint(scheme, p.A), zmq.WithRate(4000), zmq.WithSendHWM(0), zmq.WithLinger(0))
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
	defer func() { close(stop); <-sent }()
	w := pgm.Watch(t, p.B, scheme)
	w.WaitODATA(t, 50)
	py := startPy(t, p.B, pyLateSubs, endpoint(scheme, p.B), strconv.Itoa(lateJoins), strconv.Itoa(lateMsgs), "4000", "20000")
	var firsts []string
	for range lateJoins {
		line := py.expect("joined", time.Minute)
		firsts = append(firsts, strings.TrimPrefix(line, "joined "))
	}
	if line := py.expect("ok", time.Minute); line != fmt.Sprintf("ok %d", lateJoins) {
		t.Fatalf("libzmq SUBs: %q", line)
	}
	t.Logf("libzmq joined at messages %v, then %d in order each", firsts, lateMsgs)
}

// pyLateSubs opens argv[2] SUBs one after another, each joining the stream late and
// receiving argv[3] numbered messages, whole and in order, from wherever it joined.
const pyLateSubs = pyCommon + `
ep, joins, n, rate, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = zmq.Context()
print("ready", flush=True)
for j in range(joins):
    s = c.socket(zmq.SUB)
    s.setsockopt(zmq.RATE, rate); s.setsockopt(zmq.RCVTIMEO, timeout); s.setsockopt(zmq.RCVHWM, 0)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(ep)
    try:
        for k in range(n):
            m = s.recv_multipart()
            if k == 0:
                first = i = int(m[0])
            if m != want(i):
                print("bad message", i, m[0][:16], len(m), flush=True); sys.exit(1)
            i += 1
    except zmq.Again:
        print("timeout after", k, flush=True); sys.exit(1)
    except ValueError:
        print("not a numbered message", m[0][:16], flush=True); sys.exit(1)
    s.close(linger=0)
    if first <= 0:
        print("not late: first message", first, flush=True); sys.exit(1)
    print("joined", first, flush=True)
print("ok", joins, flush=True)
`

// A receiver cut off for longer than the source's window resets cleanly: the messages it
// delivers are whole and in order, with a gap, and it goes on after it.
func TestDataLossResetFromLibzmq(t *testing.T) {
	forSchemes(t, testDataLossResetFromLibzmq)
}

func testDataLossResetFromLibzmq(t *testing.T, scheme string) {
	p := netnstest.NewPair(t)
	zc := newContext(t)
	// 4 Mbit/s and 25 ms: libzmq keeps 8 packets for repair. 2,000 messages are 9 s' worth,
	// far more than the test reads.
	sub := open(t, zc, p.B, zmq.SUB, endpoint(scheme, p.B), zmq.WithRate(4000), zmq.WithRecoveryIvl(25*time.Millisecond), zmq.WithRecvHWM(0))
	defer sub.Close()
	startPy(t, p.A, pyPaddedBacklog, endpoint(scheme, p.A), "4000", "25", "2000", strconv.Itoa(padLen))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	recv := func() int {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return index(t, m, padded)
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
	// The SUB queued what came before the cut: read on past the gap until 30 in a row.
	// Repairs racing the source's trail as it sweeps past the cut may leave more than one
	// gap; every message is still whole and in order.
	gaps := netnstest.ReadPastGap(t, recv, first+19, 30, 1_000_000)
	t.Logf("%d gap(s), then 30 in order", gaps)
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

// padLen makes each message of the data-loss stream longer than a packet: a cut falls inside
// a message, and the reset has a partial message to drop.
const padLen = 2000

// padded is numbered(i) with a last frame of padLen bytes, as pyPaddedBacklog sends.
func padded(i int) zmq.Msg {
	m := numbered(i)
	m.Frames = append(m.Frames, bytes.Repeat([]byte{'p'}, padLen))
	return m
}

// pyPaddedBacklog queues argv[4] messages padded with argv[5] bytes at once, at RATE argv[2]
// with RECOVERY_IVL (ms) argv[3], then waits to be killed: the source is backlogged throughout, its packets
// full, and a cut at any moment most likely falls inside a message.
const pyPaddedBacklog = pyCommon + `
import time
ep, rate, ivl, n, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = zmq.Context(); p = c.socket(zmq.PUB)
p.setsockopt(zmq.RATE, rate); p.setsockopt(zmq.RECOVERY_IVL, ivl); p.setsockopt(zmq.SNDHWM, 0)
p.connect(ep)
print("ready", flush=True)
for i in range(n):
    p.send_multipart(want(i) + [b"p" * pad])
time.sleep(3600)
`
