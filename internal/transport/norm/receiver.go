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

// What senders can make a receiver keep. Any host that can send to the group can claim to be
// any number of senders (a node id is four bytes of the datagram), so the senders a receiver
// tracks are bounded, and so is what their streams hold out of order, all of them together:
//   - maxSenders are tracked at once; a datagram from one more is dropped (refused counts
//     them) until one of them has been silent for senderExpiry, and is forgotten.
//   - maxHeldAll bytes are held by all the streams; past it, the stream holding the most gives
//     up its gap (as it would at its own maxHeld, or at RECOVERY_IVL).
//
// A message being reassembled is bounded by MAXMSGSIZE, as on a connection.
const (
	maxSenders   = 256
	senderExpiry = 300 * time.Second // as PGM's peer expiry
	maxHeldAll   = 4 * maxHeld
)

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
	held    int    // bytes the senders' streams hold out of order
	refused uint64 // datagrams dropped because maxSenders were tracked
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
	heard     time.Time // when a datagram last came, data or command
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
		sn := r.sender(m.Source, m.Instance, from, now)
		if sn == nil {
			return true
		}
		return r.command(sn, m, now, at)
	}
	return true
}

// sender returns the state for a sender, new when its instance changed (it restarted); nil
// when it is new and maxSenders are tracked already.
func (r *receiver) sender(id NodeID, instance uint16, from netip.AddrPort, now time.Time) *rxSender {
	sn := r.senders[id]
	if sn == nil && len(r.senders) >= maxSenders {
		r.refused++
		return nil
	}
	if sn == nil || sn.instance != instance {
		if sn != nil {
			r.held -= sn.st.bytes // what the old instance held goes with it
		}
		sn = &rxSender{instance: instance, from: from, st: &rxStream{total: &r.held, df: deframer{max: r.max, deliver: r.deliver}}}
		r.senders[id] = sn
	}
	sn.heard = now
	return sn
}

// shed gives up the gap of the stream holding the most until all hold at most maxHeldAll.
func (r *receiver) shed(now time.Time) bool {
	for r.held > maxHeldAll {
		var most *rxSender
		for _, sn := range r.senders {
			if most == nil || sn.st.bytes > most.st.bytes {
				most = sn
			}
		}
		if most == nil || most.st.bytes == 0 {
			return true // cannot happen: r.held is the sum of the streams' bytes
		}
		if !most.st.skipGap(now) {
			return false
		}
	}
	return true
}

// header notes what every sender message says: its round-trip time and back-off factor.
func (sn *rxSender) header(h SenderHeader) {
	sn.grtt, sn.backoff = unquantizeRTT(h.GRTT), h.Backoff
}

func (r *receiver) data(m *Data, from netip.AddrPort, now, at time.Time) bool {
	if m.Flags&FlagStream == 0 {
		return true // libzmq sends only its stream
	}
	sn := r.sender(m.Source, m.Instance, from, now)
	if sn == nil {
		return true
	}
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
	return sn.st.add(st, symPos{m.ID.Block, m.ID.Symbol} == sn.nack.anchor, now) && r.shed(now)
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
		if now.Sub(sn.heard) >= senderExpiry {
			r.held -= sn.st.bytes
			delete(r.senders, id)
			continue
		}
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
