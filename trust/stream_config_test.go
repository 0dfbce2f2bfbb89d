package trust_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	zmq "github.com/purezmq/zmq"
)

// config is what a session's seed chooses besides the messages themselves.
type config struct {
	binder   int // 0: A binds and B connects; 1: the reverse
	join     bool
	joinAt   int64 // how many of A's messages B has received when the joiner connects
	sndbuf   [3]int
	rcvbuf   [3]int
	sndhwm   [3]int
	rcvhwm   [3]int
	counts   [4]int // messages of streams A→B, B→A, J→B, B→J
	winBytes int64  // bytes in flight per stream (the message window is per stream, from the HWMs)
	blast    bool   // lossy: send without flow control, so PUB drops at HWM
	pipeline int    // per cent of Recvs followed at once by a burst of sends
	pollRecv int    // per cent of Recvs preceded by a Poll in the same goroutine
	bgPoll   int    // per mille of steps that start or stop a background Poller
	recycle  int    // per cent of received messages given back with Recycle
	sendCopy int    // per cent of data messages sent with SendCopy, their frames scribbled over after
	prefix   []byte // what SUB and XSUB subscribe to
	profile  profile
}

// Kernel buffer sizes to choose from; 0 asks for the kernel's smallest. Receive buffers stop at
// 4 KiB: at the kernel's smallest (2304 bytes on Linux) a loopback tcp connection offers a
// window below one segment and stalls for seconds between persist probes, in libzmq as here.
var (
	sndBufSizes = []int{0, 2048, 4096, 8192, 16384, 65536}
	rcvBufSizes = []int{4096, 8192, 16384, 65536}
)

// streamEnds are the sides (0 A, 1 B, 2 J) each stream goes from and to.
var streamEnds = [4][2]int{{0, 1}, {1, 0}, {2, 1}, {1, 2}}

// Bytes a stream carries at most. Over loopback tcp a small buffer is slow: with less than two
// segments (64 KiB each) in flight the receiver delays its ACKs, and a 16 KiB send buffer
// carries about 2 MB/s; so such streams are kept short, and a session runs in about a second.
const (
	streamBytes    = 12 << 20
	smallTCPBytes  = 3 << 19
	smallTCPBuffer = 128 << 10
)

