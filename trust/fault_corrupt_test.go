package trust_test

import (
	"context"
	crand "crypto/rand"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/faultnet"
)

// What ZMTP promises about a damaged byte, and so what these tests assert:
//
//   - Under NULL the protocol has no checksum. Damage to a frame header that breaks the
//     grammar (reserved flag bits, COMMAND with MORE, a length above MAXMSGSIZE) must drop the
//     connection; damage that keeps the grammar (a MORE bit, a body byte) cannot be detected by
//     anyone and arrives as a well-formed message with the wrong content. The test pins both,
//     so that the second stays a known property of NULL rather than a surprise.
//   - Under CURVE every frame is a MESSAGE whose box is authenticated: damage anywhere in it
//     (length, name, nonce, MAC, ciphertext, inner flags) must drop the connection, and no
//     damaged message is ever delivered. The bits that change nothing are the outer frame's
//     MORE and COMMAND flags: MESSAGE goes out with neither (as libzmq sends it), the codec
//     needs neither to open the box, and the message arrives intact.
//   - A length made large can leave a connection waiting for a body that never ends (a stall,
//     neither a drop nor a delivery); MAXMSGSIZE is what turns that into a drop, so the
//     receiver sets it.
//
// Either way the damaged connection is the only one affected: a second peer on a clean path
// keeps streaming, and loses nothing.

// corruptCodec has short frames only (at most 255 bytes even sealed by CURVE: a header frame
// of at most 39 bytes, data frames of at most 200), so that where each frame of a message
// starts in its encoding is known.
var corruptCodec = bounded(20, 3, 200)

// curveOverhead is what CURVE adds to a frame's body: the MESSAGE name with its length byte,
// the short nonce, the MAC and the inner flags.
const curveOverhead = 1 + 7 + 8 + 16 + 1

// layout returns where each frame of m starts in its encoding, and the encoding's length.
func layout(m [][]byte, overhead int) (starts []int64, total int64) {
	for _, f := range m {
		starts = append(starts, total)
		total += 2 + int64(overhead+len(f))
	}
	return starts, total
}

type outcome int

const (
	dropped    outcome = iota // the receiver dropped the connection; nothing of the message arrived
	intact                    // the connection lived and the message arrived as sent
	altered                   // the connection lived and a message failing the check arrived
	anyOutcome                // not asserted (NULL: what a random flip does depends on the bytes)
)

func (o outcome) String() string {
	return [...]string{"dropped", "intact", "altered", "any"}[o]
}

type corruptCase struct {
	name   string
	offset int64 // in the probe's encoding
	mask   byte
	want   outcome
	// resolve, when set, fills in the case once the probe is known.
	resolve func(c *corruptCase, probe [][]byte)
}

// corruptRig is a PULL with two PUSH peers: a, through the relay, sends probes on stream 1;
// b, connected directly, streams on stream 2 the whole time.
type corruptRig struct {
	relay  *faultnet.Relay
	a      *zmq.Socket
	boundA *events // the PULL's events on the endpoint the relay connects to
	aEv    *events // a's
	data   *tally
	bad    atomic.Int64
	conns  int   // a's connections the PULL has accepted so far
	seq    int64 // a's next sequence number
}

func newCorruptRig(t *testing.T, g *group, server, client []zmq.Option) *corruptRig {
	c := &corruptRig{conns: 1}
	pull := newSocket(t, zmq.PULL, with(server, zmq.WithMaxMsgSize(1<<20))...)
	epA := strings.TrimPrefix(bindEndpoint(t, pull), "tcp://")
	epB := strings.TrimPrefix(bindEndpoint(t, pull), "tcp://")
	c.boundA = watchAt(t, pull, "tcp://"+epA)
	c.relay = relayTo(t, epA)
	c.data = newTally(corruptCodec)
	c.data.onBad = func(err error) {
		c.bad.Add(1)
		t.Logf("delivered, failing the check: %v", err)
	}
	receive(t, g, pull, c.data)
	b := newSocket(t, zmq.PUSH, client...)
	connectTCP(t, b, epB)
	sendStream(g, b, corruptCodec, 2, func(seq int64) {
		if seq >= cutHWM {
			c.data.next(2, seq-cutHWM, 2*time.Millisecond)
		}
	})
	c.a = newSocket(t, zmq.PUSH, client...)
	c.aEv = watch(t, c.a)
	connectTCP(t, c.a, c.relay.Addr())
	return c
}

