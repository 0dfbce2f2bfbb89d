package norm

import (
	"encoding/binary"
	"fmt"

	"github.com/purezmq/zmq/internal/zerr"
)

// ErrPacket is the error of every datagram Parse refuses.
var ErrPacket = fmt.Errorf("%w: bad NORM packet", zerr.ErrProtocol)

// ErrUnsupported is a well-formed NORM packet this implementation does not handle (an FEC
// scheme other than 2, 5 and 129, NRL's non-standard REPORT). It is also an ErrPacket.
var ErrUnsupported = fmt.Errorf("%w: unsupported", ErrPacket)

// Version is the only NORM protocol version there is.
const Version = 1

// Type is a NORM message type (the common header's low nibble).
type Type uint8

// Message types, RFC 5740 §4.
const (
	TypeInfo Type = 1
	TypeData Type = 2
	TypeCmd  Type = 3
	TypeNack Type = 4
	TypeAck  Type = 5
)

// NodeID identifies a NORM node. libzmq leaves it to NORM's default, the host's IPv4
// address, unless the endpoint names one ("id,iface;group:port").
type NodeID uint32

// Header is the common header's variable part: every message has one.
type Header struct {
	Seq    uint16 // per-source sequence number, for loss estimation
	Source NodeID // the node that sent the message
}

const commonLen = 8

// Message is one parsed NORM message.
type Message interface {
	// Common returns the common header.
	Common() *Header
	// Append appends the encoded message to b.
	Append(b []byte) []byte
}

// Common returns h itself, so that every message type embedding a Header is a Message.
func (h *Header) Common() *Header { return h }

// Parse decodes one datagram. It never keeps b: the returned message's byte slices alias it.
func Parse(b []byte) (Message, error) {
	r, err := newReader(b)
	if err != nil {
		return nil, err
	}
	var m Message
	switch r.typ {
	case TypeInfo:
		m, err = parseInfo(r)
	case TypeData:
		m, err = parseData(r)
	case TypeCmd:
		m, err = parseCmd(r)
	case TypeNack:
		m, err = parseNack(r)
	case TypeAck:
		m, err = parseAck(r)
	default:
		err = fmt.Errorf("%w: message type %d", ErrUnsupported, r.typ)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// reader walks one datagram: the fixed header (b[:base]), the extensions (b[base:hdrLen]) and
// the content after the header.
type reader struct {
	b      []byte
	typ    Type
	hdrLen int
	h      Header
}

func newReader(b []byte) (*reader, error) {
	if len(b) < commonLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the common header", ErrPacket, len(b))
	}
	if v := b[0] >> 4; v != Version {
		return nil, fmt.Errorf("%w: version %d", ErrPacket, v)
	}
	r := &reader{b: b, typ: Type(b[0] & 0x0f), hdrLen: int(b[1]) * 4}
	if r.hdrLen > len(b) {
		return nil, fmt.Errorf("%w: header length %d beyond the %d bytes", ErrPacket, r.hdrLen, len(b))
	}
	r.h = Header{Seq: binary.BigEndian.Uint16(b[2:]), Source: NodeID(binary.BigEndian.Uint32(b[4:]))}
	return r, nil
}

// fixed checks that the type's fixed header, n bytes, fits the declared header length.
func (r *reader) fixed(n int) error {
	if r.hdrLen < n {
		return fmt.Errorf("%w: type %d header length %d, want at least %d", ErrPacket, r.typ, r.hdrLen, n)
	}
	return nil
}

// tail returns the extensions between the fixed header (n bytes) and the header length, and
// the content after it.
func (r *reader) tail(n int) ([]Ext, []byte, error) {
	exts, err := parseExts(r.b[n:r.hdrLen])
	if err != nil {
		return nil, nil, err
	}
	return exts, r.b[r.hdrLen:], nil
}

// begin starts a message of type t: the common header with a header length to patch (end).
func begin(b []byte, t Type, h Header) ([]byte, int) {
	start := len(b)
	b = append(b, Version<<4|byte(t), 0)
	b = binary.BigEndian.AppendUint16(b, h.Seq)
	b = binary.BigEndian.AppendUint32(b, uint32(h.Source))
	return b, start
}

// end appends the extensions and sets the header length of the message started at start.
func end(b []byte, start int, exts []Ext) []byte {
	b = appendExts(b, exts)
	n := len(b) - start
	b[start+1] = byte(n / 4)
	return b
}
