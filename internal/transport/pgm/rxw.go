package pgm

import (
	"net/netip"
	"slices"
	"time"
)

type gapState uint8

const (
	backOff  gapState = iota // waiting a random while before NAKing, as RFC 3208 §5.3
	waitNCF                  // NAKed; repeated until a confirmation comes
	waitData                 // confirmed; the repair should follow
)

// gap is a packet the receiver knows of but does not have.
type gap struct {
	state       gapState
	deadline    time.Time
	ncfRetries  int
	dataRetries int
}

// peer is one source, as a receiver sees it. Packets are delivered in sequence order: next is
// the first not yet delivered; held keeps those that came early (a nil entry is a packet
// given up on); missing the ones to ask for. Sequence numbers compare by their uint32
// difference, which survives the wrap.
type peer struct {
	tsi      TSI
	r        *Receiver
	nla      netip.Addr // where NAKs go: the path address of the latest SPM
	from     netip.Addr // the IP source of its data, for a unicast SPMR before any SPM
	nextSPMR time.Time
	spmLead  uint32 // lead of an SPM seen before any data
	haveSPM  bool
	defined  bool
	next     uint32
	lead     uint32
	held     map[uint32][]byte
	missing  map[uint32]gap
	unpack   unpacker
	inLoss   bool
	fin      bool
	lastSeen time.Time
	nheld    int // packets in held with their bytes (not the given-up markers)
}

func after(a, b uint32) bool { return int32(a-b) > 0 }

func (pr *peer) define(sqn uint32) {
	pr.defined = true
	pr.next = sqn
	if pr.haveSPM && after(sqn, pr.spmLead+1) && sqn-(pr.spmLead+1) < uint32(pr.r.cfg.RxwSqns) {
		pr.next = pr.spmLead + 1 // the SPM told us what came before this packet: ask for it
	}
	pr.lead = pr.next - 1
}

func (pr *peer) data(now time.Time, p *Packet) {
	if !pr.defined {
		pr.define(p.Sqn)
	}
	if b, ok := pr.held[p.Sqn]; int32(p.Sqn-pr.next) < 0 || (ok && b != nil) {
		pr.r.Stats.Duplicates++
		return
	}
	if p.Type == TypeRDATA {
		pr.r.Stats.Repairs++
	} else {
		pr.r.Stats.Data++
	}
	// A packet beyond the receive window pushes its far end out: what lies there is lost.
	if w := uint32(pr.r.cfg.RxwSqns); p.Sqn-pr.next >= w {
		pr.skipTo(p.Sqn - w + 1)
	}
	pr.extend(now, p.Sqn)
	delete(pr.missing, p.Sqn)
	if p.Sqn == pr.next {
		pr.feed(p.Data)
		pr.next++
	} else {
		pr.held[p.Sqn] = pr.r.keep(p.Data)
		pr.nheld++
		pr.r.held++
	}
	pr.skipTo(p.Trail)
	pr.flush()
}

// extend makes sqn the lead, if it is beyond it, with every packet between missing.
func (pr *peer) extend(now time.Time, sqn uint32) {
	if !after(sqn, pr.lead) {
		return
	}
	if sqn-pr.next >= uint32(pr.r.cfg.RxwSqns) {
		pr.skipTo(sqn - uint32(pr.r.cfg.RxwSqns) + 1)
	}
	for s := pr.lead + 1; s != sqn; s++ {
		if int32(s-pr.next) >= 0 {
			pr.missing[s] = gap{state: backOff, deadline: now.Add(pr.backoff())}
		}
	}
	pr.lead = sqn
}

func (pr *peer) backoff() time.Duration {
	return time.Duration(pr.r.cfg.Rand.Int64N(int64(pr.r.cfg.NakBoIvl)) + 1)
}

func (pr *peer) spm(now time.Time, p *Packet) {
	pr.nla = p.NLA
	pr.nextSPMR = time.Time{}
	pr.fin = pr.fin || p.Options.Fin
	if !pr.defined {
		pr.spmLead, pr.haveSPM = p.Lead, true
		return
	}
	if after(p.Lead, pr.lead) && !after(p.Trail, p.Lead+1) {
		pr.extend(now, p.Lead) // the heartbeat tells of packets lost at the tail
		delete(pr.missing, p.Lead)
		pr.missing[p.Lead] = gap{state: backOff, deadline: now.Add(pr.backoff())}
	}
	pr.skipTo(p.Trail)
	pr.flush()
}

func (pr *peer) ncf(now time.Time, p *Packet) {
	for i := -1; i < len(p.Options.NakList); i++ {
		sqn := p.Sqn
		if i >= 0 {
			sqn = p.Options.NakList[i]
		}
		if g, ok := pr.missing[sqn]; ok {
			g.state, g.deadline = waitData, now.Add(pr.r.cfg.NakRdatIvl)
			pr.missing[sqn] = g
		}
	}
}

