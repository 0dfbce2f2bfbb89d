package norm

import (
	"math"
	"time"
)

// command handles a sender's NORM_CMD. It returns false when delivery was refused.
// at is when it arrived.
func (r *receiver) command(sn *rxSender, m *Cmd, now, at time.Time) bool {
	sn.header(m.SenderHeader)
	switch m.Flavor {
	case CmdFlush:
		if sn.ndata > 0 && m.FecID == sn.nack.fec {
			sn.nack.seen(m.Object, m.FecID, m.ID, sn.ndata, false, now)
		}
	case CmdSquelch:
		if sn.nack.squelch(m.Object, m.ID, now) {
			return sn.st.skipGap(now)
		}
	case CmdCC:
		sn.ccSent, sn.ccAt = time.Unix(int64(m.SendSec), int64(m.SendUS)*1000), at
		r.ccFeedback(sn, m, now)
	}
	return true
}

// grttResponse is the latest CMD(CC)'s send time moved on by the time the receiver has held
// it since it arrived (RFC 5740's grtt_response): the sender's RTT measure is then the
// network's round trip, not the time a datagram waited in this receiver's socket while the
// receiver was busy or descheduled. Counted from reading, a 150 ms wait read as a 150 ms RTT,
// and NRL, taking larger RTTs at once, set its GRTT to 180 ms, and its NACK aggregation to
// 5 x GRTT: longer than its repair window lasts.
func (sn *rxSender) grttResponse(now time.Time) (sec, us uint32) {
	if sn.ccSent.IsZero() {
		return 0, 0
	}
	resp := sn.ccSent.Add(now.Sub(sn.ccAt))
	return uint32(resp.Unix()), uint32(resp.Nanosecond() / 1000)
}

// NORM-CC feedback flags.
const (
	ccCLR   uint8 = 0x01
	ccRTT   uint8 = 0x04
	ccStart uint8 = 0x08
)

// ccFloor is the least rate a receiver reports, in bytes/s: two full packets a second.
const ccFloor = 2 * 1440

// ccFeedback answers a CMD(CC) with an ACK(CC), as NRL receivers do: a congestion-controlled
// sender (libzmq turns NORM-CC on) with no answer stays at its floor rate. It echoes the send
// time for the sender's RTT measure (grttResponse), claims no loss, and reports twice the rate
// it receives at, as an NRL receiver in slow start.
func (r *receiver) ccFeedback(sn *rxSender, m *Cmd, now time.Time) {
	rate := max(float64(ccFloor), 2*sn.recvRate)
	fb := CCFeedback{CCSeq: m.CCSeq, Flags: ccStart, RTT: m.GRTT, Rate: quantizeRate(rate)}
	for _, n := range m.CCNodes {
		if n.Node == r.s.node {
			fb.Flags, fb.RTT = n.Flags&(ccCLR|ccRTT)|ccStart, n.RTT
		}
	}
	ack := Ack{Header: Header{Seq: r.seq(), Source: r.s.node}, Server: m.Source, Instance: m.Instance, AckType: AckCC, Exts: []Ext{fb.Ext()}}
	ack.GRTTSec, ack.GRTTUS = sn.grttResponse(now)
	r.send(ack.Append(r.out[:0]))
}

// quantizeRate is NORM's 16-bit rate form: a 12-bit mantissa of rate/10^e scaled by 4096/10,
// and the exponent e in the low 4 bits.
func quantizeRate(rate float64) uint16 {
	if rate <= 0 {
		return 1
	}
	e := math.Floor(math.Log10(rate))
	mant := math.Round(4096.0 / 10.0 * rate / math.Pow(10, e))
	return uint16(mant)<<4 | uint16(e)&0x0f
}

// unquantizeRate inverts quantizeRate.
func unquantizeRate(q uint16) float64 {
	return float64(q>>4) * (10.0 / 4096.0) * math.Pow(10, float64(q&0x0f))
}

// rateTick is the shortest interval a receive rate is measured over (NRL's NORM_TICK_MIN).
const rateTick = 10 * time.Millisecond

// received measures the rate a sender's datagrams come at, as an NRL receiver does: over at
// least a round trip (and four datagrams' worth when the rate falls), updated only as
// datagrams come. A sender that pauses (to repair, held by its flow control, or starved of
// CPU) is not reported slower for it: the measure restarts after a silence longer than its
// span. Reported slower, NORM-CC drops its rate, and NRL's GRTT (at least one full packet's
// interval at that rate: 1444 B at the 27 kB/s seen after a 200 ms pause is 54 ms) grows,
// which stretches every repair cycle past the sender's repair window.
func (sn *rxSender) received(n int, now time.Time) {
	last := sn.lastRx
	sn.lastRx = now
	span := max(sn.grtt, rateTick)
	if sn.recvRate > 0 {
		slow := max(span, time.Duration(4*(segSize+48)/sn.recvRate*float64(time.Second)))
		if now.Sub(last) > slow {
			sn.rateSince, sn.rateBytes = time.Time{}, 0
		}
	}
	if sn.rateSince.IsZero() {
		sn.rateSince = now
		return
	}
	sn.rateBytes += n
	el := now.Sub(sn.rateSince)
	if el <= 0 {
		return
	}
	cur := float64(sn.rateBytes) / el.Seconds()
	if sn.recvRate > 0 && cur < sn.recvRate {
		span = max(span, time.Duration(4*(segSize+48)/sn.recvRate*float64(time.Second)))
	}
	switch {
	case el >= span:
		sn.recvRate, sn.ratePrev, sn.rateBytes, sn.rateSince = cur, cur, 0, now
	case sn.recvRate == 0:
		sn.recvRate = cur
	case cur > sn.ratePrev:
		// Slewed up in proportion to how much of the interval has passed: a burst is
		// not a rate.
		sn.recvRate = max(sn.recvRate, sn.ratePrev+el.Seconds()/span.Seconds()*(cur-sn.ratePrev))
	}
}
