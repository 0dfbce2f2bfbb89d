package zmtp

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Frame flag bits (RFC 23/37 "Framing"). Bits 7-3 are reserved and must be 0.
const (
	FlagMore    byte = 0x01 // more frames of this message follow
	FlagLong    byte = 0x02 // 8-byte size field; set by the encoder, never returned by the decoder
	FlagCommand byte = 0x04 // command frame rather than message frame
)

// MaxShortSize is the largest body a short (1-byte size) frame can carry.
const MaxShortSize = 255

const (
	shortHeaderSize = 2
	longHeaderSize  = 9
	reservedFlags   = ^(FlagMore | FlagLong | FlagCommand)
	// maxFrameSize caps long sizes even when the caller sets no limit, so
	// that size arithmetic in callers can never overflow.
	maxFrameSize = 1 << 62
)

// AppendFrameHeader appends the header of a frame whose body is size bytes.
// Only FlagMore and FlagCommand are taken from flags: LONG is set exactly when
// size > MaxShortSize, reserved bits are dropped, and MORE is dropped on
// command frames because RFC 23 forbids it there. size must not be negative;
// a negative size is a caller bug and is encoded as 0.
func AppendFrameHeader(b []byte, flags byte, size int) []byte {
	flags &= FlagMore | FlagCommand
	if flags&FlagCommand != 0 {
		flags &^= FlagMore
	}
	if size < 0 {
		size = 0
	}
	if size <= MaxShortSize {
		return append(b, flags, byte(size))
	}
	b = append(b, flags|FlagLong)
	return binary.BigEndian.AppendUint64(b, uint64(size))
}

// AppendFrame appends a frame header (as AppendFrameHeader) followed by body.
func AppendFrame(b []byte, flags byte, body []byte) []byte {
	b = AppendFrameHeader(b, flags, len(body))
	return append(b, body...)
}

// ParseFrameHeader reads one frame header from the front of b and returns the
// flags (never including FlagLong), the body size and the header length n (2
// or 9). It returns ErrNeedMore if b is a valid but incomplete header;
// ErrMalformed if reserved flag bits are set or a command frame has MORE set;
// ErrMsgTooLarge if maxSize >= 0 and size > maxSize, or if a long size does
// not fit in an int or exceeds 1<<62 (rejected whatever maxSize is). A long
// frame with a size of 255 or less is accepted. Flag errors are reported as
// soon as the flags byte is present.
func ParseFrameHeader(b []byte, maxSize int64) (flags byte, size int, n int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, ErrNeedMore
	}
	f := b[0]
	if f&reservedFlags != 0 {
		return 0, 0, 0, malformed("frame flags %#02x have reserved bits set", f)
	}
	if f&(FlagCommand|FlagMore) == FlagCommand|FlagMore {
		return 0, 0, 0, malformed("command frame has MORE set")
	}
	var u uint64
	if f&FlagLong == 0 {
		if len(b) < shortHeaderSize {
			return 0, 0, 0, ErrNeedMore
		}
		u, n = uint64(b[1]), shortHeaderSize
	} else {
		if len(b) < longHeaderSize {
			return 0, 0, 0, ErrNeedMore
		}
		u, n = binary.BigEndian.Uint64(b[1:longHeaderSize]), longHeaderSize
		if u > maxFrameSize || u > math.MaxInt {
			return 0, 0, 0, fmt.Errorf("%w: frame size %d is not supported", ErrMsgTooLarge, u)
		}
	}
	if maxSize >= 0 && u > uint64(maxSize) {
		return 0, 0, 0, fmt.Errorf("%w: frame size %d exceeds limit %d", ErrMsgTooLarge, u, maxSize)
	}
	return f &^ FlagLong, int(u), n, nil
}