func bindEndpoint(t *testing.T, s *zmq.Socket) string {
	t.Helper()
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	return s.LastEndpoint()
}

func (c *corruptRig) send(t *testing.T, seq int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := c.a.Send(ctx, zmq.NewMsg(corruptCodec.msg(1, seq)...)); err != nil {
		t.Fatalf("probe %d: %v", seq, err)
	}
}

// run damages one byte of a probe and reports what became of it. The bytes after the probe
// (follow-up messages, sent until the outcome is known) let a damaged length swallow what it
// will and the receiver come to a verdict.
func (c *corruptRig) run(t *testing.T, cs *corruptCase) outcome {
	t.Helper()
	// The connection's handshake is through, and so is everything a sent before (follow-ups of
	// the last case may still be queued or in flight; a marker sent after them arrives after
	// them): the next byte the relay forwards up is the probe's first.
	c.boundA.waitFor(t, zmq.EventHandshakeSucceeded, c.conns, waitLong)
	marker := c.seq
	c.seq++
	c.send(t, marker)
	if !c.data.await(1, func(st *stream) bool { return st != nil && st.has(marker) }, waitLong) {
		t.Fatalf("%s: marker %d did not arrive within %v; relay %+v\n  PULL's last events: %s\n  PUSH's: %s",
			cs.name, marker, waitLong, c.relay.Stats(), c.boundA.recent(), c.aEv.recent())
	}
	drops, bad := c.boundA.count(zmq.EventDisconnected), c.bad.Load()
	probe := c.seq
	c.seq++
	if cs.resolve != nil {
		cs.resolve(cs, corruptCodec.msg(1, probe))
	}
	c.relay.Corrupt(faultnet.Up, faultnet.Corruption{Offset: cs.offset, Length: 1, Mask: cs.mask, Limit: 1})
	defer c.relay.Normal(faultnet.Up)
	c.send(t, probe)
	deadline := time.Now().Add(waitLong)
	for {
		if c.boundA.count(zmq.EventDisconnected) > drops {
			c.conns++
			if c.data.has(1, probe) || c.bad.Load() != bad {
				t.Errorf("%s: the connection was dropped, but the probe arrived (intact %v, failing the check %d)",
					cs.name, c.data.has(1, probe), c.bad.Load()-bad)
			}
			return dropped
		}
		if c.data.state(1).next > probe+1 { // a follow-up arrived: the stream is in step again
			switch {
			case c.bad.Load() != bad:
				return altered
			case c.data.has(1, probe):
				return intact
			}
			t.Fatalf("%s: the probe vanished, with neither a drop nor a damaged message", cs.name)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no verdict after %v: the connection stalls", cs.name, waitLong)
		}
		c.send(t, c.seq)
		c.seq++
		c.data.next(1, probe+1, 2*time.Millisecond)
	}
}

// runCases runs each case and checks its outcome, then that the clean peer lost nothing.
func (c *corruptRig) runCases(t *testing.T, cases []corruptCase) {
	t.Helper()
	count := map[outcome]int{}
	for i := range cases {
		cs := &cases[i]
		got := c.run(t, cs)
		count[got]++
		if cs.want != anyOutcome && got != cs.want {
			t.Errorf("%s (offset %d, mask %#02x): %v, want %v", cs.name, cs.offset, cs.mask, got, cs.want)
		}
	}
	b := c.data.state(2).got
	c.data.waitGot(t, 2, b+cutFlow, waitLong) // the clean peer still streams
	st := c.data.state(2)
	t.Logf("outcomes %v; relay %+v; clean peer: %v", count, c.relay.Stats(), st)
	if st.gaps != 0 || st.runs != 1 {
		t.Errorf("the clean peer: %v; want everything, in order", st)
	}
}

