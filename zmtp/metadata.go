package zmtp

import (
	"encoding/binary"
	"math"
)

// Well-known metadata property names (RFC 23/37 "Connection Metadata").
const (
	PropSocketType = "Socket-Type" // the sender's socket type ("REQ", "ROUTER", ...)
	PropIdentity   = "Identity"    // the sender's routing id (ZMQ_ROUTING_ID), as libzmq sends it
	PropRoutingID  = "Routing-Id"  // the sender's routing id under its newer name
	PropResource   = "Resource"    // the resource a peer asks for
)

const (
	maxPropName  = 255
	maxPropValue = math.MaxInt32 // RFC 23: value is 0 to 2^31-1 octets
)

// Property is one metadata name/value pair.
type Property struct {
	Name  string // case-insensitive, 1 to 255 bytes of letters, digits and "-_.+"
	Value []byte // 0 to 2^31-1 bytes
}

// Metadata is a property list as carried by READY (and by the PLAIN/CURVE
// equivalents). Order is preserved because it is what the peer sent; duplicate
// names are kept, and Get returns the first.
type Metadata []Property

// Append appends the wire encoding: for each property a name-size byte, the
// name, a 4-byte big-endian value size and the value. Names must be 1 to 255
// bytes of letters, digits and "-_.+"; longer names are truncated to 255 and
// values to 2^31-1 bytes, and the rest is the caller's responsibility.
func (m Metadata) Append(b []byte) []byte {
	for _, p := range m {
		name, value := clipProperty(p)
		b = append(b, byte(len(name)))
		b = append(b, name...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
		b = append(b, value...)
	}
	return b
}

// EncodedLen returns the number of bytes Append adds, so callers can size a
// frame header before encoding.
func (m Metadata) EncodedLen() int {
	n := 0
	for _, p := range m {
		name, value := clipProperty(p)
		n += 1 + len(name) + 4 + len(value)
	}
	return n
}

func clipProperty(p Property) (string, []byte) {
	name, value := p.Name, p.Value
	if len(name) > maxPropName {
		name = name[:maxPropName]
	}
	if int64(len(value)) > maxPropValue {
		value = value[:maxPropValue]
	}
	return name, value
}

// Get returns the value of the first property whose name matches, ignoring
// ASCII case as the RFC requires.
func (m Metadata) Get(name string) ([]byte, bool) {
	for _, p := range m {
		if equalFoldASCII(p.Name, name) {
			return p.Value, true
		}
	}
	return nil, false
}

// ParseMetadata decodes a property list that fills b exactly. Each value size
// is checked against the remaining bytes before slicing, so a hostile size
// cannot cause a large allocation. Values alias b. An empty b yields an empty
// (nil) Metadata.
func ParseMetadata(b []byte) (Metadata, error) {
	var m Metadata
	for len(b) > 0 {
		nameLen := int(b[0])
		if nameLen == 0 {
			return nil, malformed("metadata property name is empty")
		}
		if len(b) < 1+nameLen {
			return nil, malformed("metadata property name truncated")
		}
		rawName := b[1 : 1+nameLen]
		for _, c := range rawName {
			if !isPropNameChar(c) {
				return nil, malformed("metadata property name has invalid byte %#02x", c)
			}
		}
		b = b[1+nameLen:]
		if len(b) < 4 {
			return nil, malformed("metadata value size truncated")
		}
		valueLen := binary.BigEndian.Uint32(b)
		b = b[4:]
		if valueLen > maxPropValue {
			return nil, malformed("metadata value size %d exceeds 2^31-1", valueLen)
		}
		if uint64(valueLen) > uint64(len(b)) {
			return nil, malformed("metadata value size %d exceeds remaining %d bytes", valueLen, len(b))
		}
		vl := int(valueLen)
		m = append(m, Property{Name: propName(rawName), Value: b[:vl:vl]})
		b = b[vl:]
	}
	return m, nil
}

// propName converts a property name, returning the well-known constants
// without allocating when the peer uses their canonical spelling.
func propName(b []byte) string {
	switch string(b) {
	case PropSocketType:
		return PropSocketType
	case PropIdentity:
		return PropIdentity
	case PropRoutingID:
		return PropRoutingID
	case PropResource:
		return PropResource
	}
	return string(b)
}

func isPropNameChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+'
}

// equalFoldASCII compares ASCII case-insensitively. Unlike strings.EqualFold
// it does no Unicode folding (so "\u212a" does not match "k"), which is right
// for wire names that are ASCII by definition.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
