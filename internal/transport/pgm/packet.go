package pgm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Type is a PGM packet type (RFC 3208 §8, §13.6; ACK is OpenPGM's PGMCC).
type Type uint8

const (
	TypeSPM   Type = 0x00
	TypePOLL  Type = 0x01
	TypePOLR  Type = 0x02
	TypeODATA Type = 0x04
	TypeRDATA Type = 0x05
	TypeNAK   Type = 0x08
	TypeNNAK  Type = 0x09
	TypeNCF   Type = 0x0a
	TypeSPMR  Type = 0x0c
	TypeACK   Type = 0x0d
)

func (t Type) String() string {
	switch t {
	case TypeSPM:
		return "SPM"
	case TypePOLL:
		return "POLL"
	case TypePOLR:
		return "POLR"
	case TypeODATA:
		return "ODATA"
	case TypeRDATA:
		return "RDATA"
	case TypeNAK:
		return "NAK"
	case TypeNNAK:
		return "NNAK"
	case TypeNCF:
		return "NCF"
	case TypeSPMR:
		return "SPMR"
	case TypeACK:
		return "ACK"
	}
	return fmt.Sprintf("Type(%#x)", uint8(t))
}

// Header option bits (the byte after the type).
const (
	flagOptPresent = 0x01
	flagOptNetwork = 0x02
	flagVarPktLen  = 0x40
	flagParity     = 0x80
)

const (
	headerLen = 16
	afiIPv4   = 1
	afiIPv6   = 2
)

var (
	// ErrMalformed is a packet that does not parse: too short, a length that disagrees with
	// the bytes, a bad option.
	ErrMalformed = errors.New("pgm: malformed packet")
	// ErrChecksum is a packet whose checksum does not match its bytes.
	ErrChecksum = errors.New("pgm: bad checksum")
	// ErrUnsupported is a well-formed packet this implementation does not take: parity (FEC)
	// packets and options, which neither libzmq nor this package turns on.
	ErrUnsupported = errors.New("pgm: unsupported packet")
)

// GSI is a Global Source Identifier; with the source port it makes the TSI.
type GSI [6]byte

// TSI names one source: its GSI and its data-source port.
type TSI struct {
	GSI   GSI
	Sport uint16
}

func (t TSI) String() string { return fmt.Sprintf("%x.%d", t.GSI[:], t.Sport) }

// Packet is one PGM packet. Which fields mean something depends on Type:
//   - SPM: Sqn (spm_sqn), Trail, Lead, NLA (the source's path address);
//   - ODATA, RDATA: Sqn, Trail, Data (the TSDU, aliasing the parsed bytes);
//   - NAK, NNAK, NCF: Sqn, NLA (the source), Group, Options.NakList (more sequence numbers);
//   - SPMR: nothing beyond the header; POLL, POLR, ACK: the header only (their bodies are
//     skipped: OpenPGM sends them only with PGMCC or DLRs, which libzmq does not set).
type Packet struct {
	SrcPort, DstPort uint16
	Type             Type
	GSI              GSI
	Sqn, Trail, Lead uint32
	NLA, Group       netip.Addr
	Options          Options
	Data             []byte
}

// Options are the PGM options this implementation reads and writes.
type Options struct {
	NakList     []uint32 // OPT_NAK_LIST: up to 62 further sequence numbers
	Fragment    *Fragment
	Join        uint32 // OPT_JOIN's minimum sequence number, when HasJoin
	HasJoin     bool
	Syn         bool // OPT_SYN: the first packet of a session
	Fin         bool // OPT_FIN: the source is closing
	Rst         bool // OPT_RST: the source reset the session
	unknownSeen bool
}

// Fragment is OPT_FRAGMENT: this TSDU is part of a larger APDU.
type Fragment struct {
	Sqn, Offset, Length uint32 // first sequence number of the APDU, offset and APDU length
}

// TSI is the source the packet names: for source-to-receiver packets its own ports, for NAKs
// and SPMRs (receiver to source) the ports swapped back.
func (p *Packet) TSI() TSI {
	switch p.Type {
	case TypeNAK, TypeNNAK, TypeSPMR, TypePOLR, TypeACK:
		return TSI{GSI: p.GSI, Sport: p.DstPort}
	}
	return TSI{GSI: p.GSI, Sport: p.SrcPort}
}

// Parse decodes b into p. p.Data and p.Options.NakList alias b. A packet whose checksum field
// is not zero (zero: the sender computed none) must check.
func Parse(b []byte, p *Packet) error {
	if len(b) < headerLen {
		return fmt.Errorf("%w: %d bytes, shorter than the header", ErrMalformed, len(b))
	}
	if binary.BigEndian.Uint16(b[6:]) != 0 && checksum(b) != 0 {
		return ErrChecksum
	}
	flags := b[5]
	*p = Packet{
		SrcPort: binary.BigEndian.Uint16(b[0:]),
		DstPort: binary.BigEndian.Uint16(b[2:]),
		Type:    Type(b[4]),
		Options: Options{NakList: p.Options.NakList[:0]},
	}
	copy(p.GSI[:], b[8:14])
	tsduLen := int(binary.BigEndian.Uint16(b[14:]))
	if flags&flagParity != 0 {
		return fmt.Errorf("%w: parity packet", ErrUnsupported)
	}
	body := b[headerLen:]
	var err error
	switch p.Type {
	case TypeSPM:
		if len(body) < 12 {
			return fmt.Errorf("%w: SPM body of %d bytes", ErrMalformed, len(body))
		}
		p.Sqn = binary.BigEndian.Uint32(body)
		p.Trail = binary.BigEndian.Uint32(body[4:])
		p.Lead = binary.BigEndian.Uint32(body[8:])
		if p.NLA, body, err = parseNLA(body[12:]); err != nil {
			return err
		}
	case TypeODATA, TypeRDATA:
		if len(body) < 8 {
			return fmt.Errorf("%w: data body of %d bytes", ErrMalformed, len(body))
		}
		p.Sqn = binary.BigEndian.Uint32(body)
		p.Trail = binary.BigEndian.Uint32(body[4:])
		body = body[8:]
	case TypeNAK, TypeNNAK, TypeNCF:
		if len(body) < 4 {
			return fmt.Errorf("%w: %v body of %d bytes", ErrMalformed, p.Type, len(body))
		}
		p.Sqn = binary.BigEndian.Uint32(body)
		if p.NLA, body, err = parseNLA(body[4:]); err != nil {
			return err
		}
		if p.Group, body, err = parseNLA(body); err != nil {
			return err
		}
	case TypeSPMR:
	case TypePOLL, TypePOLR, TypeACK:
		return nil
	default:
		return fmt.Errorf("%w: type %#x", ErrMalformed, uint8(p.Type))
	}
	if flags&flagOptPresent != 0 {
		if body, err = parseOptions(body, &p.Options); err != nil {
			return err
		}
	}
	switch p.Type {
	case TypeODATA, TypeRDATA:
		if len(body) != tsduLen {
			return fmt.Errorf("%w: TSDU length %d, %d bytes follow", ErrMalformed, tsduLen, len(body))
		}
		p.Data = body
	default:
		if tsduLen != 0 {
			return fmt.Errorf("%w: %v with TSDU length %d", ErrMalformed, p.Type, tsduLen)
		}
	}
	return nil
}

// parseNLA reads an AFI-tagged network-layer address.
func parseNLA(b []byte) (netip.Addr, []byte, error) {
	if len(b) < 4 {
		return netip.Addr{}, nil, fmt.Errorf("%w: NLA cut short", ErrMalformed)
	}
	switch binary.BigEndian.Uint16(b) {
	case afiIPv4:
		if len(b) < 8 {
			return netip.Addr{}, nil, fmt.Errorf("%w: NLA cut short", ErrMalformed)
		}
		return netip.AddrFrom4([4]byte(b[4:8])), b[8:], nil
	case afiIPv6:
		if len(b) < 20 {
			return netip.Addr{}, nil, fmt.Errorf("%w: NLA cut short", ErrMalformed)
		}
		return netip.AddrFrom16([16]byte(b[4:20])), b[20:], nil
	}
	return netip.Addr{}, nil, fmt.Errorf("%w: NLA AFI %d", ErrMalformed, binary.BigEndian.Uint16(b))
}

func appendNLA(b []byte, a netip.Addr) []byte {
	if a.Is4() {
		b = binary.BigEndian.AppendUint16(b, afiIPv4)
		b = append(b, 0, 0)
		a4 := a.As4()
		return append(b, a4[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, afiIPv6)
	b = append(b, 0, 0)
	a16 := a.As16()
	return append(b, a16[:]...)
}

// Append encodes p after b, checksum included, and returns the extended slice.
func (p *Packet) Append(b []byte) ([]byte, error) {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, p.SrcPort)
	b = binary.BigEndian.AppendUint16(b, p.DstPort)
	b = append(b, byte(p.Type), 0, 0, 0)
	b = append(b, p.GSI[:]...)
	tsdu := 0
	if p.Type == TypeODATA || p.Type == TypeRDATA {
		if len(p.Data) > 0xffff {
			return b[:start], fmt.Errorf("%w: TSDU of %d bytes", ErrMalformed, len(p.Data))
		}
		tsdu = len(p.Data)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(tsdu))
	switch p.Type {
	case TypeSPM:
		if !p.NLA.IsValid() {
			return b[:start], fmt.Errorf("%w: SPM without an NLA", ErrMalformed)
		}
		b = binary.BigEndian.AppendUint32(b, p.Sqn)
		b = binary.BigEndian.AppendUint32(b, p.Trail)
		b = binary.BigEndian.AppendUint32(b, p.Lead)
		b = appendNLA(b, p.NLA)
	case TypeODATA, TypeRDATA:
		b = binary.BigEndian.AppendUint32(b, p.Sqn)
		b = binary.BigEndian.AppendUint32(b, p.Trail)
	case TypeNAK, TypeNNAK, TypeNCF:
		if !p.NLA.IsValid() || !p.Group.IsValid() {
			return b[:start], fmt.Errorf("%w: %v without source and group", ErrMalformed, p.Type)
		}
		b = binary.BigEndian.AppendUint32(b, p.Sqn)
		b = appendNLA(b, p.NLA)
		b = appendNLA(b, p.Group)
	case TypeSPMR:
	default:
		return b[:start], fmt.Errorf("%w: cannot encode %v", ErrUnsupported, p.Type)
	}
	var err error
	if p.Options.any() {
		b[start+5] |= flagOptPresent
		if len(p.Options.NakList) > 0 {
			b[start+5] |= flagOptNetwork // as OpenPGM marks NAK and NCF lists
		}
		if b, err = p.Options.append(b); err != nil {
			return b[:start], err
		}
	}
	if tsdu > 0 {
		b = append(b, p.Data...)
	}
	sum := checksum(b[start:])
	if sum == 0 {
		sum = 0xffff // zero would mean "no checksum"
	}
	binary.BigEndian.PutUint16(b[start+6:], sum)
	return b, nil
}
