package pgm

import (
	"encoding/binary"
	"fmt"
)

// Option types (RFC 3208 §9; the E bit, 0x80, marks the last option).
const (
	optLength      = 0x00
	optFragment    = 0x01
	optNakList     = 0x02
	optJoin        = 0x03
	optNakBoIvl    = 0x04
	optNakBoRng    = 0x05
	optRedirect    = 0x07
	optParityPrm   = 0x08
	optParityGrp   = 0x09
	optCurrTGSize  = 0x0a
	optNbrUnreach  = 0x0b
	optPathNLA     = 0x0c
	optSyn         = 0x0d
	optFin         = 0x0e
	optRst         = 0x0f
	optCR          = 0x10
	optCRQST       = 0x11
	optPGMCCData   = 0x12
	optPGMCCFeedbk = 0x13
	optInvalid     = 0x7f
	optEnd         = 0x80
	optMask        = 0x7f

	// maxNakList is what one OPT_NAK_LIST holds beside the packet's own sequence number.
	maxNakList = 62
)

func (o *Options) any() bool {
	return len(o.NakList) > 0 || o.Fragment != nil || o.HasJoin || o.Syn || o.Fin || o.Rst
}

// parseOptions reads the option extensions at the start of b (OPT_LENGTH first) and returns
// what follows them. Options this package has no use for are skipped by their length; parity
// options are refused, as the packet cannot be read without FEC.
func parseOptions(b []byte, o *Options) ([]byte, error) {
	if len(b) < 4 || b[0] != optLength || b[1] != 4 {
		return nil, fmt.Errorf("%w: options do not start with OPT_LENGTH", ErrMalformed)
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total < 4+3 || total > len(b) {
		return nil, fmt.Errorf("%w: options length %d of %d bytes", ErrMalformed, total, len(b))
	}
	opts, rest := b[4:total], b[total:]
	for {
		if len(opts) < 3 {
			return nil, fmt.Errorf("%w: option header cut short", ErrMalformed)
		}
		typ, n := opts[0], int(opts[1])
		if n < 3 || n > len(opts) {
			return nil, fmt.Errorf("%w: option %#x of length %d", ErrMalformed, typ, n)
		}
		val := opts[3:n] // past type, length and the U/OPX byte
		switch typ & optMask {
		case optNakList:
			if len(val) < 1 || (len(val)-1)%4 != 0 || (len(val)-1)/4 > maxNakList {
				return nil, fmt.Errorf("%w: OPT_NAK_LIST of %d bytes", ErrMalformed, n)
			}
			for i := 1; i < len(val); i += 4 {
				o.NakList = append(o.NakList, binary.BigEndian.Uint32(val[i:]))
			}
		case optFragment:
			if len(val) != 13 {
				return nil, fmt.Errorf("%w: OPT_FRAGMENT of %d bytes", ErrMalformed, n)
			}
			o.Fragment = &Fragment{
				Sqn:    binary.BigEndian.Uint32(val[1:]),
				Offset: binary.BigEndian.Uint32(val[5:]),
				Length: binary.BigEndian.Uint32(val[9:]),
			}
		case optJoin:
			if len(val) != 5 {
				return nil, fmt.Errorf("%w: OPT_JOIN of %d bytes", ErrMalformed, n)
			}
			o.Join, o.HasJoin = binary.BigEndian.Uint32(val[1:]), true
		case optSyn:
			o.Syn = true
		case optFin:
			o.Fin = true
		case optRst:
			o.Rst = true
		case optParityPrm, optParityGrp, optCurrTGSize:
			return nil, fmt.Errorf("%w: FEC option %#x", ErrUnsupported, typ&optMask)
		case optLength:
			return nil, fmt.Errorf("%w: a second OPT_LENGTH", ErrMalformed)
		default:
			o.unknownSeen = true
		}
		opts = opts[n:]
		if typ&optEnd != 0 {
			break
		}
	}
	if len(opts) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last option", ErrMalformed, len(opts))
	}
	return rest, nil
}

// append writes OPT_LENGTH and the set options, the last marked with the E bit.
func (o *Options) append(b []byte) ([]byte, error) {
	if len(o.NakList) > maxNakList {
		return b, fmt.Errorf("%w: OPT_NAK_LIST of %d entries", ErrMalformed, len(o.NakList))
	}
	start := len(b)
	b = append(b, optLength, 4, 0, 0)
	last := -1
	opt := func(typ byte, val ...byte) {
		last = len(b)
		b = append(b, typ, byte(3+len(val)), 0)
		b = append(b, val...)
	}
	if f := o.Fragment; f != nil {
		v := make([]byte, 1, 13)
		v = binary.BigEndian.AppendUint32(v, f.Sqn)
		v = binary.BigEndian.AppendUint32(v, f.Offset)
		opt(optFragment, binary.BigEndian.AppendUint32(v, f.Length)...)
	}
	if len(o.NakList) > 0 {
		v := make([]byte, 1, 1+4*len(o.NakList))
		for _, s := range o.NakList {
			v = binary.BigEndian.AppendUint32(v, s)
		}
		opt(optNakList, v...)
	}
	if o.HasJoin {
		opt(optJoin, binary.BigEndian.AppendUint32([]byte{0}, o.Join)...)
	}
	if o.Syn {
		opt(optSyn, 0)
	}
	if o.Fin {
		opt(optFin, 0)
	}
	if o.Rst {
		opt(optRst, 0)
	}
	b[last] |= optEnd
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b, nil
}
