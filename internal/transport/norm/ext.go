package norm

import (
	"encoding/binary"
	"fmt"
)

// Ext is one header extension. Types below 128 carry their length in 32-bit words (Data is
// what follows the type and length bytes: 2, 6, 10, ... bytes); types from 128 on are one
// word (Data is the 3 bytes after the type).
type Ext struct {
	Type uint8
	Data []byte
}

// Header extension types NORM uses.
const (
	ExtCCFeedback uint8 = 3   // NORM-CC feedback, in NACK and ACK
	ExtFTI        uint8 = 64  // FEC object transmission information, in DATA and INFO
	ExtAppAck     uint8 = 65  // NRL's application-defined ACK content
	ExtCCRate     uint8 = 128 // NORM-CC rate, in CMD(CC)
)

func parseExts(b []byte) ([]Ext, error) {
	var exts []Ext
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: %d stray bytes in the header extensions", ErrPacket, len(b))
		}
		n := 4
		if b[0] < 128 {
			n = int(b[1]) * 4
			if n == 0 || n > len(b) {
				return nil, fmt.Errorf("%w: extension %d of %d words in %d bytes", ErrPacket, b[0], b[1], len(b))
			}
			exts = append(exts, Ext{Type: b[0], Data: b[2:n]})
		} else {
			exts = append(exts, Ext{Type: b[0], Data: b[1:4]})
		}
		b = b[n:]
	}
	return exts, nil
}

// appendExts writes exts, padding (or, for a one-word type, cutting) Data to its form.
func appendExts(b []byte, exts []Ext) []byte {
	for _, e := range exts {
		if e.Type >= 128 {
			var d [3]byte
			copy(d[:], e.Data)
			b = append(b, e.Type)
			b = append(b, d[:]...)
			continue
		}
		words := (len(e.Data) + 2 + 3) / 4
		if words > 255 {
			words = 255
		}
		b = append(b, e.Type, byte(words))
		n := words*4 - 2
		d := e.Data[:min(len(e.Data), n)]
		b = append(b, d...)
		b = append(b, make([]byte, n-len(d))...)
	}
	return b
}

// findExt returns the first extension of type t.
func findExt(exts []Ext, t uint8) (Ext, bool) {
	for _, e := range exts {
		if e.Type == t {
			return e, true
		}
	}
	return Ext{}, false
}

// FEC encoding ids (RFC 5052 numbering) NRL NORM uses: RS8 is its default (blocks up to 255
// symbols), RS16 beyond, 129 its older "small block" codes.
const (
	FecRS16       uint8 = 2
	FecRS8        uint8 = 5
	FecSmallBlock uint8 = 129
)

// PayloadID is the FEC payload id: the block, the symbol in it, and (fec id 129 only) the
// block's source length. RS8 and fec id 2 with m=8 have 24-bit blocks and 8-bit symbols;
// fec id 2 is read with m=16 (16-bit block and symbol), as NRL's RS16 encoder sends it.
type PayloadID struct {
	Block    uint32
	Symbol   uint16
	BlockLen uint16
}

func payloadIDLen(fec uint8) int {
	switch fec {
	case FecRS16, FecRS8:
		return 4
	case FecSmallBlock:
		return 8
	}
	return 0
}

func checkFec(fec uint8) error {
	if payloadIDLen(fec) == 0 {
		return fmt.Errorf("%w: FEC id %d", ErrUnsupported, fec)
	}
	return nil
}

// parsePayloadID reads the payload id of fec from b, which is long enough (payloadIDLen).
func parsePayloadID(fec uint8, b []byte) PayloadID {
	switch fec {
	case FecRS16:
		return PayloadID{Block: uint32(binary.BigEndian.Uint16(b)), Symbol: binary.BigEndian.Uint16(b[2:])}
	case FecRS8:
		v := binary.BigEndian.Uint32(b)
		return PayloadID{Block: v >> 8, Symbol: uint16(v & 0xff)}
	}
	return PayloadID{Block: binary.BigEndian.Uint32(b), BlockLen: binary.BigEndian.Uint16(b[4:]), Symbol: binary.BigEndian.Uint16(b[6:])}
}

