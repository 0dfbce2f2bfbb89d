package pgm

import (
	"math/rand/v2"
	"net/netip"
	"time"
)

// ReceiverConfig is what a receiver needs. The timings default to the ones libzmq gives
// OpenPGM (pgm_socket.cpp).
type ReceiverConfig struct {
	Dport      uint16     // the endpoint's port: data for others is ignored
	Group      netip.Addr // named in NAKs
	RxwSqns    int        // the receive window in packets (libzmq: RECOVERY_IVL at RATE)
	MaxMsgSize int64      // MAXMSGSIZE, -1 for none: a longer message resets the stream
	NakBoIvl   time.Duration
	NakRptIvl  time.Duration
	NakRdatIvl time.Duration
	NakRetries int // NCF and data retries, each
	SPMRIvl    time.Duration
	PeerExpiry time.Duration
	Rand       *rand.Rand // NAK back-off; nil for a seeded default
}

func (c *ReceiverConfig) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.NakBoIvl, 50*time.Millisecond)
	def(&c.NakRptIvl, 200*time.Millisecond)
	def(&c.NakRdatIvl, 200*time.Millisecond)
	def(&c.SPMRIvl, 25*time.Millisecond)
	def(&c.PeerExpiry, 300*time.Second)
	if c.NakRetries <= 0 {
		c.NakRetries = 50
	}
	if c.RxwSqns <= 0 {
		c.RxwSqns = windowSqns(100, 10*time.Second, 1500)
	}
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
}

// Outbound is a packet a receiver sends: to the group (SPMRs) or to a source's address.
type Outbound struct {
	B  []byte // valid during the call only
	To netip.Addr
}

// Receiver is the receiving side's state machine: one peer per source TSI. Handle takes every
// packet that arrives, Poll runs the timers; both hand whole messages to deliver and packets
// to send (NAKs, SPMRs) to out. No sockets, goroutines or clock of its own.
type Receiver struct {
	cfg     ReceiverConfig
	peers   map[TSI]*peer
	deliver func(msg [][]byte)
	buf     []byte
	alloc   frameAlloc
	spare   [][]byte // buffers of early packets already delivered, for the next ones
	keepCap int      // the capacity early packets' buffers get: the largest seen
	held    int      // packets all peers hold early (peer.nheld)
	heldMax int      // bound of held (maxHeldBytes)

	Stats ReceiverStats
}

// ReceiverStats count what the receiver saw and did.
type ReceiverStats struct {
	Data, Repairs, Duplicates, NAKs, SPMRs uint64
	Lost                                   uint64 // packets given up on
	Resets                                 uint64 // data-loss resets: a partial message dropped, the stream resynchronised
	Bad                                    uint64 // TSDUs not in libzmq's layout
	Refused                                uint64 // packets of a new source while maxPeers were tracked
}

// maxHeldBytes bounds what all of a receiver's peers hold early (after a loss, waiting for its
// repair), counted in packets of a 1500-byte TPDU, but never below two receive windows, so that
// one source's own window always fits; past it, the peer holding the most gives up its first
// gap. Alone, each peer's receive window bounds its own: maxPeers of them would be hundreds of
// windows.
const maxHeldBytes = 16 << 20

// maxPeers bounds the sources a receiver tracks at once. Any host that can send to the group
// can claim to be any number of sources (a TSI is eight bytes of the packet), each of which
// would hold a receive window; a packet from one more is dropped until a tracked one has been
// silent for PeerExpiry, or has finished, and is forgotten. The memory they can make a
// receiver hold is then at most maxPeers receive windows (RATE x RECOVERY_IVL each).
const maxPeers = 256

// NewReceiver returns a receiver that hands each whole message to deliver, which owns it.
func NewReceiver(cfg ReceiverConfig, deliver func(msg [][]byte)) *Receiver {
	cfg.defaults()
	return &Receiver{cfg: cfg, peers: map[TSI]*peer{}, deliver: deliver, heldMax: max(maxHeldBytes/1500, 2*cfg.RxwSqns)}
}

