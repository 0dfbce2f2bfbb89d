package norm

import (
	"encoding/binary"
	"fmt"
)

// SenderHeader is what every message from a sender (INFO, DATA, CMD) carries after the
// common header.
type SenderHeader struct {
	Instance uint16 // the sender's instance id, new each time it starts
	GRTT     uint8  // quantized group round-trip time
	Backoff  uint8  // 4 bits: the NACK back-off factor
	GSize    uint8  // 4 bits: quantized group size
}

const senderLen = 4

func parseSender(b []byte) SenderHeader {
	return SenderHeader{Instance: binary.BigEndian.Uint16(b), GRTT: b[2], Backoff: b[3] >> 4, GSize: b[3] & 0x0f}
}

func (s SenderHeader) append(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, s.Instance)
	return append(b, s.GRTT, s.Backoff<<4|s.GSize&0x0f)
}

func (s SenderHeader) canon() SenderHeader {
	s.Backoff &= 0x0f
	s.GSize &= 0x0f
	return s
}

// Object flags of INFO and DATA.
const (
	FlagRepair     uint8 = 0x01
	FlagExplicit   uint8 = 0x02
	FlagInfo       uint8 = 0x04
	FlagUnreliable uint8 = 0x08
	FlagFile       uint8 = 0x10
	FlagStream     uint8 = 0x20
	FlagSyn        uint8 = 0x40
)

// ObjectHeader is the part INFO and DATA share after the sender header.
type ObjectHeader struct {
	SenderHeader
	Flags  uint8
	FecID  uint8
	Object uint16 // the object's transport id
}

const objectLen = commonLen + senderLen + 4

func parseObject(b []byte) ObjectHeader {
	return ObjectHeader{SenderHeader: parseSender(b[commonLen:]), Flags: b[12], FecID: b[13], Object: binary.BigEndian.Uint16(b[14:])}
}

func (o ObjectHeader) append(b []byte) []byte {
	b = o.SenderHeader.append(b)
	b = append(b, o.Flags, o.FecID)
	return binary.BigEndian.AppendUint16(b, o.Object)
}

// Info is NORM_INFO: an object's out-of-band info content. libzmq sends none.
type Info struct {
	Header
	ObjectHeader
	Exts    []Ext
	Content []byte
}

func parseInfo(r *reader) (*Info, error) {
	if err := r.fixed(objectLen); err != nil {
		return nil, err
	}
	m := &Info{Header: r.h, ObjectHeader: parseObject(r.b)}
	var err error
	m.Exts, m.Content, err = r.tail(objectLen)
	return m, err
}

// Append implements Message.
func (m *Info) Append(b []byte) []byte {
	b, start := begin(b, TypeInfo, m.Header)
	b = m.ObjectHeader.append(b)
	b = end(b, start, m.Exts)
	return append(b, m.Content...)
}

// Data is NORM_DATA: one symbol (segment) of an object, source or parity.
type Data struct {
	Header
	ObjectHeader
	ID      PayloadID
	Exts    []Ext
	Payload []byte // a stream's source symbol starts with the stream payload header (ParseStream)
}

func parseData(r *reader) (*Data, error) {
	if err := r.fixed(objectLen); err != nil {
		return nil, err
	}
	o := parseObject(r.b)
	if err := checkFec(o.FecID); err != nil {
		return nil, err
	}
	n := objectLen + payloadIDLen(o.FecID)
	if err := r.fixed(n); err != nil {
		return nil, err
	}
	m := &Data{Header: r.h, ObjectHeader: o, ID: parsePayloadID(o.FecID, r.b[objectLen:])}
	var err error
	m.Exts, m.Payload, err = r.tail(n)
	return m, err
}

// Append implements Message. An FEC id without a payload id form is written as 129's.
func (m *Data) Append(b []byte) []byte {
	b, start := begin(b, TypeData, m.Header)
	b = m.ObjectHeader.append(b)
	b = appendPayloadID(b, m.FecID, m.ID)
	b = end(b, start, m.Exts)
	return append(b, m.Payload...)
}

// StreamLen is the stream payload header's length: payload_len, payload_msg_start and
// payload_offset, before a stream segment's data.
const StreamLen = 8

// Stream is a stream object's source segment.
type Stream struct {
	// MsgStart is 1 + the offset in Data where a message starts (the sender marked it with
	// NormStreamMarkEom or a flush with eom), or 0 when none does.
	MsgStart uint16
	Offset   uint32 // the stream byte offset of Data[0], modulo 2^32
	Data     []byte
}

// ParseStream reads a stream source segment's payload: its header, then payload_len bytes
// (any more are FEC zero padding, dropped).
func ParseStream(payload []byte) (Stream, error) {
	if len(payload) < StreamLen {
		return Stream{}, fmt.Errorf("%w: stream segment of %d bytes", ErrPacket, len(payload))
	}
	n := int(binary.BigEndian.Uint16(payload))
	s := Stream{MsgStart: binary.BigEndian.Uint16(payload[2:]), Offset: binary.BigEndian.Uint32(payload[4:])}
	if n > len(payload)-StreamLen {
		return Stream{}, fmt.Errorf("%w: stream segment says %d bytes, has %d", ErrPacket, n, len(payload)-StreamLen)
	}
	if int(s.MsgStart) > n {
		return Stream{}, fmt.Errorf("%w: message start %d beyond the %d bytes", ErrPacket, s.MsgStart, n)
	}
	s.Data = payload[StreamLen : StreamLen+n]
	return s, nil
}

// Append appends s as a stream segment payload.
func (s Stream) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.Data)))
	b = binary.BigEndian.AppendUint16(b, s.MsgStart)
	b = binary.BigEndian.AppendUint32(b, s.Offset)
	return append(b, s.Data...)
}
