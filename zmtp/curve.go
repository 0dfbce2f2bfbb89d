package zmtp

import "slices"

// CmdMessage is the CURVE command that carries one encrypted message frame
// once the handshake is done.
const CmdMessage = "MESSAGE"

// CurveZMQ version sent in HELLO (RFC 26: 1.0).
const (
	CurveMajor = 1 // major version
	CurveMinor = 0 // minor version
)

// Nonce prefixes (RFC 26). A box's 24-byte nonce is its prefix followed by
// the 8-byte short nonce or 16-byte long nonce carried next to the box.
const (
	CurveNonceHello         = "CurveZMQHELLO---" // HELLO's box, with a short nonce
	CurveNonceWelcome       = "WELCOME-"         // WELCOME's box, with a long nonce
	CurveNonceCookie        = "COOKIE--"         // the cookie's box, with a long nonce
	CurveNonceInitiate      = "CurveZMQINITIATE" // INITIATE's box, with a short nonce
	CurveNonceVouch         = "VOUCH---"         // the vouch's box, with a long nonce
	CurveNonceReady         = "CurveZMQREADY---" // READY's box, with a short nonce
	CurveNonceMessageClient = "CurveZMQMESSAGEC" // a MESSAGE from the client, with a short nonce
	CurveNonceMessageServer = "CurveZMQMESSAGES" // a MESSAGE from the server, with a short nonce
)

// Sizes of CurveZMQ fields, in bytes.
const (
	CurveKeySize        = 32 // a Curve25519 public or secret key
	CurveShortNonceSize = 8  // the per-command counter sent before a box
	CurveLongNonceSize  = 16 // the random nonce of cookies, vouches and WELCOME
	// CurveBoxOverhead is how much larger a box is than the text it seals
	// (the Poly1305 tag).
	CurveBoxOverhead = 16
	// CurveCookieSize is a long nonce and Box[C' + s'](K).
	CurveCookieSize = CurveLongNonceSize + 2*CurveKeySize + CurveBoxOverhead
	// CurveVouchSize is a long nonce and Box[C',S](C->S').
	CurveVouchSize = CurveLongNonceSize + 2*CurveKeySize + CurveBoxOverhead

	curveHelloPadding   = 72
	curveHelloBoxSize   = 64 + CurveBoxOverhead                             // Box[64 zero bytes](C'->S)
	curveWelcomeBoxSize = CurveKeySize + CurveCookieSize + CurveBoxOverhead // Box[S' + cookie](S->C')
	curveInitiateMinBox = CurveKeySize + CurveVouchSize + CurveBoxOverhead  // Box[C + vouch + metadata](C'->S')
	curveReadyMinBox    = CurveBoxOverhead                                  // Box[metadata](S'->C')
	curveMessageMinBox  = 1 + CurveBoxOverhead                              // Box[flags + payload]

	curveHelloSize   = 2 + curveHelloPadding + CurveKeySize + CurveShortNonceSize + curveHelloBoxSize
	curveWelcomeSize = CurveLongNonceSize + curveWelcomeBoxSize
)

// Flags in the first byte of a MESSAGE box's plaintext. RFC 26 defines only
// More; libzmq also sets Command when the frame is a ZMTP command (PING,
// SUBSCRIBE, ...), mirroring the frame header flags.
const (
	CurveFlagMore    = 0x01 // another frame of the message follows
	CurveFlagCommand = 0x02 // the frame is a ZMTP command, not message data
)

// CurveHello is the client's HELLO: 200 bytes on the wire counting the name.
type CurveHello struct {
	Major, Minor    uint8                     // CurveMajor, CurveMinor
	ClientTransient [CurveKeySize]byte        // C'
	Nonce           [CurveShortNonceSize]byte // after CurveNonceHello
	Box             [curveHelloBoxSize]byte   // Box[64 zero bytes](C'->S)
}

