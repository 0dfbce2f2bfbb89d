package zmtp

import "fmt"

// GreetingSize is the length of a complete ZMTP 3.x greeting.
const GreetingSize = 64

// SignatureSize is the length of the signature (10 bytes) plus the major
// version byte. Reading this much is enough to tell a 3.x peer from a ZMTP 1.0
// or 2.0 peer before sending the rest of our greeting (RFC 23, "Version
// Negotiation").
const SignatureSize = 11

// Greeting layout offsets (RFC 23/37 "Formal Grammar").
const (
	sigStart        = 0xFF
	sigEnd          = 0x7F
	sigEndOffset    = 9
	majorOffset     = 10
	minorOffset     = 11
	mechanismOffset = 12
	mechanismSize   = 20
	asServerOffset  = 32
	fillerSize      = GreetingSize - asServerOffset - 1
)

// Greeting is the decoded 64-byte ZMTP 3.x greeting.
type Greeting struct {
	Major, Minor uint8 // the ZMTP version: 3.0 (RFC 23), 3.1 (RFC 37) or later
	// Mechanism is the security mechanism name ("NULL", "PLAIN", "CURVE"); at
	// most 20 bytes on the wire.
	Mechanism string
	// AsServer is the as-server flag; it must be false for NULL.
	AsServer bool
}

// Append appends exactly GreetingSize bytes: the signature with zero padding,
// the version, the mechanism NUL-padded (or truncated) to 20 bytes, the
// as-server byte and the zero filler. The mechanism is not validated here;
// ParseGreeting on the peer side does that.
func (g Greeting) Append(b []byte) []byte {
	b = append(b, sigStart, 0, 0, 0, 0, 0, 0, 0, 0, sigEnd, g.Major, g.Minor)
	mech := g.Mechanism
	if len(mech) > mechanismSize {
		mech = mech[:mechanismSize]
	}
	b = append(b, mech...)
	var zeros [fillerSize]byte // fillerSize (31) >= mechanismSize, reused for padding
	b = append(b, zeros[:mechanismSize-len(mech)]...)
	var asServer byte
	if g.AsServer {
		asServer = 1
	}
	b = append(b, asServer)
	return append(b, zeros[:]...)
}

// CheckSignature inspects the first SignatureSize bytes of a peer's greeting
// and returns its major version. It returns ErrNeedMore if len(b) <
// SignatureSize, and ErrVersion if the bytes are not a 3.x signature (a ZMTP
// 1.0 peer: first byte not 0xFF, or the low bit of byte 9 clear) or the major
// version is below 3 (ZMTP 2.0); in the latter case the major version is also
// returned. Other invalid signatures give ErrMalformed. The 8 padding bytes
// are ignored, as the RFC requires.
func CheckSignature(b []byte) (major uint8, err error) {
	if len(b) < SignatureSize {
		return 0, ErrNeedMore
	}
	if b[0] != sigStart || b[sigEndOffset]&1 == 0 {
		// ZMTP 1.0 starts with an identity frame: a 1-byte length, or 0xFF
		// and an 8-byte length followed by a flags byte with the low bit clear.
		return 0, fmt.Errorf("%w: ZMTP 1.0 peer", ErrVersion)
	}
	if b[sigEndOffset] != sigEnd {
		return 0, malformed("greeting signature byte 9 is %#02x, want 0x7f", b[sigEndOffset])
	}
	major = b[majorOffset]
	if major < 3 {
		return major, fmt.Errorf("%w: ZMTP major version %d", ErrVersion, major)
	}
	return major, nil
}

// ParseGreeting parses a complete 64-byte greeting from the front of b; bytes
// past GreetingSize are ignored. It returns ErrNeedMore if b is shorter,
// except that signature and version errors (as from CheckSignature) are
// reported as soon as SignatureSize bytes are present, so an old peer that
// never sends 64 bytes is not waited for. The mechanism must be 1 to 20
// characters of A-Z, 0-9, '-', '_', '.', '+' followed only by NULs; the
// as-server byte must be 0 or 1. The minor version is reported as sent, and
// the filler is not checked so that future 3.x revisions may use it.
func ParseGreeting(b []byte) (Greeting, error) {
	major, err := CheckSignature(b)
	if err != nil {
		return Greeting{}, err
	}
	if len(b) < GreetingSize {
		return Greeting{}, ErrNeedMore
	}
	mech, err := parseMechanism(b[mechanismOffset : mechanismOffset+mechanismSize])
	if err != nil {
		return Greeting{}, err
	}
	var asServer bool
	switch b[asServerOffset] {
	case 0:
	case 1:
		asServer = true
	default:
		return Greeting{}, malformed("greeting as-server byte is %#02x", b[asServerOffset])
	}
	return Greeting{
		Major:     major,
		Minor:     b[minorOffset],
		Mechanism: mech,
		AsServer:  asServer,
	}, nil
}

// parseMechanism validates the 20-byte NUL-padded mechanism field.
func parseMechanism(f []byte) (string, error) {
	n := 0
	for n < len(f) && f[n] != 0 {
		if !isMechanismChar(f[n]) {
			return "", malformed("greeting mechanism has invalid byte %#02x", f[n])
		}
		n++
	}
	if n == 0 {
		return "", malformed("greeting mechanism is empty")
	}
	for _, c := range f[n:] {
		if c != 0 {
			return "", malformed("greeting mechanism padding has non-NUL byte %#02x", c)
		}
	}
	switch string(f[:n]) { // returns constants for the common names: no allocation
	case MechanismNull:
		return MechanismNull, nil
	case MechanismPlain:
		return MechanismPlain, nil
	case MechanismCurve:
		return MechanismCurve, nil
	}
	return string(f[:n]), nil
}

// Security mechanism names defined by RFC 23 (NULL), 24 (PLAIN) and 25 (CURVE).
const (
	MechanismNull  = "NULL"  // no security (RFC 23)
	MechanismPlain = "PLAIN" // username and password in clear (RFC 24)
	MechanismCurve = "CURVE" // CurveZMQ encryption and authentication (RFC 25, RFC 26)
)

func isMechanismChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+'
}