func newConfig(p pattern, tr transport, r *rand.Rand, key uint64) config {
	var c config
	c.binder = r.IntN(2)
	if p.canJoin && r.IntN(2) == 0 {
		c.join = true
		c.binder = 1 // the joiner connects to B
	}
	mode := []int{0, 1, 1, 2}[r.IntN(4)] // OS buffers, small ones everywhere, or a mix
	for i := range 3 {
		c.sndbuf[i], c.rcvbuf[i] = -1, -1
		if mode == 1 || mode == 2 && r.IntN(2) == 0 {
			c.sndbuf[i] = sndBufSizes[r.IntN(len(sndBufSizes))]
		}
		if mode == 1 || mode == 2 && r.IntN(2) == 0 {
			c.rcvbuf[i] = rcvBufSizes[r.IntN(len(rcvBufSizes))]
		}
		c.sndhwm[i], c.rcvhwm[i] = 1000, 1000
		if r.IntN(2) == 0 {
			c.sndhwm[i] = 1 + r.IntN(16)
		}
		if r.IntN(2) == 0 {
			c.rcvhwm[i] = 1 + r.IntN(16)
		}
	}
	for i := range c.counts {
		c.counts[i] = 10 + r.IntN(70)
	}
	if p.reqrep {
		c.counts[0] = 10 + r.IntN(40)
		c.counts[1] = c.counts[0]
	}
	c.winBytes = int64(4+r.IntN(13)) << 20
	if p.lossy && r.IntN(2) == 0 {
		c.blast = true
		c.sndhwm[0] = 1 + r.IntN(32) // bounds what the PUB holds for a slow SUB
	}
	c.pipeline = 30 + r.IntN(61)
	if r.IntN(2) == 0 {
		c.pollRecv = 5 + r.IntN(26)
	}
	if r.IntN(2) == 0 {
		c.bgPoll = 5 + r.IntN(46)
	}
	if r.IntN(2) == 0 {
		c.recycle = 50
	}
	if r.IntN(2) == 0 {
		c.prefix = []byte(magic)
	}
	switch r.IntN(3) {
	case 0:
		c.profile = profile{tiny: 15, boundary: 25, wide: 20, big: 20, random: 20}
	case 1: // around the writev boundary: copied bodies, then one sent in place
		c.profile = profile{tiny: 10, boundary: 10, wide: 40, big: 35, random: 5}
	default:
		for k := range c.profile {
			c.profile[k] = r.IntN(31)
		}
		c.profile[r.IntN(int(nKinds))]++ // never all zero
	}
	for i, ends := range streamEnds {
		budget := streamBytes
		snd, rcv := c.sndbuf[ends[0]], c.rcvbuf[ends[1]]
		if tr.name == "tcp" && (snd >= 0 && snd < smallTCPBuffer || rcv >= 0 && rcv < smallTCPBuffer) {
			budget = smallTCPBytes
		}
		n, bytes := 0, 0
		for ; n < c.counts[i]; n++ {
			_, sizes := shapeOf(c.profile, key, i, int64(n))
			for _, s := range sizes {
				bytes += s
			}
			if bytes > budget && n > 0 {
				break
			}
		}
		c.counts[i] = n
	}
	if p.reqrep {
		c.counts[0] = min(c.counts[0], c.counts[1])
		c.counts[1] = c.counts[0]
	}
	c.joinAt = int64(r.IntN(c.counts[0]/2 + 1))
	if r.IntN(2) == 0 {
		c.sendCopy = 50
	}
	return c
}

func (c config) describe(p pattern) string {
	var b strings.Builder
	names := []string{"A " + p.a.String(), "B " + p.b.String(), "J " + p.join.String()}
	n := 2
	if c.join {
		n = 3
	}
	fmt.Fprintf(&b, "%s binds", names[c.binder])
	for i := range n {
		fmt.Fprintf(&b, "; %s SNDBUF %d RCVBUF %d SNDHWM %d RCVHWM %d", names[i], c.sndbuf[i], c.rcvbuf[i], c.sndhwm[i], c.rcvhwm[i])
	}
	if c.join {
		fmt.Fprintf(&b, "; J joins after B received %d of A's messages", c.joinAt)
	}
	fmt.Fprintf(&b, "\n  messages %v, window %s in flight, blast %v, pipelined bursts after %d%% of Recvs, "+
		"Poll before %d%% of Recvs, background Poller toggled at %d‰ of steps, recycle %d%%, SendCopy %d%%, prefix %q\n  shapes %v",
		c.counts, kib(int(c.winBytes)), c.blast, c.pipeline, c.pollRecv, c.bgPoll, c.recycle, c.sendCopy, c.prefix, c.profile)
	return b.String()
}

// sockOptions are side i's socket options.
func (c config) sockOptions(i int, typ zmq.Type, name string, probe bool) []zmq.Option {
	o := []zmq.Option{
		zmq.WithLinger(0),
		zmq.WithSendHWM(c.sndhwm[i]), zmq.WithRecvHWM(c.rcvhwm[i]),
		zmq.WithSendBuffer(c.sndbuf[i]), zmq.WithRecvBuffer(c.rcvbuf[i]),
	}
	if typ == zmq.DEALER || typ == zmq.ROUTER {
		o = append(o, zmq.WithRoutingID([]byte("trust-"+name)))
	}
	if typ == zmq.ROUTER {
		o = append(o, zmq.WithRouterMandatory(true)) // an unroutable Send fails instead of vanishing
	}
	if probe {
		o = append(o, zmq.WithProbeRouter(true))
	}
	return o
}
