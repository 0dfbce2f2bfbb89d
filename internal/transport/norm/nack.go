package norm

import (
	"math"
	"math/rand/v2"
	"time"
)

// nackState tracks which source symbols of a sender's stream a receiver lacks, and asks for
// them (NORM_NACK, explicit segment requests: an NRL sender resends those very segments) until
// they come or the wait for them runs out.
type nackState struct {
	started bool
	fec     uint8
	object  uint16
	ndata   uint16
	anchor  symPos // where the receiver starts: symbol 0 of the first block seen
	low     symPos // every symbol before low is had or given up
	high    symPos // one past the latest symbol the sender has sent
	have    map[symPos]bool
	since   time.Time // when low was first missed; zero when nothing is
	nextAt  time.Time // when to NACK next; zero when none is due
	Sent    int       // NACKs sent
	GaveUp  int       // symbols given up
}

// symPos is a source symbol's place: its block and its index in the block.
type symPos struct {
	block uint32
	sym   uint16
}

func (p symPos) next(ndata uint16) symPos {
	if p.sym+1 < ndata {
		return symPos{p.block, p.sym + 1}
	}
	return symPos{(p.block + 1) & 0xffffff, 0}
}

// before reports whether p comes before q (blocks compared modulo 2^24, as RS8's).
func (p symPos) before(q symPos) bool {
	if p.block != q.block {
		d := (q.block - p.block) & 0xffffff
		return d != 0 && d < 0x800000
	}
	return p.sym < q.sym
}

// maxMissing bounds the symbols a receiver asks for; a gap wider is given up at once.
const maxMissing = 4096

// seen records a source symbol (DATA, or a FLUSH's latest). data is false for a FLUSH: it
// moves high without having the symbol.
func (n *nackState) seen(object uint16, fec uint8, id PayloadID, ndata uint16, data bool, now time.Time) {
	p := symPos{id.Block, id.Symbol}
	if !n.started || object != n.object || ndata != n.ndata {
		if !data {
			return
		}
		// From the start of the first block seen: what came before in it (the stream's start,
		// when the first datagrams are lost) is asked for too; a sender that no longer has
		// it squelches.
		a := symPos{p.block, 0}
		*n = nackState{started: true, fec: fec, object: object, ndata: ndata, anchor: a, low: a, high: a, have: map[symPos]bool{}, Sent: n.Sent, GaveUp: n.GaveUp}
	}
	if p.before(n.low) {
		return
	}
	if data {
		n.have[p] = true
	}
	if nx := p.next(ndata); n.high.before(nx) {
		n.high = nx
	}
	n.advance(now)
}

// advance moves low over what is had, and starts the wait for what is not.
// The wait for repair runs from when low stopped moving: a receiver gives up only on a
// symbol that has been lacking that long.
func (n *nackState) advance(now time.Time) {
	moved := false
	for n.low.before(n.high) && n.have[n.low] {
		delete(n.have, n.low)
		n.low = n.low.next(n.ndata)
		moved = true
	}
	if !n.low.before(n.high) {
		n.since, n.nextAt = time.Time{}, time.Time{}
		return
	}
	if n.since.IsZero() || moved {
		n.since = now
	}
}

// missing lists what is lacking before high, up to max symbols.
func (n *nackState) missing(max int) []symPos {
	var out []symPos
	for p, i := n.low, 0; p.before(n.high) && len(out) < max && i < maxMissing; p, i = p.next(n.ndata), i+1 {
		if !n.have[p] {
			out = append(out, p)
		}
	}
	return out
}

