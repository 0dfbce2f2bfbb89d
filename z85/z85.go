package z85

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Sentinel errors, wrapped with the offending position; compare with
// errors.Is.
var (
	// ErrLength means binary input is not a multiple of 4 bytes, or text
	// input not a multiple of 5 characters.
	ErrLength = errors.New("z85: invalid input length")

	// ErrInvalidChar means the text holds a character outside the Z85
	// alphabet.
	ErrInvalidChar = errors.New("z85: invalid character")

	// ErrOverflow means a 5-character group encodes a value above 2^32-1,
	// which no 4-byte input can produce.
	ErrOverflow = errors.New("z85: group overflows 32 bits")
)

// alphabet maps values 0 to 84 to characters, as RFC 32 tabulates them.
const alphabet = "0123456789" +
	"abcdefghijklmnopqrstuvwxyz" +
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ" +
	".-:+=^!/*?&<>()[]{}@%$#"

// invalid marks bytes outside the alphabet in the decode table.
const invalid = 0xff

// decodeTable maps a character to its value, or to invalid.
var decodeTable = func() (t [256]byte) {
	for i := range t {
		t[i] = invalid
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// EncodedLen returns the length of the Z85 text for n bytes of binary input
// (which must be a multiple of 4 to encode).
func EncodedLen(n int) int { return n / 4 * 5 }

// DecodedLen returns the number of bytes decoded from n characters of text
// (which must be a multiple of 5 to decode).
func DecodedLen(n int) int { return n / 5 * 4 }

// Encode writes the Z85 text of src into dst, as zmq_z85_encode, and returns the number of bytes
// written, EncodedLen(len(src)). dst must be at least that long. If len(src)
// is not a multiple of 4 it writes nothing and returns ErrLength.
func Encode(dst, src []byte) (int, error) {
	if len(src)%4 != 0 {
		return 0, fmt.Errorf("%w: %d bytes is not a multiple of 4", ErrLength, len(src))
	}
	n := EncodedLen(len(src))
	_ = dst[:n] // one bounds check up front; a short dst is a caller bug
	for i, j := 0, 0; i < len(src); i, j = i+4, j+5 {
		v := binary.BigEndian.Uint32(src[i:])
		for k := 4; k >= 0; k-- {
			dst[j+k] = alphabet[v%85]
			v /= 85
		}
	}
	return n, nil
}

// AppendEncode appends the Z85 text of src to dst. On ErrLength dst is
// returned unchanged.
func AppendEncode(dst, src []byte) ([]byte, error) {
	if len(src)%4 != 0 {
		return dst, fmt.Errorf("%w: %d bytes is not a multiple of 4", ErrLength, len(src))
	}
	start := len(dst)
	dst = grow(dst, EncodedLen(len(src)))
	if _, err := Encode(dst[start:], src); err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// grow extends b by n bytes, reallocating only if its capacity is short.
func grow(b []byte, n int) []byte {
	return slices.Grow(b, n)[:len(b)+n]
}

// EncodeToString returns the Z85 text of src.
func EncodeToString(src []byte) (string, error) {
	buf := make([]byte, EncodedLen(len(src)))
	if _, err := Encode(buf, src); err != nil {
		return "", err
	}
	return string(buf), nil
}

// Decode decodes the Z85 text src into dst, as zmq_z85_decode, and returns the number of bytes
// written, DecodedLen(len(src)). dst must be at least that long. On error the
// contents of dst are unspecified and n is 0.
func Decode(dst, src []byte) (int, error) {
	return decode(dst, src)
}

// AppendDecode appends the bytes decoded from the Z85 text src to dst. On
// error dst is returned unchanged.
func AppendDecode(dst, src []byte) ([]byte, error) {
	if len(src)%5 != 0 {
		return dst, lengthError(len(src))
	}
	start := len(dst)
	dst = grow(dst, DecodedLen(len(src)))
	if _, err := decode(dst[start:], src); err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// DecodeString returns the bytes encoded by the Z85 text s.
func DecodeString(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, lengthError(len(s))
	}
	buf := make([]byte, DecodedLen(len(s)))
	if _, err := decode(buf, s); err != nil {
		return nil, err
	}
	return buf, nil
}

func lengthError(n int) error {
	return fmt.Errorf("%w: %d characters is not a multiple of 5", ErrLength, n)
}

// decode is shared by the []byte and string entry points without copying
// the input.
func decode[S []byte | string](dst []byte, src S) (int, error) {
	if len(src)%5 != 0 {
		return 0, lengthError(len(src))
	}
	n := DecodedLen(len(src))
	_ = dst[:n]
	for i, j := 0, 0; i < len(src); i, j = i+5, j+4 {
		var v uint64
		for k := range 5 {
			c := src[i+k]
			d := decodeTable[c]
			if d == invalid {
				return 0, fmt.Errorf("%w %q at offset %d", ErrInvalidChar, c, i+k)
			}
			v = v*85 + uint64(d)
		}
		if v > math.MaxUint32 {
			return 0, fmt.Errorf("%w: group at offset %d", ErrOverflow, i)
		}
		binary.BigEndian.PutUint32(dst[j:], uint32(v))
	}
	return n, nil
}