// Append appends a complete HELLO command, with the 72 zero bytes of
// anti-amplification padding.
func (h CurveHello) Append(b []byte) []byte {
	b = AppendCommandHeader(b, CmdHello, curveHelloSize)
	b = append(b, h.Major, h.Minor)
	var pad [curveHelloPadding]byte
	b = append(b, pad[:]...)
	b = append(b, h.ClientTransient[:]...)
	b = append(b, h.Nonce[:]...)
	return append(b, h.Box[:]...)
}

// ParseCurveHello decodes a CURVE HELLO command, which must be exactly 194
// data bytes with all-zero padding. The version is returned, not checked: the
// server decides what to accept (RFC 26 defines only 1.0).
func ParseCurveHello(c Command) (CurveHello, error) {
	var h CurveHello
	if err := expectName(c, CmdHello); err != nil {
		return h, err
	}
	d := c.Data
	if len(d) != curveHelloSize {
		return h, malformed("CURVE HELLO is %d data bytes, want %d", len(d), curveHelloSize)
	}
	h.Major, h.Minor = d[0], d[1]
	d = d[2:]
	for _, x := range d[:curveHelloPadding] {
		if x != 0 {
			return CurveHello{}, malformed("CURVE HELLO padding is not zero")
		}
	}
	d = d[curveHelloPadding:]
	d = d[copy(h.ClientTransient[:], d):]
	d = d[copy(h.Nonce[:], d):]
	copy(h.Box[:], d)
	return h, nil
}

// CurveWelcome is the server's WELCOME: 168 bytes on the wire.
type CurveWelcome struct {
	Nonce [CurveLongNonceSize]byte  // after CurveNonceWelcome
	Box   [curveWelcomeBoxSize]byte // Box[S' + cookie](S->C')
}

// Append appends a complete WELCOME command.
func (w CurveWelcome) Append(b []byte) []byte {
	b = AppendCommandHeader(b, CmdWelcome, curveWelcomeSize)
	b = append(b, w.Nonce[:]...)
	return append(b, w.Box[:]...)
}

// ParseCurveWelcome decodes a CURVE WELCOME command, which must be exactly
// 160 data bytes.
func ParseCurveWelcome(c Command) (CurveWelcome, error) {
	var w CurveWelcome
	if err := expectName(c, CmdWelcome); err != nil {
		return w, err
	}
	if len(c.Data) != curveWelcomeSize {
		return w, malformed("CURVE WELCOME is %d data bytes, want %d", len(c.Data), curveWelcomeSize)
	}
	n := copy(w.Nonce[:], c.Data)
	copy(w.Box[:], c.Data[n:])
	return w, nil
}

// CurveInitiate is the client's INITIATE: at least 257 bytes on the wire.
type CurveInitiate struct {
	Cookie [CurveCookieSize]byte     // echoed from WELCOME
	Nonce  [CurveShortNonceSize]byte // after CurveNonceInitiate
	// Box is Box[C + vouch + metadata](C'->S'), at least 144 bytes. Append
	// does not check its length; ParseCurveInitiate does.
	Box []byte
}

// Append appends a complete INITIATE command.
func (i CurveInitiate) Append(b []byte) []byte {
	b = AppendCommandHeader(b, CmdInitiate, CurveCookieSize+CurveShortNonceSize+len(i.Box))
	b = append(b, i.Cookie[:]...)
	b = append(b, i.Nonce[:]...)
	return append(b, i.Box...)
}

// ParseCurveInitiate decodes a CURVE INITIATE command: cookie, short nonce
// and a box of at least 144 bytes, which aliases c.Data.
func ParseCurveInitiate(c Command) (CurveInitiate, error) {
	var i CurveInitiate
	if err := expectName(c, CmdInitiate); err != nil {
		return i, err
	}
	const fixed = CurveCookieSize + CurveShortNonceSize
	if len(c.Data) < fixed+curveInitiateMinBox {
		return i, malformed("CURVE INITIATE is %d data bytes, want at least %d", len(c.Data), fixed+curveInitiateMinBox)
	}
	n := copy(i.Cookie[:], c.Data)
	copy(i.Nonce[:], c.Data[n:])
	i.Box = slices.Clip(c.Data[fixed:])
	return i, nil
}

