package norm

import (
	"encoding/binary"
	"fmt"
)

// Nack is NORM_NACK: a receiver's repair requests to one sender.
type Nack struct {
	Header
	Server          NodeID // the sender asked
	Instance        uint16 // its instance id
	GRTTSec, GRTTUS uint32 // the sender's CC send time echoed, adjusted by the hold time
	Exts            []Ext
	Requests        []RepairRequest
}

// Ack is NORM_ACK: a receiver's positive acknowledgement (CC feedback, a flush watermark).
type Ack struct {
	Header
	Server          NodeID
	Instance        uint16
	AckType, AckID  uint8
	GRTTSec, GRTTUS uint32
	Exts            []Ext
	Content         []byte // ACK(FLUSH): the watermark, ParseWatermark
}

const feedbackLen = commonLen + 16

func parseNack(r *reader) (*Nack, error) {
	if err := r.fixed(feedbackLen); err != nil {
		return nil, err
	}
	b := r.b
	m := &Nack{Header: r.h, Server: NodeID(binary.BigEndian.Uint32(b[8:])), Instance: binary.BigEndian.Uint16(b[12:]),
		GRTTSec: binary.BigEndian.Uint32(b[16:]), GRTTUS: binary.BigEndian.Uint32(b[20:])}
	exts, content, err := r.tail(feedbackLen)
	if err != nil {
		return nil, err
	}
	m.Exts = exts
	if m.Requests, err = parseRequests(content); err != nil {
		return nil, err
	}
	return m, nil
}

// Append implements Message.
func (m *Nack) Append(b []byte) []byte {
	b, start := begin(b, TypeNack, m.Header)
	b = binary.BigEndian.AppendUint32(b, uint32(m.Server))
	b = binary.BigEndian.AppendUint16(b, m.Instance)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint32(b, m.GRTTSec)
	b = binary.BigEndian.AppendUint32(b, m.GRTTUS)
	b = end(b, start, m.Exts)
	return appendRequests(b, m.Requests)
}

func parseAck(r *reader) (*Ack, error) {
	if err := r.fixed(feedbackLen); err != nil {
		return nil, err
	}
	b := r.b
	m := &Ack{Header: r.h, Server: NodeID(binary.BigEndian.Uint32(b[8:])), Instance: binary.BigEndian.Uint16(b[12:]),
		AckType: b[14], AckID: b[15], GRTTSec: binary.BigEndian.Uint32(b[16:]), GRTTUS: binary.BigEndian.Uint32(b[20:])}
	var err error
	m.Exts, m.Content, err = r.tail(feedbackLen)
	return m, err
}

// Append implements Message.
func (m *Ack) Append(b []byte) []byte {
	b, start := begin(b, TypeAck, m.Header)
	b = binary.BigEndian.AppendUint32(b, uint32(m.Server))
	b = binary.BigEndian.AppendUint16(b, m.Instance)
	b = append(b, m.AckType, m.AckID)
	b = binary.BigEndian.AppendUint32(b, m.GRTTSec)
	b = binary.BigEndian.AppendUint32(b, m.GRTTUS)
	b = end(b, start, m.Exts)
	return append(b, m.Content...)
}

// Repair request forms and flags, RFC 5740 §4.3.1.
const (
	FormItems    uint8 = 1
	FormRanges   uint8 = 2
	FormErasures uint8 = 3

	RepairSegment uint8 = 0x01
	RepairBlock   uint8 = 0x02
	RepairInfo    uint8 = 0x04
	RepairObject  uint8 = 0x08
)

// RepairItem names a symbol (or, by the request's flags, its block or object).
type RepairItem struct {
	FecID  uint8
	Object uint16
	ID     PayloadID
}

// RepairRequest is one request of a NACK or REPAIR_ADV: a list of items, of ranges (items in
// first/last pairs) or of erasure counts (the item's symbol id is the count).
type RepairRequest struct {
	Form  uint8
	Flags uint8
	Items []RepairItem
}

