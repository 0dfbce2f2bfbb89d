package norm

import (
	"encoding/binary"
	"fmt"
)

// Flavor is a NORM_CMD's kind.
type Flavor uint8

// Command flavors, RFC 5740 §4.2.3.
const (
	CmdFlush     Flavor = 1
	CmdEOT       Flavor = 2
	CmdSquelch   Flavor = 3
	CmdCC        Flavor = 4
	CmdRepairAdv Flavor = 5
	CmdAckReq    Flavor = 6
	CmdApp       Flavor = 7
)

const cmdLen = commonLen + senderLen + 1 // up to and including the flavor

// Cmd is a NORM_CMD. Which fields mean anything depends on Flavor:
//
//	FLUSH:      FecID, Object, ID; Nodes are the nodes asked to ACK (watermark)
//	SQUELCH:    FecID, Object, ID (the oldest the sender can repair); Invalid
//	CC:         Flags (SYN 0x01), CCSeq, SendSec/SendUsec; Exts (CC_RATE); CCNodes
//	REPAIR_ADV: Flags (LIMIT 0x01); Requests
//	ACK_REQ:    AckType, AckID; Nodes
//	EOT:        nothing
//	APPLICATION: Content
type Cmd struct {
	Header
	SenderHeader
	Flavor Flavor

	FecID  uint8
	Object uint16
	ID     PayloadID

	Flags           uint8
	CCSeq           uint16
	SendSec, SendUS uint32
	AckType, AckID  uint8

	Exts     []Ext
	Nodes    []NodeID
	Invalid  []uint16
	CCNodes  []CCNode
	Requests []RepairRequest
	Content  []byte
}

// CCNode is a CMD(CC)'s word to one receiver: its round-trip time and rate as the sender
// sees them.
type CCNode struct {
	Node  NodeID
	Flags uint8 // CLR 0x01, PLR 0x02, RTT 0x04, START 0x08, LEAVE 0x10
	RTT   uint8
	Rate  uint16
}

// Acknowledgement types (ACK_REQ, ACK).
const (
	AckCC       uint8 = 1
	AckFlush    uint8 = 2
	AckAppBase  uint8 = 16
	ccNodeLen         = 8
	cmdFixedLen       = cmdLen + 3 // flavor-specific fields pad the fixed header to 16
	ccFixedLen        = 24
)

func parseCmd(r *reader) (*Cmd, error) {
	if err := r.fixed(cmdFixedLen); err != nil {
		return nil, err
	}
	b := r.b
	m := &Cmd{Header: r.h, SenderHeader: parseSender(b[commonLen:]), Flavor: Flavor(b[12])}
	n := cmdFixedLen
	switch m.Flavor {
	case CmdFlush, CmdSquelch:
		m.FecID, m.Object = b[13], binary.BigEndian.Uint16(b[14:])
		if err := checkFec(m.FecID); err != nil {
			return nil, err
		}
		n += payloadIDLen(m.FecID)
		if err := r.fixed(n); err != nil {
			return nil, err
		}
		m.ID = parsePayloadID(m.FecID, b[cmdFixedLen:])
	case CmdCC:
		n = ccFixedLen
		if err := r.fixed(n); err != nil {
			return nil, err
		}
		m.Flags, m.CCSeq = b[13], binary.BigEndian.Uint16(b[14:])
		m.SendSec, m.SendUS = binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:])
	case CmdRepairAdv:
		m.Flags = b[13]
	case CmdAckReq:
		m.AckType, m.AckID = b[14], b[15]
	case CmdEOT, CmdApp:
	default:
		return nil, fmt.Errorf("%w: command flavor %d", ErrUnsupported, m.Flavor)
	}
	exts, content, err := r.tail(n)
	if err != nil {
		return nil, err
	}
	m.Exts = exts
	switch m.Flavor {
	case CmdFlush, CmdAckReq:
		m.Nodes, err = parseNodes(content)
	case CmdSquelch:
		if len(content)%2 != 0 {
			return nil, fmt.Errorf("%w: squelch list of %d bytes", ErrPacket, len(content))
		}
		for i := 0; i < len(content); i += 2 {
			m.Invalid = append(m.Invalid, binary.BigEndian.Uint16(content[i:]))
		}
	case CmdCC:
		if len(content)%ccNodeLen != 0 {
			return nil, fmt.Errorf("%w: CC node list of %d bytes", ErrPacket, len(content))
		}
		for i := 0; i < len(content); i += ccNodeLen {
			c := content[i:]
			m.CCNodes = append(m.CCNodes, CCNode{Node: NodeID(binary.BigEndian.Uint32(c)), Flags: c[4], RTT: c[5], Rate: binary.BigEndian.Uint16(c[6:])})
		}
	case CmdRepairAdv:
		m.Requests, err = parseRequests(content)
	case CmdApp:
		m.Content = content
	case CmdEOT:
		if len(content) != 0 {
			return nil, fmt.Errorf("%w: EOT with %d bytes of content", ErrPacket, len(content))
		}
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Append implements Message.
func (m *Cmd) Append(b []byte) []byte {
	b, start := begin(b, TypeCmd, m.Header)
	b = m.SenderHeader.append(b)
	b = append(b, byte(m.Flavor))
	switch m.Flavor {
	case CmdFlush, CmdSquelch:
		b = append(b, m.FecID)
		b = binary.BigEndian.AppendUint16(b, m.Object)
		b = appendPayloadID(b, m.FecID, m.ID)
	case CmdCC:
		b = append(b, m.Flags)
		b = binary.BigEndian.AppendUint16(b, m.CCSeq)
		b = binary.BigEndian.AppendUint32(b, m.SendSec)
		b = binary.BigEndian.AppendUint32(b, m.SendUS)
	case CmdRepairAdv:
		b = append(b, m.Flags, 0, 0)
	case CmdAckReq:
		b = append(b, 0, m.AckType, m.AckID)
	default:
		b = append(b, 0, 0, 0)
	}
	b = end(b, start, m.Exts)
	switch m.Flavor {
	case CmdFlush, CmdAckReq:
		b = appendNodes(b, m.Nodes)
	case CmdSquelch:
		for _, o := range m.Invalid {
			b = binary.BigEndian.AppendUint16(b, o)
		}
	case CmdCC:
		for _, c := range m.CCNodes {
			b = binary.BigEndian.AppendUint32(b, uint32(c.Node))
			b = append(b, c.Flags, c.RTT)
			b = binary.BigEndian.AppendUint16(b, c.Rate)
		}
	case CmdRepairAdv:
		b = appendRequests(b, m.Requests)
	case CmdApp:
		b = append(b, m.Content...)
	}
	return b
}

func parseNodes(b []byte) ([]NodeID, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%w: node list of %d bytes", ErrPacket, len(b))
	}
	var ns []NodeID
	for i := 0; i < len(b); i += 4 {
		ns = append(ns, NodeID(binary.BigEndian.Uint32(b[i:])))
	}
	return ns, nil
}

func appendNodes(b []byte, ns []NodeID) []byte {
	for _, n := range ns {
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	}
	return b
}