// NACK timing. NORM backs off up to GRTT x backoff (seconds, with NRL's GRTT estimates) before
// a NACK, for suppression in large groups; but a libzmq sender keeps only its 2 MB stream
// buffer for repair, which a fast sender wraps in well under a second, so the back-off is
// capped.
//
// Repeats follow NRL's sender: it gathers NACKs for GRTT x (backoff+1), sends the repairs, and
// then for one GRTT (its hold-off) ignores NACKs for what it has passed. A repair lost in turn
// must be asked for again soon after that hold-off: NRL repairs only the 93 blocks behind its
// newest (about 1,500 of libzmq's segments of a frame each, half a second of a paced PUB), and
// when its GRTT has grown to 100 ms and more (after a stall) one cycle is most of that. So a
// NACK repeats every half GRTT while the gap stays: one lands within half a GRTT after the
// hold-off, where every two GRTTs could land in it and wait two more.
const (
	maxBackoff = 40 * time.Millisecond
	minRepeat  = 20 * time.Millisecond
	maxRepeat  = 250 * time.Millisecond
)

// due reports whether to NACK now, and schedules the next: after a random back-off the first
// time (so that receivers of one group do not all NACK at once), then every half round trip
// while the gap stays.
func (n *nackState) due(now time.Time, grtt time.Duration, backoff uint8) bool {
	if n.since.IsZero() {
		return false
	}
	if n.nextAt.IsZero() {
		wait := time.Duration(rand.Float64() * float64(min(grtt*time.Duration(max(backoff, 1)), maxBackoff)))
		n.nextAt = n.since.Add(wait)
	}
	if now.Before(n.nextAt) {
		return false
	}
	n.nextAt = now.Add(min(max(grtt/2, minRepeat), maxRepeat))
	return true
}

// giveUp drops what has been missed longer than wait, and reports whether it did: the
// stream then skips its gap, the message it cut lost.
func (n *nackState) giveUp(now time.Time, wait time.Duration) bool {
	if n.since.IsZero() || now.Sub(n.since) < wait {
		return false
	}
	for n.low.before(n.high) && !n.have[n.low] {
		n.GaveUp++
		n.low = n.low.next(n.ndata)
	}
	n.since, n.nextAt = time.Time{}, time.Time{}
	n.advance(now)
	return true
}

// squelch drops what the sender says it can no longer repair (CMD(SQUELCH): everything of
// object before oldest), and reports whether anything was lacking there.
func (n *nackState) squelch(object uint16, oldest PayloadID, now time.Time) bool {
	if !n.started || object != n.object {
		return false
	}
	to := symPos{oldest.Block, oldest.Symbol}
	lost := false
	for n.low.before(to) && n.low.before(n.high) {
		if !n.have[n.low] {
			n.GaveUp++
			lost = true
		}
		delete(n.have, n.low)
		n.low = n.low.next(n.ndata)
	}
	if !lost {
		return false
	}
	n.since, n.nextAt = time.Time{}, time.Time{}
	n.advance(now)
	return true
}

// requests builds the repair requests for ps: one request per block, ranges of consecutive
// symbols, as NRL's receivers write them.
func (n *nackState) requests(ps []symPos) []RepairRequest {
	var rs []RepairRequest
	item := func(p symPos) RepairItem {
		return RepairItem{FecID: n.fec, Object: n.object, ID: PayloadID{Block: p.block, Symbol: p.sym, BlockLen: n.ndata}}
	}
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1].block == ps[i].block && ps[j+1].sym == ps[j].sym+1 {
			j++
		}
		if j == i {
			rs = append(rs, RepairRequest{Form: FormItems, Flags: RepairSegment, Items: []RepairItem{item(ps[i])}})
		} else {
			rs = append(rs, RepairRequest{Form: FormRanges, Flags: RepairSegment, Items: []RepairItem{item(ps[i]), item(ps[j])}})
		}
		i = j + 1
	}
	return rs
}

// unquantizeRTT is NORM's 8-bit round-trip time form read back (RFC 5740 §5.5.1).
func unquantizeRTT(q uint8) time.Duration {
	var s float64
	if q < 31 {
		s = float64(q+1) * 1e-6
	} else {
		s = 1000.0 / math.Exp(float64(255-int(q))/13.0)
	}
	return time.Duration(s * float64(time.Second))
}
