package trust_test

import (
	crand "crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/faultnet"
)

// wire is how a lane's two sockets meet.
type wire struct {
	name   string
	faulty bool // through a faultnet relay, with faults injected and heartbeats on
	curve  bool
	bind   func() string
}

var soakWires = []wire{
	{name: "tcp+NULL", faulty: true, bind: func() string { return "tcp://127.0.0.1:*" }},
	{name: "tcp+CURVE", faulty: true, curve: true, bind: func() string { return "tcp://127.0.0.1:*" }},
	{name: "ipc", bind: func() string { return "ipc://*" }},
	{name: "inproc", bind: func() string { return fmt.Sprintf("inproc://soak-%d", inprocSeq.Add(1)) }},
}

const (
	soakHWM    = 16
	soakWindow = 8 // messages a sender keeps unreceived: half the HWMs, so no queue drops for want of room
	// trickle is how long a sender on a relay lane waits for a receiver that is away before it
	// sends on regardless (a PUB or an echoing ROUTER then drops, as they must).
	trickle       = 50 * time.Millisecond
	soakHbIvl     = 100 * time.Millisecond
	soakHbTimeout = time.Second
	soakDetect    = 20 * soakHbTimeout // a blackhole undetected this long is a failure
	pirateWait    = 2 * time.Second    // a lazy-pirate client's patience before it first retries
	pirateMax     = 16 * time.Second   // ... and at most, doubling after each retry
	laneRate      = 3 << 20            // bytes per second a lane's sender sends at most
)

// Stream ids: data, and the probes and fins around it.
const (
	probeStream = 0 // PUB-SUB: sent until the subscription is known to be there
	dataStream  = 1
	finStream   = 2 // sent after the last data message until one reaches the last receiver
)

// soakProfile: mostly small and writev-sized messages, some wide or 1 MiB ones.
var soakProfile = profile{tiny: 30, boundary: 20, wide: 10, big: 30, random: 10}

// lane is one family over one wire: two sockets, a relay on a faulty wire, the streams between
// them and the goroutines that drive them.
type lane struct {
	sk     *soak
	idx    int
	fam    family
	w      wire
	name   string
	codec  codec
	keys   *soakKeys
	relay  *faultnet.Relay // nil on a control lane
	target string          // the endpoint the connect side connects to
	bound  *zmq.Socket
	conn   *zmq.Socket // the connect side's; a lazy pirate replaces it, and then only it uses it
	bev    *events     // the bound socket's events
	cev    *events     // the connect side's, over every socket it has had
	// streams are the lane's data streams, as the report lists them; final is the tally of the
	// last receiver of its traffic, whose progress says the lane is alive.
	streams  []*laneStream
	final    *tally
	stopping chan struct{} // closed when the senders are to send no more data
	sending  sync.WaitGroup
	retries  atomic.Int64 // lazy-pirate retries
	faults   faultLog
	redials  atomic.Int64 // Disconnect and Connect again after the connect side gave up
	next     time.Time    // the sender's: when its rate allows the next message
}

// laneStream is one data stream of a lane and the rule its losses obey.
type laneStream struct {
	name      string
	ta        *tally
	rule      rule
	from      *events      // the sender's side's
	sent      atomic.Int64 // data messages whose Send returned nil (REQ: distinct requests)
	corrupted atomic.Int64 // delivered failing the check
	repeated  atomic.Int64 // delivered again where the rule forbids it

	mu    sync.Mutex
	seqs  stream // the sequence numbers sent: an echo's are the requests it answered
	extra int    // echoes of requests answered before (REP after a retry)
}

// sentSeq records that data message seq went out.
func (ls *laneStream) sentSeq(seq int64) {
	ls.sent.Add(1)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.seqs.has(seq) {
		ls.extra++
		return
	}
	ls.seqs.add(seq)
}

type soakKeys struct {
	spub, cpub curve.PublicKey
	ssec, csec curve.SecretKey
}

func newSoakKeys() (*soakKeys, error) {
	var k soakKeys
	var err error
	if k.spub, k.ssec, err = curve.GenerateKeyPair(crand.Reader); err != nil {
		return nil, err
	}
	k.cpub, k.csec, err = curve.GenerateKeyPair(crand.Reader)
	return &k, err
}

func (l *lane) options(server bool) []zmq.Option {
	o := []zmq.Option{
		zmq.WithLinger(0), zmq.WithReconnectIvl(20 * time.Millisecond), zmq.WithHandshakeIvl(2 * time.Second),
		zmq.WithSendHWM(soakHWM), zmq.WithRecvHWM(soakHWM), zmq.WithMaxMsgSize(4 << 20),
	}
	if l.w.faulty {
		o = append(o, zmq.WithHeartbeatIvl(soakHbIvl), zmq.WithHeartbeatTimeout(soakHbTimeout))
	}
	switch {
	case l.w.curve && server:
		o = append(o, zmq.WithCurveServer(true), zmq.WithCurvePublicKey(l.keys.spub), zmq.WithCurveSecretKey(l.keys.ssec))
	case l.w.curve:
		o = append(o, zmq.WithCurveServerKey(l.keys.spub), zmq.WithCurvePublicKey(l.keys.cpub), zmq.WithCurveSecretKey(l.keys.csec))
	}
	if !server && l.fam.conn == zmq.DEALER {
		// One routing id across reconnects: the ROUTER may still hold the old connection
		// under it when the new one arrives.
		o = append(o, zmq.WithRoutingID([]byte("soak-dealer")))
	}
	return o
}