// CurveReady is the server's READY: at least 30 bytes on the wire.
type CurveReady struct {
	Nonce [CurveShortNonceSize]byte // after CurveNonceReady
	// Box is Box[metadata](S'->C'), at least 16 bytes. Append does not check
	// its length; ParseCurveReady does.
	Box []byte
}

// Append appends a complete CURVE READY command.
func (r CurveReady) Append(b []byte) []byte {
	b = AppendCommandHeader(b, CmdReady, CurveShortNonceSize+len(r.Box))
	b = append(b, r.Nonce[:]...)
	return append(b, r.Box...)
}

// ParseCurveReady decodes a CURVE READY command: a short nonce and a box of
// at least 16 bytes, which aliases c.Data.
func ParseCurveReady(c Command) (CurveReady, error) {
	var r CurveReady
	if err := expectName(c, CmdReady); err != nil {
		return r, err
	}
	if len(c.Data) < CurveShortNonceSize+curveReadyMinBox {
		return r, malformed("CURVE READY is %d data bytes, want at least %d", len(c.Data), CurveShortNonceSize+curveReadyMinBox)
	}
	copy(r.Nonce[:], c.Data)
	r.Box = slices.Clip(c.Data[CurveShortNonceSize:])
	return r, nil
}

// CurveMessage is one encrypted frame after the handshake: at least 33 bytes
// on the wire.
type CurveMessage struct {
	// Nonce follows CurveNonceMessageClient or CurveNonceMessageServer,
	// depending on the sender.
	Nonce [CurveShortNonceSize]byte
	// Box is Box[flags + payload](sender' -> recipient'), at least 17 bytes.
	// Append does not check its length; ParseCurveMessage does.
	Box []byte
}

// Append appends a complete MESSAGE command.
func (m CurveMessage) Append(b []byte) []byte {
	b = AppendCurveMessageHeader(b, m.Nonce, len(m.Box))
	return append(b, m.Box...)
}

// AppendCurveMessageHeader appends everything of a MESSAGE command up to its
// box of boxLen bytes, so that the caller can seal the box straight into the
// same buffer (nacl/box.Seal appends) instead of copying it.
func AppendCurveMessageHeader(b []byte, nonce [CurveShortNonceSize]byte, boxLen int) []byte {
	b = AppendCommandHeader(b, CmdMessage, CurveShortNonceSize+boxLen)
	return append(b, nonce[:]...)
}

// curveMessagePrefix is how every MESSAGE command body starts: its name's size, then its name.
const curveMessagePrefix = "\x07" + CmdMessage

// CurveMessageFrame reads a command frame body that is a MESSAGE, in place and without the
// command parser, which a receiver of CURVE data frames would run twice a frame; ok is false
// for anything else, which ParseCommand and ParseCurveMessage then say what is wrong with.
// What it reads, they read the same.
func CurveMessageFrame(body []byte) (m CurveMessage, ok bool) {
	p := len(curveMessagePrefix)
	if len(body) < p+CurveShortNonceSize+curveMessageMinBox || string(body[:p]) != curveMessagePrefix {
		return m, false
	}
	copy(m.Nonce[:], body[p:])
	m.Box = slices.Clip(body[p+CurveShortNonceSize:])
	return m, true
}

// ParseCurveMessage decodes a CURVE MESSAGE command: a short nonce and a box
// of at least 17 bytes, which aliases c.Data.
func ParseCurveMessage(c Command) (CurveMessage, error) {
	var m CurveMessage
	if err := expectName(c, CmdMessage); err != nil {
		return m, err
	}
	if len(c.Data) < CurveShortNonceSize+curveMessageMinBox {
		return m, malformed("CURVE MESSAGE is %d data bytes, want at least %d", len(c.Data), CurveShortNonceSize+curveMessageMinBox)
	}
	copy(m.Nonce[:], c.Data)
	m.Box = slices.Clip(c.Data[CurveShortNonceSize:])
	return m, nil
}