func TestFaultCorruptNULL(t *testing.T) {
	g := newGroup(t)
	c := newCorruptRig(t, g, nil, nil)
	// The probe's first frame is its header (31 to 39 bytes, with its own CRC), with MORE set:
	// flags at 0, length at 1, the header from 2 (its magic "TRST" at 2 to 5).
	cases := []corruptCase{
		{name: "a reserved flag bit", offset: 0, mask: 0x80, want: dropped},
		{name: "LONG on a short frame: a length above MAXMSGSIZE", offset: 0, mask: 0x02, want: dropped},
		{name: "COMMAND on a frame with MORE", offset: 0, mask: 0x04, want: dropped},
		{name: "MORE cleared: the message splits, well-formed", offset: 0, mask: 0x01, want: altered},
		{name: "a byte of the body", offset: 5, mask: 0xff, want: altered},
		{name: "the length", offset: 1, mask: 0x01, want: anyOutcome},
	}
	rng := rand.New(rand.NewPCG(20, 0))
	for range 6 {
		cases = append(cases, corruptCase{name: "random", want: anyOutcome, resolve: func(cs *corruptCase, probe [][]byte) {
			_, total := layout(probe, 0)
			cs.offset, cs.mask = rng.Int64N(total), 1<<rng.IntN(8)
		}})
	}
	c.runCases(t, cases)
}

func TestFaultCorruptCURVE(t *testing.T) {
	spub, ssec, err := curve.GenerateKeyPair(crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cpub, csec, err := curve.GenerateKeyPair(crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	server := []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}
	client := []zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}
	g := newGroup(t)
	c := newCorruptRig(t, g, server, client)
	// The probe's first frame, sealed: flags at 0, length at 1, the name's length at 2 and
	// "MESSAGE" from 3, the short nonce from 10, the MAC from 18, the inner flags at 34, the
	// header from 35.
	var cases []corruptCase
	for bit := range 8 {
		want := dropped
		if harmlessFlag(1 << bit) {
			want = intact
		}
		cases = append(cases, corruptCase{name: "outer flags", mask: 1 << bit, want: want})
	}
	cases = append(cases,
		corruptCase{name: "length down", offset: 1, mask: 0x01, want: dropped},
		corruptCase{name: "length up", offset: 1, mask: 0x80, want: dropped},
		corruptCase{name: "name length", offset: 2, mask: 0x08, want: dropped},
		corruptCase{name: "name", offset: 5, mask: 0x20, want: dropped},
		corruptCase{name: "nonce", offset: 17, mask: 0x01, want: dropped},
		corruptCase{name: "MAC", offset: 18, mask: 0x01, want: dropped},
		corruptCase{name: "inner flags", offset: 34, mask: 0x01, want: dropped},
		corruptCase{name: "ciphertext", offset: 40, mask: 0x01, want: dropped},
	)
	// Anywhere in the probe: dropped, but for the harmless bits of an outer flags byte.
	rng := rand.New(rand.NewPCG(21, 0))
	for range 12 {
		cases = append(cases, corruptCase{name: "random", resolve: func(cs *corruptCase, probe [][]byte) {
			starts, total := layout(probe, curveOverhead)
			cs.offset, cs.mask, cs.want = rng.Int64N(total), 1<<rng.IntN(8), dropped
			if slices.Contains(starts, cs.offset) && harmlessFlag(cs.mask) {
				cs.want = intact
			}
		}})
	}
	c.runCases(t, cases)
	if n := c.bad.Load(); n != 0 {
		t.Errorf("CURVE delivered %d damaged messages", n)
	}
}

// harmlessFlag reports whether flipping mask in the outer flags of a CURVE MESSAGE frame
// leaves the message intact: MORE and COMMAND (see the top of this file).
func harmlessFlag(mask byte) bool { return mask == 0x01 || mask == 0x04 }