func parseRequests(b []byte) ([]RepairRequest, error) {
	var rs []RepairRequest
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: %d stray bytes after the repair requests", ErrPacket, len(b))
		}
		r := RepairRequest{Form: b[0], Flags: b[1]}
		if r.Form < FormItems || r.Form > FormErasures {
			return nil, fmt.Errorf("%w: repair request form %d", ErrPacket, r.Form)
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n > len(b)-4 {
			return nil, fmt.Errorf("%w: repair request of %d bytes in %d", ErrPacket, n, len(b)-4)
		}
		items := b[4 : 4+n]
		for len(items) > 0 {
			if len(items) < 4 {
				return nil, fmt.Errorf("%w: repair item of %d bytes", ErrPacket, len(items))
			}
			it := RepairItem{FecID: items[0], Object: binary.BigEndian.Uint16(items[2:])}
			if err := checkFec(it.FecID); err != nil {
				return nil, err
			}
			l := 4 + payloadIDLen(it.FecID)
			if len(items) < l {
				return nil, fmt.Errorf("%w: repair item of %d bytes, want %d", ErrPacket, len(items), l)
			}
			it.ID = parsePayloadID(it.FecID, items[4:])
			r.Items = append(r.Items, it)
			items = items[l:]
		}
		if r.Form == FormRanges && len(r.Items)%2 != 0 {
			return nil, fmt.Errorf("%w: repair range without its end", ErrPacket)
		}
		rs = append(rs, r)
		b = b[4+n:]
	}
	return rs, nil
}

func appendRequests(b []byte, rs []RepairRequest) []byte {
	for _, r := range rs {
		b = append(b, r.Form, r.Flags, 0, 0)
		lenAt := len(b) - 2
		for _, it := range r.Items {
			b = append(b, it.FecID, 0)
			b = binary.BigEndian.AppendUint16(b, it.Object)
			b = appendPayloadID(b, it.FecID, it.ID)
		}
		binary.BigEndian.PutUint16(b[lenAt:], uint16(len(b)-lenAt-2))
	}
	return b
}

// Watermark is an ACK(FLUSH)'s content: the point up to which the receiver has everything.
type Watermark struct {
	FecID  uint8
	Object uint16
	ID     PayloadID
}

// ParseWatermark reads an ACK(FLUSH)'s content.
func ParseWatermark(content []byte) (Watermark, error) {
	if len(content) < 4 {
		return Watermark{}, fmt.Errorf("%w: flush ACK of %d bytes", ErrPacket, len(content))
	}
	w := Watermark{FecID: content[0], Object: binary.BigEndian.Uint16(content[2:])}
	if err := checkFec(w.FecID); err != nil {
		return Watermark{}, err
	}
	if len(content) != 4+payloadIDLen(w.FecID) {
		return Watermark{}, fmt.Errorf("%w: flush ACK of %d bytes for FEC id %d", ErrPacket, len(content), w.FecID)
	}
	w.ID = parsePayloadID(w.FecID, content[4:])
	return w, nil
}

// Append appends w as ACK(FLUSH) content.
func (w Watermark) Append(b []byte) []byte {
	b = append(b, w.FecID, 0)
	b = binary.BigEndian.AppendUint16(b, w.Object)
	return appendPayloadID(b, w.FecID, w.ID)
}

// CCFeedback is the NORM-CC feedback extension a receiver puts in its ACKs and NACKs.
type CCFeedback struct {
	CCSeq  uint16 // the CMD(CC) sequence it answers
	Flags  uint8
	RTT    uint8  // quantized
	Loss   uint16 // quantized loss fraction
	Rate   uint16 // quantized rate
	LossEx uint16 // NRL's extended-precision loss
}

// ParseCCFeedback reads the CC feedback extension from exts; ok is false when there is none.
func ParseCCFeedback(exts []Ext) (f CCFeedback, ok bool, err error) {
	e, ok := findExt(exts, ExtCCFeedback)
	if !ok {
		return CCFeedback{}, false, nil
	}
	d := e.Data
	if len(d) < 10 {
		return CCFeedback{}, false, fmt.Errorf("%w: CC feedback of %d bytes", ErrPacket, len(d))
	}
	return CCFeedback{CCSeq: binary.BigEndian.Uint16(d), Flags: d[2], RTT: d[3], Loss: binary.BigEndian.Uint16(d[4:]),
		Rate: binary.BigEndian.Uint16(d[6:]), LossEx: binary.BigEndian.Uint16(d[8:])}, true, nil
}

// Ext encodes f as the CC feedback extension (3 words).
func (f CCFeedback) Ext() Ext {
	d := binary.BigEndian.AppendUint16(nil, f.CCSeq)
	d = append(d, f.Flags, f.RTT)
	d = binary.BigEndian.AppendUint16(d, f.Loss)
	d = binary.BigEndian.AppendUint16(d, f.Rate)
	d = binary.BigEndian.AppendUint16(d, f.LossEx)
	return Ext{Type: ExtCCFeedback, Data: d}
}