// Handle takes one parsed packet that came from the address from.
func (r *Receiver) Handle(now time.Time, p *Packet, from netip.Addr, out func(Outbound)) {
	switch p.Type {
	case TypeODATA, TypeRDATA, TypeSPM, TypeNCF:
	default:
		return // NAKs and SPMRs of other receivers, POLLs: nothing for us to do
	}
	if p.DstPort != r.cfg.Dport {
		return
	}
	tsi := p.TSI()
	pr := r.peers[tsi]
	if pr == nil {
		if p.Type == TypeNCF {
			return
		}
		if len(r.peers) >= maxPeers {
			r.Stats.Refused++
			return
		}
		pr = &peer{tsi: tsi, r: r, missing: map[uint32]gap{}, held: map[uint32][]byte{}}
		pr.unpack.maxMsgSize, pr.unpack.alloc = r.cfg.MaxMsgSize, &r.alloc
		r.peers[tsi] = pr
	}
	pr.lastSeen = now
	switch p.Type {
	case TypeSPM:
		pr.spm(now, p)
	case TypeNCF:
		pr.ncf(now, p)
	default:
		if !pr.nla.IsValid() && pr.nextSPMR.IsZero() {
			pr.from = from
			pr.nextSPMR = now.Add(r.cfg.SPMRIvl)
		}
		pr.data(now, p)
		r.shed()
	}
	if pr.fin && len(pr.missing) == 0 {
		r.forget(tsi, pr)
	}
}

// forget drops a peer and what it holds.
func (r *Receiver) forget(tsi TSI, pr *peer) {
	r.held -= pr.nheld
	delete(r.peers, tsi)
}

// shed gives up the first gap of the peer holding the most, until all hold at most heldMax.
func (r *Receiver) shed() {
	for r.held > r.heldMax {
		var most *peer
		for _, pr := range r.peers {
			if most == nil || pr.nheld > most.nheld {
				most = pr
			}
		}
		first, ok := most.firstHeld()
		if !ok {
			return // cannot happen: held is the sum of the peers' nheld
		}
		most.skipTo(first)
		most.flush()
	}
}

// Poll runs the timers due at now and returns when it next wants to be called (zero: not
// until a packet comes).
func (r *Receiver) Poll(now time.Time, out func(Outbound)) time.Time {
	var next time.Time
	for tsi, pr := range r.peers {
		if now.Sub(pr.lastSeen) >= r.cfg.PeerExpiry || (pr.fin && len(pr.missing) == 0) {
			r.forget(tsi, pr)
			continue
		}
		if t := pr.poll(now, out); !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
		expiry := pr.lastSeen.Add(r.cfg.PeerExpiry)
		if next.IsZero() || expiry.Before(next) {
			next = expiry
		}
	}
	return next
}

// maxSpare bounds the buffers kept for early packets.
const maxSpare = 256

// keep copies a packet that came early (the read buffer is reused), into a spare buffer when
// there is one.
func (r *Receiver) keep(data []byte) []byte {
	r.keepCap = max(r.keepCap, len(data))
	for len(r.spare) > 0 {
		b := r.spare[len(r.spare)-1]
		r.spare[len(r.spare)-1] = nil
		r.spare = r.spare[:len(r.spare)-1]
		if cap(b) >= len(data) {
			return append(b[:0], data...)
		}
	}
	return append(make([]byte, 0, r.keepCap), data...)
}

// release takes back an early packet's buffer once its bytes are decoded (the unpacker
// copies what it keeps).
func (r *Receiver) release(b []byte) {
	if len(r.spare) < maxSpare {
		r.spare = append(r.spare, b)
	}
}

// SetBuffers gives the receiver the socket's recycled buffers for big frames and messages.
func (r *Receiver) SetBuffers(b BufferSource) { r.alloc.bufs = b }

// Peers is the number of sources the receiver knows.
func (r *Receiver) Peers() int { return len(r.peers) }

func (r *Receiver) send(p *Packet, to netip.Addr, out func(Outbound)) {
	b, err := p.Append(r.buf[:0])
	if err != nil {
		return
	}
	r.buf = b
	out(Outbound{B: b, To: to})
}