// open binds, puts a relay in front on a faulty wire, connects, starts the receivers and waits
// until the lane is connected (and, for PUB-SUB, subscribed).
func (l *lane) open() error {
	var err error
	if l.bound, err = zmq.NewSocket(l.fam.bound, l.options(true)...); err != nil {
		return err
	}
	l.bev.add(l.bound, "")
	if err := l.bound.Bind(l.w.bind()); err != nil {
		return fmt.Errorf("Bind: %w", err)
	}
	l.target = l.bound.LastEndpoint()
	if l.w.faulty {
		if l.relay, err = faultnet.New(strings.TrimPrefix(l.target, "tcp://")); err != nil {
			return err
		}
		l.target = "tcp://" + l.relay.Addr()
	}
	if err := l.connect(); err != nil {
		return err
	}
	l.fam.setup(l)
	if l.w.name != "inproc" { // inproc reports no connection events
		up := func(e *events) func() bool {
			return func() bool { return e.count(zmq.EventHandshakeSucceeded) > 0 }
		}
		if !l.cev.await(up(l.cev), waitLong) || !l.bev.await(up(l.bev), waitLong) {
			return fmt.Errorf("not connected after %v", waitLong)
		}
	}
	if l.fam.conn == zmq.SUB {
		return l.subscribed()
	}
	return nil
}

// connect opens the connect side's socket (again, for a lazy pirate) and connects it.
func (l *lane) connect() error {
	s, err := zmq.NewSocket(l.fam.conn, l.options(false)...)
	if err != nil {
		return err
	}
	l.cev.add(s, "")
	if l.fam.conn == zmq.SUB {
		if err := s.Subscribe(nil); err != nil {
			s.Close()
			return err
		}
	}
	if err := s.Connect(l.target); err != nil {
		s.Close()
		return fmt.Errorf("Connect(%s): %w", l.target, err)
	}
	l.conn = s
	return nil
}

// subscribed publishes probes until one arrives: a PUB drops what no subscription matches, and
// nothing tells it when the subscription has come.
func (l *lane) subscribed() error {
	deadline := time.Now().Add(waitLong)
	for k := int64(0); ; k++ {
		if !l.send(l.bound, zmq.NewMsg(l.codec.msg(probeStream, k)...), "a probe") {
			return errors.New("probe not sent")
		}
		if l.final.await(probeStream, func(st *stream) bool { return st != nil }, 20*time.Millisecond) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the subscription did not reach the PUB within %v", waitLong)
		}
	}
}

// stream adds a data stream sent by the bound side (fromBound) or the connect side; on a
// control lane its rule is exact, whatever the family allows.
func (l *lane) stream(name string, r rule, fromBound bool) *laneStream {
	if !l.w.faulty {
		r = ruleExact
	}
	ls := &laneStream{name: name, ta: newTally(l.codec), rule: r, from: l.cev}
	if fromBound {
		ls.from = l.bev
	}
	ls.ta.repeats = r == ruleAtLeastOnce
	l.streams = append(l.streams, ls)
	return ls
}

// redial connects the connect side again: after a protocol error a connect side gives up on
// its endpoint (as libzmq does), and an application that wants the peer back must ask.
func (l *lane) redial() bool {
	if err := l.conn.Disconnect(l.target); err != nil && !errors.Is(err, zmq.ErrNotFound) {
		l.sk.fail("%s: Disconnect after a protocol error: %v", l.name, err)
		return false
	}
	if err := l.conn.Connect(l.target); err != nil {
		l.sk.fail("%s: Connect after a protocol error: %v", l.name, err)
		return false
	}
	l.redials.Add(1)
	return true
}

// status says where the lane is, for a hang's report.
func (l *lane) status() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", l.name)
	for _, ls := range l.streams {
		fmt.Fprintf(&b, " %s sent %d, received %v;", ls.name, ls.sent.Load(), ls.ta.state(dataStream))
	}
	if l.relay != nil {
		fmt.Fprintf(&b, "\n    relay %+v; last faults: %s", l.relay.Stats(), l.faults.recent())
	}
	fmt.Fprintf(&b, "\n    bound side's last events: %s\n    connect side's: %s", l.bev.recent(), l.cev.recent())
	if l.fam.conn == zmq.REQ {
		fmt.Fprintf(&b, "\n    %d retries", l.retries.Load())
	}
	return b.String()
}

func (l *lane) stopped() bool {
	select {
	case <-l.stopping:
		return true
	default:
		return false
	}
}

// conns is how many connections ls's sender has had ready for messages (handshakes that
// succeeded on its side): the only ones a message of the stream can have been written to.
func (ls *laneStream) conns() int { return max(ls.from.count(zmq.EventHandshakeSucceeded), 1) }
