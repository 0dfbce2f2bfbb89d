package pgm

import (
	"net/netip"
	"time"
)

// SenderConfig is what a source needs, from the endpoint and the socket's options.
type SenderConfig struct {
	TSI         TSI        // our GSI and data-source port
	Dport       uint16     // the data-destination port (the endpoint's port, as libzmq sets it)
	NLA         netip.Addr // our address on the interface, named in SPMs for NAKs to come to
	Group       netip.Addr
	MaxTPDU     int // MULTICAST_MAXTPDU: the largest packet, IP header included
	IPHeader    int // IP (and UDP) header bytes per packet: 28 for epgm, 20 for pgm, over IPv4
	Rate        int // RATE, kbit/s; data and repairs share it
	RecoveryIvl time.Duration
}

// MaxTSDU is the largest APDU that goes in one ODATA packet without fragmentation: libzmq
// never lets OpenPGM fragment, it fills each packet up to this.
func (c *SenderConfig) MaxTSDU() int { return c.MaxTPDU - c.IPHeader - headerLen - 8 }

// windowSqns is the transmit window in packets, as libzmq's compute_sqns: RECOVERY_IVL at
// RATE, in packets of MaxTPDU, at least one.
func windowSqns(rateKbit int, ivl time.Duration, tpdu int) int {
	n := ivl.Milliseconds() * int64(rateKbit/8) / int64(tpdu)
	return int(max(1, min(n, 1<<24)))
}

// The SPM schedule libzmq gives OpenPGM: a heartbeat after data, backing off, and apart from it
// an ambient SPM every ambientSPM, data or not (a receiver that missed the SPMs of its join
// learns the source's address, and so where to send NAKs, from the next one). Unlike OpenPGM,
// whose data puts off the heartbeat for as long as it flows, a source sending data steadily
// sends an SPM every heartbeatSPM[0] (Poll).
var heartbeatSPM = []time.Duration{
	100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond,
	1300 * time.Millisecond, 7 * time.Second, 16 * time.Second, 25 * time.Second, 30 * time.Second,
}

const (
	ambientSPM = 30 * time.Second
	burstSPMs  = 3 // SPMs sent together at the start and, with OPT_FIN, at the end, as OpenPGM
)

// Sender is a PGM source's state machine: no sockets, no goroutines, no clock of its own.
// The engine calls Queue with APDUs, Handle with the packets receivers send it, and Poll
// whenever the time Poll asked for comes or something was queued or handled; Poll hands every
// packet due to out.
type Sender struct {
	cfg     SenderConfig
	w       *txw
	rate    bucket
	queue   [][]byte // APDUs waiting for the rate limiter
	repairs []uint32 // sequence numbers to send as RDATA, first asked first
	queued  map[uint32]bool
	ncfs    []Packet // NCFs to send at once (not rate limited, as OpenPGM)
	spmSqn  uint32
	spmNow  int       // SPMs due at once (start, SPMR)
	nextHB  time.Time // the next heartbeat SPM; zero when the heartbeat is over
	nextAmb time.Time // the next ambient SPM
	hb      int       // index into heartbeatSPM of the next heartbeat
	closing bool
	done    bool
	more    bool // the engine holds more APDUs for the queue: see More
	buf     []byte
	scratch func(n int) []byte // where packets are built, when out has room of its own: see SetScratch

	Stats SenderStats
}

// SenderStats count what a source did, for tests and diagnostics.
type SenderStats struct {
	ODATA, RDATA, NCF, SPM, NAKs uint64
}

// NewSender starts a source at now; its first Poll sends the opening SPMs.
func NewSender(cfg SenderConfig, now time.Time) *Sender {
	bps := cfg.Rate * 1000 / 8
	return &Sender{
		cfg: cfg,
		w:   newTxw(windowSqns(cfg.Rate, cfg.RecoveryIvl, cfg.MaxTPDU)),
		// 1 ms of burst after an idle spell, at least a packet, as OpenPGM: a burst is sent
		// above RATE, and 20 ms of it let a one-second run average 2 % over. 10 ms to catch
		// up otherwise: the receiver's buffer takes it (8 MB at 1 Gbit/s is 64 ms).
		rate:    newBucket(bps, max(bps/1000, cfg.MaxTPDU), bps/100),
		queued:  map[uint32]bool{},
		spmNow:  burstSPMs,
		nextAmb: now.Add(ambientSPM),
		hb:      len(heartbeatSPM),
	}
}