// skipTo gives up on every packet before trail that has not come: the source can no longer
// repair them.
func (pr *peer) skipTo(trail uint32) {
	if !pr.defined || !after(trail, pr.next) {
		return
	}
	if after(trail, pr.lead+1) {
		for s := pr.next; s != pr.lead+1; s++ {
			pr.loseHeld(s)
		}
		pr.r.Stats.Lost += uint64(trail - (pr.lead + 1))
		pr.lose()
		pr.next, pr.lead = trail, trail-1
		return
	}
	for ; pr.next != trail; pr.next++ {
		pr.loseHeld(pr.next)
	}
}

// loseHeld delivers sqn if it is held and gives it up otherwise.
func (pr *peer) loseHeld(sqn uint32) {
	if b, ok := pr.held[sqn]; ok {
		delete(pr.held, sqn)
		if b != nil {
			pr.unhold()
			pr.feed(b)
			pr.r.release(b)
			return
		}
	} else {
		delete(pr.missing, sqn)
		pr.r.Stats.Lost++
	}
	pr.lose()
}

// lose resets the stream once per run of lost packets: the message in progress is dropped
// and delivery starts again at the next message start.
func (pr *peer) lose() {
	if !pr.inLoss {
		pr.inLoss = true
		pr.r.Stats.Resets++
		pr.unpack.reset()
	}
}

func (pr *peer) feed(b []byte) {
	pr.inLoss = false
	if err := pr.unpack.feed(b, pr.r.deliver); err != nil {
		pr.r.Stats.Bad++
		pr.r.Stats.Resets++
	}
}

// unhold counts a held packet out, of the peer and the receiver.
func (pr *peer) unhold() {
	pr.nheld--
	pr.r.held--
}

// firstHeld is the earliest packet held with its bytes; false when none is.
func (pr *peer) firstHeld() (uint32, bool) {
	first, found := uint32(0), false
	for s, b := range pr.held {
		if b != nil && (!found || int32(s-pr.next) < int32(first-pr.next)) {
			first, found = s, true
		}
	}
	return first, found
}

// flush delivers the held packets that are now next in line.
func (pr *peer) flush() {
	for {
		b, ok := pr.held[pr.next]
		if !ok {
			return
		}
		delete(pr.held, pr.next)
		if b == nil {
			pr.lose()
		} else {
			pr.unhold()
			pr.feed(b)
			pr.r.release(b)
		}
		pr.next++
	}
}

func (pr *peer) poll(now time.Time, out func(Outbound)) time.Time {
	cfg := &pr.r.cfg
	var naks []uint32
	var next time.Time
	for sqn, g := range pr.missing {
		if g.deadline.After(now) {
			if next.IsZero() || g.deadline.Before(next) {
				next = g.deadline
			}
			continue
		}
		if g.state == waitData {
			g.dataRetries++
			g.state, g.deadline = backOff, now.Add(pr.backoff())
		} else if pr.nla.IsValid() {
			g.ncfRetries++
			naks = append(naks, sqn)
			g.state, g.deadline = waitNCF, now.Add(cfg.NakRptIvl)
		} else {
			g.deadline = now.Add(cfg.NakRptIvl) // no address to NAK yet: ask for an SPM
			if pr.nextSPMR.IsZero() {
				pr.nextSPMR = now
			}
		}
		if g.ncfRetries > cfg.NakRetries || g.dataRetries > cfg.NakRetries {
			delete(pr.missing, sqn)
			pr.held[sqn] = nil
			pr.r.Stats.Lost++
			continue
		}
		pr.missing[sqn] = g // a value: a gap per lost packet costs no allocation
		if next.IsZero() || g.deadline.Before(next) {
			next = g.deadline
		}
	}
	pr.flush()
	if len(naks) > 0 {
		slices.SortFunc(naks, func(a, b uint32) int { return int(int32(a - b)) })
		for len(naks) > 0 {
			n := min(len(naks), maxNakList+1)
			p := Packet{SrcPort: cfg.Dport, DstPort: pr.tsi.Sport, Type: TypeNAK, GSI: pr.tsi.GSI,
				Sqn: naks[0], NLA: pr.nla, Group: cfg.Group}
			p.Options.NakList = naks[1:n]
			pr.r.send(&p, pr.nla, out)
			pr.r.Stats.NAKs++
			naks = naks[n:]
		}
	}
	if !pr.nextSPMR.IsZero() {
		if !pr.nextSPMR.After(now) {
			p := Packet{SrcPort: cfg.Dport, DstPort: pr.tsi.Sport, Type: TypeSPMR, GSI: pr.tsi.GSI}
			pr.r.send(&p, cfg.Group, out)
			if pr.from.IsValid() {
				pr.r.send(&p, pr.from, out)
			}
			pr.r.Stats.SPMRs++
			pr.nextSPMR = time.Time{}
		} else if next.IsZero() || pr.nextSPMR.Before(next) {
			next = pr.nextSPMR
		}
	}
	return next
}
