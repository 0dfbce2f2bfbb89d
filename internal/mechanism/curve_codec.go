package mechanism

import (
	"encoding/binary"

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
	sent       uint64 // last short nonce sent
	recvd      uint64 // last short nonce received
	scratch    []byte // Seal's plaintext
	opened     []byte // Open's plaintext, reused: what Open returns aliases it
}

// keepScratch is the largest plaintext buffer a codec keeps for the next frame: a burst of big
// ones is not held while the connection idles.
const keepScratch = 64 << 10

// nextNonce returns the next short nonce to send: strictly increasing, never reused.
func (s *curveCodec) nextNonce() [8]byte {
	s.sent++
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], s.sent)
	return n
}

// openBox opens what's box under a short nonce that must exceed every one before it (replay
// defence); the nonce counts as seen only once its box opened, so forged boxes move nothing.
func (s *curveCodec) openBox(what, prefix string, short, sealed []byte) ([]byte, error) {
	return s.openBoxInto(nil, what, prefix, short, sealed)
}

// openBoxInto is openBox appending the plaintext to out.
func (s *curveCodec) openBoxInto(out []byte, what, prefix string, short, sealed []byte) ([]byte, error) {
	v := binary.BigEndian.Uint64(short)
	if v <= s.recvd {
		return nil, protoErr(ProtoInvalidSequence, "%s short nonce %d after %d", what, v, s.recvd)
	}
	var n [24]byte
	copy(n[copy(n[:], prefix):], short)
	text, ok := box.OpenAfterPrecomputation(out, sealed, &n, &s.shared)
	if !ok {
		return nil, protoErr(ProtoCryptographic, "%s does not open", what)
	}
	s.recvd = v
	return text, nil
}

// Seal encodes one frame as a MESSAGE, sealing straight into dst.
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
	// The box needs flags and body contiguous; the scratch buffer is reused, small ones kept.
	s.scratch = append(append(s.scratch[:0], cf), body...)
	var n [24]byte
	copy(n[copy(n[:], s.sendPrefix):], short[:])
	dst = box.SealAfterPrecomputation(dst, s.scratch, &n, &s.shared)
	if cap(s.scratch) > keepScratch {
		s.scratch = nil
	}
	return dst
}

// Open decodes one MESSAGE command body into the frame it carries.
func (s *curveCodec) Open(body []byte) (byte, []byte, error) {
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		return 0, nil, malformed(ProtoMalformedMessage, err)
	}
	if cmd.Name != zmtp.CmdMessage {
		return 0, nil, protoErr(ProtoUnexpectedCommand, "expected MESSAGE, got %q", cmd.Name)
	}
	m, err := zmtp.ParseCurveMessage(cmd)
	if err != nil {
		return 0, nil, malformed(ProtoMalformedMessage, err)
	}
	// Opened into the reused buffer: the box is checked whole before a byte of it is
	// written there, so a forged or cut one leaves nothing behind to deliver.
	text, err := s.openBoxInto(s.opened[:0], "MESSAGE", s.recvPrefix, m.Nonce[:], m.Box)
	if err != nil {
		return 0, nil, err
	}
	s.opened = text
	if cap(text) > keepScratch {
		s.opened = nil
	}
	var flags byte
	if text[0]&zmtp.CurveFlagMore != 0 {
		flags |= zmtp.FlagMore
	}
	if text[0]&zmtp.CurveFlagCommand != 0 {
		flags = zmtp.FlagCommand
	}
	return flags, text[1:], nil
}