// Queue adds an APDU (at most MaxTSDU bytes, which the sender keeps) to send in order.
func (s *Sender) Queue(apdu []byte) { s.queue = append(s.queue, apdu) }

// More tells the next Poll that the engine holds APDUs it has yet to queue: the sender is
// busy until then even if its own queue runs empty, and the rate limiter keeps its credit.
func (s *Sender) More() { s.more = true }

// Backlog is the number of APDUs waiting for the rate limiter.
func (s *Sender) Backlog() int { return len(s.queue) }

// Close starts the goodbye: what is queued still goes, then SPMs with OPT_FIN; Done reports
// when they have gone.
func (s *Sender) Close() { s.closing = true }

// Discard drops what is queued and every pending repair: Close after LINGER ran out.
func (s *Sender) Discard() {
	clear(s.queue)
	s.queue = s.queue[:0]
	s.repairs = s.repairs[:0]
	clear(s.queued)
}

// Done reports that a closing sender has sent its OPT_FIN SPMs.
func (s *Sender) Done() bool { return s.done }

// Handle takes a packet a receiver sent to the source: a NAK (answered with an NCF at once and
// RDATA as the rate allows) or an SPMR (answered with an SPM). Others are ignored.
func (s *Sender) Handle(p *Packet) {
	if p.TSI() != s.cfg.TSI {
		return
	}
	switch p.Type {
	case TypeSPMR:
		s.spmNow = max(s.spmNow, 1)
	case TypeNAK:
		s.Stats.NAKs++
		ncf := Packet{SrcPort: s.cfg.TSI.Sport, DstPort: s.cfg.Dport, Type: TypeNCF, GSI: s.cfg.TSI.GSI,
			NLA: p.NLA, Group: p.Group}
		first := true
		for i := -1; i < len(p.Options.NakList); i++ {
			sqn := p.Sqn
			if i >= 0 {
				sqn = p.Options.NakList[i]
			}
			if s.w.get(sqn) == nil {
				continue // outside the window: the receiver will see the trail pass it
			}
			if first {
				ncf.Sqn, first = sqn, false
			} else {
				ncf.Options.NakList = append(ncf.Options.NakList, sqn)
			}
			if !s.queued[sqn] {
				s.queued[sqn] = true
				s.repairs = append(s.repairs, sqn)
			}
		}
		if !first && ncf.NLA.IsValid() && ncf.Group.IsValid() {
			s.ncfs = append(s.ncfs, ncf)
		}
	}
}

// Poll sends what is due at now through out (which must not keep the bytes) and returns when
// it next wants to be called.
func (s *Sender) Poll(now time.Time, out func([]byte)) time.Time {
	if s.done {
		return time.Time{}
	}
	for i := range s.ncfs {
		s.emit(&s.ncfs[i], out)
		s.Stats.NCF++
	}
	s.ncfs = s.ncfs[:0]
	for ; s.spmNow > 0; s.spmNow-- {
		s.sendSPM(out, false)
	}
	due := false
	if !s.nextHB.IsZero() && !now.Before(s.nextHB) {
		s.hb++
		s.beat(now)
		due = true
	}
	if !now.Before(s.nextAmb) {
		s.nextAmb = now.Add(ambientSPM)
		due = true
	}
	if due {
		s.sendSPM(out, false)
	}
	for len(s.repairs) > 0 {
		sqn := s.repairs[0]
		apdu := s.w.get(sqn)
		if apdu != nil && !s.rate.take(now, s.wireLen(len(apdu))) {
			break
		}
		s.repairs = s.repairs[1:]
		delete(s.queued, sqn)
		if apdu != nil {
			s.sendData(TypeRDATA, sqn, apdu, out)
			s.Stats.RDATA++
		}
	}
	sent := false
	for len(s.repairs) == 0 && len(s.queue) > 0 && s.rate.take(now, s.wireLen(len(s.queue[0]))) {
		apdu := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.sendData(TypeODATA, s.w.push(apdu), apdu, out)
		s.Stats.ODATA++
		sent = true
	}
	if sent && (s.hb > 0 || s.nextHB.IsZero()) {
		// The heartbeat starts over after data, but data does not put off the first beat
		// once due: a steady stream carries an SPM every heartbeatSPM[0]. A receiver that
		// joined after the opening SPMs (libzmq's connect joins the group in its own time)
		// and lost its one SPMR, or the answer, cannot send a NAK until an SPM names our
		// address: every loss until then is beyond repair.
		s.hb = 0
		s.beat(now)
	}
	if s.closing && len(s.queue) == 0 && len(s.repairs) == 0 {
		for range burstSPMs {
			s.sendSPM(out, true)
		}
		s.done = true
		return time.Time{}
	}
	s.rate.busy = len(s.queue) > 0 || len(s.repairs) > 0 || s.more
	s.more = false
	next := s.nextAmb
	if !s.nextHB.IsZero() {
		next = earlier(next, s.nextHB)
	}
	if len(s.repairs) > 0 {
		if apdu := s.w.get(s.repairs[0]); apdu != nil {
			next = earlier(next, s.rate.when(now, s.wireLen(len(apdu))))
		}
	} else if len(s.queue) > 0 {
		next = earlier(next, s.rate.when(now, s.batchLen()))
	}
	return next
}