// appendPayloadID writes id in fec's form, cutting fields to their width.
func appendPayloadID(b []byte, fec uint8, id PayloadID) []byte {
	switch fec {
	case FecRS16:
		b = binary.BigEndian.AppendUint16(b, uint16(id.Block))
		return binary.BigEndian.AppendUint16(b, id.Symbol)
	case FecRS8:
		return binary.BigEndian.AppendUint32(b, id.Block<<8|uint32(id.Symbol&0xff))
	}
	b = binary.BigEndian.AppendUint32(b, id.Block)
	b = binary.BigEndian.AppendUint16(b, id.BlockLen)
	return binary.BigEndian.AppendUint16(b, id.Symbol)
}

// canon is id as fec's form keeps it, so that a parsed id compares equal to the one sent.
func (id PayloadID) canon(fec uint8) PayloadID {
	switch fec {
	case FecRS16:
		return PayloadID{Block: id.Block & 0xffff, Symbol: id.Symbol}
	case FecRS8:
		return PayloadID{Block: id.Block & 0xffffff, Symbol: id.Symbol & 0xff}
	}
	return id
}

// FTI is the FEC object transmission information a sender puts in its DATA and INFO messages.
type FTI struct {
	Size    uint64 // object size in bytes (48 bits); a stream's is its buffer size
	Segment uint16 // bytes of payload in a full segment
	NData   uint16 // source symbols in a full block
	NParity uint16 // parity symbols the sender can send for a block
	FieldM  uint8  // fec id 2: the field size in bits (8 or 16)
	GroupG  uint8  // fec id 2: symbols per packet
	FecInst uint16 // fec id 129: the FEC instance id
}

// ParseFTI reads the FTI extension of a message of fec id fec; ok is false when there is none.
func ParseFTI(fec uint8, exts []Ext) (f FTI, ok bool, err error) {
	e, ok := findExt(exts, ExtFTI)
	if !ok {
		return FTI{}, false, nil
	}
	d := e.Data
	need := map[uint8]int{FecRS8: 10, FecRS16: 14, FecSmallBlock: 14}[fec]
	if need == 0 {
		return FTI{}, false, checkFec(fec)
	}
	if len(d) < need {
		return FTI{}, false, fmt.Errorf("%w: FTI of %d bytes for FEC id %d", ErrPacket, len(d), fec)
	}
	f.Size = uint64(binary.BigEndian.Uint16(d))<<32 | uint64(binary.BigEndian.Uint32(d[2:]))
	switch fec {
	case FecRS8:
		f.Segment = binary.BigEndian.Uint16(d[6:])
		f.NData, f.NParity = uint16(d[8]), uint16(d[9])
	case FecRS16:
		f.FieldM, f.GroupG = d[6], d[7]
		f.Segment = binary.BigEndian.Uint16(d[8:])
		f.NData, f.NParity = binary.BigEndian.Uint16(d[10:]), binary.BigEndian.Uint16(d[12:])
	default:
		f.FecInst = binary.BigEndian.Uint16(d[6:])
		f.Segment = binary.BigEndian.Uint16(d[8:])
		f.NData, f.NParity = binary.BigEndian.Uint16(d[10:]), binary.BigEndian.Uint16(d[12:])
	}
	return f, true, nil
}

// Ext encodes f as the FTI extension for fec id fec (RS8 keeps 8 bits of NData and NParity).
func (f FTI) Ext(fec uint8) Ext {
	d := binary.BigEndian.AppendUint16(nil, uint16(f.Size>>32))
	d = binary.BigEndian.AppendUint32(d, uint32(f.Size))
	switch fec {
	case FecRS8:
		d = binary.BigEndian.AppendUint16(d, f.Segment)
		d = append(d, byte(f.NData), byte(f.NParity))
	case FecRS16:
		d = append(d, f.FieldM, f.GroupG)
		d = binary.BigEndian.AppendUint16(d, f.Segment)
		d = binary.BigEndian.AppendUint16(d, f.NData)
		d = binary.BigEndian.AppendUint16(d, f.NParity)
	default:
		d = binary.BigEndian.AppendUint16(d, f.FecInst)
		d = binary.BigEndian.AppendUint16(d, f.Segment)
		d = binary.BigEndian.AppendUint16(d, f.NData)
		d = binary.BigEndian.AppendUint16(d, f.NParity)
	}
	return Ext{Type: ExtFTI, Data: d}
}
