package norm

import (
	"math"
	"time"
)

// command handles a sender's NORM_CMD. It returns false when delivery was refused.
func (r *receiver) command(sn *rxSender, m *Cmd, now time.Time) bool {
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
		sn.ccSent, sn.ccAt = time.Unix(int64(m.SendSec), int64(m.SendUS)*1000), now
		r.ccFeedback(sn, m, now)
	}
	return true
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
// time, for the sender's RTT measure, claims no loss, and reports twice the rate it receives
// at, as an NRL receiver in slow start: a sender told more than it can send stalls.
func (r *receiver) ccFeedback(sn *rxSender, m *Cmd, now time.Time) {
	rate := float64(ccFloor)
	if el := now.Sub(sn.rateSince).Seconds(); !sn.rateSince.IsZero() && el > 0 {
		rate = max(rate, 2*float64(sn.rateBytes)/el)
	}
	sn.rateBytes, sn.rateSince = 0, now
	fb := CCFeedback{CCSeq: m.CCSeq, Flags: ccStart, RTT: m.GRTT, Rate: quantizeRate(rate)}
	for _, n := range m.CCNodes {
		if n.Node == r.s.node {
			fb.Flags, fb.RTT = n.Flags&(ccCLR|ccRTT)|ccStart, n.RTT
		}
	}
	ack := Ack{Header: Header{Seq: r.seq(), Source: r.s.node}, Server: m.Source, Instance: m.Instance, AckType: AckCC,
		GRTTSec: m.SendSec, GRTTUS: m.SendUS, Exts: []Ext{fb.Ext()}}
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
