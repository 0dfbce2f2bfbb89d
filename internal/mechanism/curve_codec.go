package mechanism

import (
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/crypto/nacl/box"

	"github.com/purezmq/zmq/zmtp"
)

// curveCodec seals and opens MESSAGE commands for one connection. Short nonces are 8-byte
// big-endian counters, one per direction, starting at 1 as libzmq's do; every received one must
// exceed the last. Seal is called by whoever holds the connection's write turn and Open by
// whoever holds its read turn, so the two counters need no lock.
type curveCodec struct {
	shared     key // precomputed from the transient keys
	sendPrefix string
	recvPrefix string
	sent       uint64     // last short nonce sent
	recvd      uint64     // last short nonce received
	out, in    messageBox // MESSAGE boxes, once the handshake is done (keyMessages)
}

// nextNonce returns the next short nonce to send: strictly increasing, never reused.
func (s *curveCodec) nextNonce() [8]byte {
	s.sent++
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], s.sent)
	return n
}

// openBox opens a handshake command's box under a short nonce that must exceed every one
// before it (replay defence); the nonce counts as seen only once its box opened, so forged
// boxes move nothing.
func (s *curveCodec) openBox(what, prefix string, short, sealed []byte) ([]byte, error) {
	v := binary.BigEndian.Uint64(short)
	if v <= s.recvd {
		return nil, protoErr(ProtoInvalidSequence, "%s short nonce %d after %d", what, v, s.recvd)
	}
	var n [24]byte
	copy(n[copy(n[:], prefix):], short)
	text, ok := box.OpenAfterPrecomputation(nil, sealed, &n, &s.shared)
	if !ok {
		return nil, protoErr(ProtoCryptographic, "%s does not open", what)
	}
	s.recvd = v
	return text, nil
}

// Seal encodes one frame as a MESSAGE, sealing straight from body into dst.
func (s *curveCodec) Seal(dst []byte, flags byte, body []byte) []byte {
	var cf byte
	if flags&zmtp.FlagMore != 0 {
		cf |= zmtp.CurveFlagMore
	}
	if flags&zmtp.FlagCommand != 0 {
		cf |= zmtp.CurveFlagCommand
	}
	short := s.nextNonce()
	// libzmq sends MESSAGE in a frame without the COMMAND flag (RFC 26 calls it a command, and
	// libzmq 4.3 rejects it as one), so this does too; Open accepts either.
	boxLen := 1 + len(body) + zmtp.CurveBoxOverhead
	dst = zmtp.AppendFrameHeader(dst, 0, 1+len(zmtp.CmdMessage)+zmtp.CurveShortNonceSize+boxLen)
	dst = append(append(dst, byte(len(zmtp.CmdMessage))), zmtp.CmdMessage...)
	dst = append(dst, short[:]...)
	n := len(dst)
	dst = slices.Grow(dst, boxLen)[:n+boxLen]
	s.out.seal(dst[n:], short[:], cf, body)
	return dst
}

// message parses one received frame body as a MESSAGE command: read in place when it is one
// (every data frame is, and both PayloadLen and OpenInto ask), else through the command parser,
// which says what is wrong with it.
func (s *curveCodec) message(body []byte) (zmtp.CurveMessage, error) {
	if m, ok := zmtp.CurveMessageFrame(body); ok {
		return m, nil
	}
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		return zmtp.CurveMessage{}, malformed(ProtoMalformedMessage, err)
	}
	if cmd.Name != zmtp.CmdMessage {
		return zmtp.CurveMessage{}, protoErr(ProtoUnexpectedCommand, "expected MESSAGE, got %q", cmd.Name)
	}
	m, err := zmtp.ParseCurveMessage(cmd)
	if err != nil {
		return zmtp.CurveMessage{}, malformed(ProtoMalformedMessage, err)
	}
	return m, nil
}

// curveOverhead is what a MESSAGE adds to its payload: the command's name and its length, the
// short nonce, the flags byte and the box's authenticator.
const curveOverhead = 1 + len(zmtp.CmdMessage) + zmtp.CurveShortNonceSize + 1 + zmtp.CurveBoxOverhead

// Overhead is what a sealed frame's body has beyond its payload.
func (s *curveCodec) Overhead() int { return curveOverhead }

// PayloadLen checks that body is a MESSAGE and returns the length of the payload it carries.
func (s *curveCodec) PayloadLen(body []byte) (int, error) {
	m, err := s.message(body)
	if err != nil {
		return 0, err
	}
	return len(m.Box) - zmtp.CurveBoxOverhead - 1, nil
}

// OpenInto opens a MESSAGE into dst, PayloadLen bytes, once its short nonce proved to exceed
// every one before it and its box proved genuine; dst is left untouched otherwise.
func (s *curveCodec) OpenInto(dst, body []byte) (byte, error) {
	m, err := s.message(body)
	if err != nil {
		return 0, err
	}
	if len(dst) != len(m.Box)-zmtp.CurveBoxOverhead-1 {
		return 0, fmt.Errorf("mechanism: MESSAGE payload is %d bytes, not %d", len(m.Box)-zmtp.CurveBoxOverhead-1, len(dst))
	}
	v := binary.BigEndian.Uint64(m.Nonce[:])
	if v <= s.recvd {
		return 0, protoErr(ProtoInvalidSequence, "MESSAGE short nonce %d after %d", v, s.recvd)
	}
	cf, ok := s.in.open(dst, m.Nonce[:], m.Box)
	if !ok {
		return 0, protoErr(ProtoCryptographic, "MESSAGE does not open")
	}
	s.recvd = v
	var flags byte
	if cf&zmtp.CurveFlagMore != 0 {
		flags |= zmtp.FlagMore
	}
	if cf&zmtp.CurveFlagCommand != 0 {
		flags = zmtp.FlagCommand
	}
	return flags, nil
}

// keyMessages derives the MESSAGE boxes' keys once the handshake has the shared key, and wipes
// that: nothing after the handshake needs it.
func (s *curveCodec) keyMessages() {
	s.out = newMessageBox(&s.shared, s.sendPrefix)
	s.in = newMessageBox(&s.shared, s.recvPrefix)
	wipe(s.shared[:])
}