// wakeBatch is how many queued packets the rate limiter lets gather before the engine is
// woken to send them: a wake per packet (12 µs apart at 1 Gbit/s) costs the source a timer and
// a scheduler round trip each, and a system call of one packet, for nothing the wire sees.
const wakeBatch = 32

// batchLen is the wire bytes of the next packets in the queue, up to wakeBatch and half the
// burst: what the engine waits for once the bucket is empty. Half the burst, so that a wake
// that comes late still finds the tokens it missed in the bucket.
func (s *Sender) batchLen() int {
	n := 0
	for _, apdu := range s.queue[:min(len(s.queue), wakeBatch)] {
		l := s.wireLen(len(apdu))
		if n > 0 && float64(n+l) > s.rate.burst/2 {
			break
		}
		n += l
	}
	return n
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// beat schedules the heartbeat's next SPM, or ends the heartbeat once it has backed off.
func (s *Sender) beat(now time.Time) {
	if s.hb < len(heartbeatSPM) {
		s.nextHB = now.Add(heartbeatSPM[s.hb])
	} else {
		s.nextHB = time.Time{}
	}
}

func (s *Sender) wireLen(tsdu int) int { return s.cfg.IPHeader + headerLen + 8 + tsdu }

func (s *Sender) sendSPM(out func([]byte), fin bool) {
	p := Packet{SrcPort: s.cfg.TSI.Sport, DstPort: s.cfg.Dport, Type: TypeSPM, GSI: s.cfg.TSI.GSI,
		Sqn: s.spmSqn, Trail: s.w.trail, Lead: s.w.lead, NLA: s.cfg.NLA}
	p.Options.Fin = fin
	s.spmSqn++
	s.Stats.SPM++
	s.emit(&p, out)
}

func (s *Sender) sendData(t Type, sqn uint32, apdu []byte, out func([]byte)) {
	p := Packet{SrcPort: s.cfg.TSI.Sport, DstPort: s.cfg.Dport, Type: t, GSI: s.cfg.TSI.GSI,
		Sqn: sqn, Trail: s.w.trail, Data: apdu}
	s.emit(&p, out)
}

// SetScratch has packets built in the memory scratch returns (empty, with room for n bytes)
// instead of the sender's own buffer: an out that batches packets can hand out its free space
// and take the packet without copying it.
func (s *Sender) SetScratch(scratch func(n int) []byte) { s.scratch = scratch }

func (s *Sender) emit(p *Packet, out func([]byte)) {
	var b []byte
	var err error
	if s.scratch != nil {
		b, err = p.Append(s.scratch(s.cfg.MaxTPDU))
	} else {
		b, err = p.Append(s.buf[:0])
		s.buf = b
	}
	if err != nil {
		return // the sender builds only packets that encode; nothing to send
	}
	out(b)
}
