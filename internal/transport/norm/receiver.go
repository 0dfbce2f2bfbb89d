package norm

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// tick is how often a receiver looks at its timers.
const tick = 20 * time.Millisecond

// receiver is a NORM receiver of libzmq's streams: one per sender (node id), each put back in
// order and deframed into messages for the socket.
type receiver struct {
	s       *session
	max     int64
	gapWait time.Duration // how long a gap may wait for repair: RECOVERY_IVL
	now     func() time.Time
	done    chan struct{}
	once    sync.Once
	senders map[NodeID]*rxSender
	l       transport.Link
	out     []byte // a feedback message being built
	nseq    uint16
}

// rxSender is what a receiver knows of one sender.
type rxSender struct {
	instance  uint16
	ndata     uint16 // source symbols a block, from its FTI; 0 until known
	from      netip.AddrPort
	st        *rxStream
	rateBytes int // received since rateSince, for CC feedback
	rateSince time.Time
	lastRx    time.Time // the latest datagram's arrival
	recvRate  float64   // bytes/s, as last measured
	ratePrev  float64   // the last full measurement
	nack      nackState
	grtt      time.Duration
	backoff   uint8
	ccSent    time.Time // the latest CMD(CC)'s send time, for the GRTT response
	ccAt      time.Time // and when it came
}

func newReceiver(s *session, c *transport.Config) *receiver {
	return &receiver{s: s, max: c.MaxMsgSize, gapWait: c.Multicast.RecoveryIvl, now: time.Now, done: make(chan struct{}), senders: map[NodeID]*rxSender{}}
}

// Run implements transport.Engine.
func (r *receiver) Run(l transport.Link) error {
	r.l = l
	buf, oob := make([]byte, 65536), make([]byte, oobLen)
	last := r.now()
	for {
		r.s.conn.SetReadDeadline(last.Add(tick))
		n, oobn, _, from, err := r.s.conn.ReadMsgUDPAddrPort(buf, oob)
		select {
		case <-r.done:
			return nil
		default:
		}
		now := r.now()
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		if err == nil {
			if !r.handle(buf[:n], from, now, arrival(oob[:oobn], now)) {
				return nil
			}
		}
		if now.Sub(last) >= tick {
			last = now
			if !r.timers(now) {
				return nil
			}
		}
	}
}

// handle takes a datagram that arrived at at (the kernel's time; earlier than now when the
// receiver fell behind).
func (r *receiver) handle(b []byte, from netip.AddrPort, now, at time.Time) bool {
	m, err := Parse(b)
	if err != nil {
		return true // not NORM, or not for us: NORM ignores it too
	}
	switch m := m.(type) {
	case *Data:
		if m.Source == r.s.node {
			return true
		}
		return r.data(m, from, now, at)
	case *Cmd:
		if m.Source == r.s.node {
			return true
		}
		return r.command(r.sender(m.Source, m.Instance, from), m, now, at)
	}
	return true
}

// sender returns the state for a sender, new when its instance changed (it restarted).
func (r *receiver) sender(id NodeID, instance uint16, from netip.AddrPort) *rxSender {
	sn := r.senders[id]
	if sn == nil || sn.instance != instance {
		sn = &rxSender{instance: instance, from: from, st: &rxStream{df: deframer{max: r.max, deliver: r.deliver}}}
		r.senders[id] = sn
	}
	return sn
}

// header notes what every sender message says: its round-trip time and back-off factor.
func (sn *rxSender) header(h SenderHeader) {
	sn.grtt, sn.backoff = unquantizeRTT(h.GRTT), h.Backoff
}

func (r *receiver) data(m *Data, from netip.AddrPort, now, at time.Time) bool {
	if m.Flags&FlagStream == 0 {
		return true // libzmq sends only its stream
	}
	sn := r.sender(m.Source, m.Instance, from)
	sn.header(m.SenderHeader)
	sn.received(len(m.Payload)+40, at)
	if f, ok, err := ParseFTI(m.FecID, m.Exts); err == nil && ok {
		sn.ndata = f.NData
	}
	if sn.ndata == 0 || m.ID.Symbol >= sn.ndata {
		return true // parity: we ask for source segments, and decode no FEC
	}
	sn.nack.seen(m.Object, m.FecID, m.ID, sn.ndata, true, now)
	st, err := ParseStream(m.Payload)
	if err != nil {
		return true
	}
	return sn.st.add(st, symPos{m.ID.Block, m.ID.Symbol} == sn.nack.anchor, now)
}

// deliver hands a whole message to the socket, waiting for credit.
func (r *receiver) deliver(m pipe.Msg) bool {
	for !r.l.In.TryDeliver(m) {
		select {
		case <-r.l.Space:
		case <-r.done:
			return false
		}
	}
	return true
}

func (r *receiver) timers(now time.Time) bool {
	for id, sn := range r.senders {
		if sn.nack.giveUp(now, r.gapWait) && !sn.st.skipGap(now) {
			return false
		}
		if sn.nack.due(now, sn.grtt, sn.backoff) {
			r.sendNack(id, sn, now)
		}
		if !sn.st.expire(now, r.gapWait) {
			return false
		}
	}
	return true
}

// Busy implements transport.Engine: a receiver never is.
func (r *receiver) Busy() bool { return false }

// Close implements transport.Engine.
func (r *receiver) Close() error {
	var err error
	r.once.Do(func() {
		close(r.done)
		err = r.s.conn.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	return err
}

// seq is the next message sequence number of ours.
func (r *receiver) seq() uint16 { r.nseq++; return r.nseq - 1 }

// send sends feedback to the session address (the group, as NRL receivers do). A failure is
// as a lost datagram: NORM repeats what matters.
func (r *receiver) send(b []byte) {
	r.out = b
	r.s.conn.WriteToUDPAddrPort(b, r.s.dest)
}

// maxNackItems keeps a NACK within one packet of a 1400-byte segment.
const maxNackItems = 150

func (r *receiver) sendNack(id NodeID, sn *rxSender, now time.Time) {
	rs := sn.nack.requests(sn.nack.missing(maxNackItems))
	if len(rs) == 0 {
		return
	}
	n := Nack{Header: Header{Seq: r.seq(), Source: r.s.node}, Server: id, Instance: sn.instance, Requests: rs}
	n.GRTTSec, n.GRTTUS = sn.grttResponse(now)
	sn.nack.Sent++
	r.send(n.Append(r.out[:0]))
}
