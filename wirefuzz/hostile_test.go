package wirefuzz_test

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// Budgets per input: they keep an execution short and keep every hostile message within the
// socket's default RCVHWM (1000), so a socket that never reads (PUSH, REQ) still reads the
// connection to its end instead of stalling on credit.
const (
	maxOps    = 128
	maxFrames = 600
	maxBytes  = 2 << 20
)

// hostile is the fuzzer's peer: it plays the rest of an input against the socket and records
// what it put on the wire, for the checks.
type hostile struct {
	t  testing.TB
	p  *rawzmtp.Peer
	st setup
	k  *keyring
	s  *src

	honest    bool // every byte so far is what an honest peer sends, and every reply was the right one
	refused   bool // the socket refused the honest handshake (wrong credentials): nothing may pass
	broken    bool // a write failed: the socket hung up
	inTraffic bool

	written []byte // every byte written, greeting included
	pending []byte // coalesced writes not yet made
	traffic []byte // what was written after the handshake: the reference's input when honest

	// CURVE: the session the honest handshake set up, and every plaintext sealed in it.
	shared     rawzmtp.Key
	prefix     string
	nonce      uint64          // last short nonce used
	startNonce uint64          // the last one of the handshake
	sealed     map[string]bool // message frames
	plain      [][]byte        // every frame sealed, commands included

	ops    int
	frames int // whole frames in the traffic so far, each at most one message (count)
	walked int // how far count has read the traffic
	seq    int
	sync   func(*hostile) // waits until what was sent whole is delivered (op 14)
}

func newHostile(t testing.TB, p *rawzmtp.Peer, st setup, k *keyring, s *src) *hostile {
	return &hostile{t: t, p: p, st: st, k: k, s: s, honest: true, sealed: map[string]bool{}}
}

// write puts b on the wire, unless the socket has hung up. A socket that stops reading for
// rawzmtp.Timeout is a hang: the budgets keep every input within what it must read.
func (h *hostile) write(b []byte) {
	if h.broken || len(b) == 0 {
		return
	}
	h.written = append(h.written, b...)
	if h.inTraffic {
		h.traffic = append(h.traffic, b...)
		h.count()
		if h.st.coalesce {
			// Ops run together in few writes, so the socket reads several in one go.
			if h.pending = append(h.pending, b...); len(h.pending) >= 64<<10 {
				h.flush()
			}
			return
		}
	}
	h.put(b)
}

// count reads the frames the traffic holds whole, as the socket will: a header that declares
// more than was sent, or raw bytes, can make one op many frames. Each frame is at most one
// message, and the budget keeps them below RCVHWM.
func (h *hostile) count() {
	for {
		b := h.traffic[h.walked:]
		if len(b) < 2 || b[0]&^7 != 0 {
			return // wait for more, or the socket drops the connection here
		}
		size, n := uint64(b[1]), 2
		if b[0]&zmtp.FlagLong != 0 {
			if len(b) < 9 {
				return
			}
			size, n = binary.BigEndian.Uint64(b[1:9]), 9
		}
		if size > uint64(len(b)-n) {
			return
		}
		h.walked += n + int(size)
		h.frames++
	}
}

// flush writes what coalescing has held back.
func (h *hostile) flush() {
	if len(h.pending) > 0 && !h.broken {
		h.put(h.pending)
	}
	h.pending = h.pending[:0]
}

func (h *hostile) put(b []byte) {
	if err := h.p.Write(b); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			h.t.Fatalf("hang: the socket stopped reading the hostile connection (%d bytes written)", len(h.written))
		}
		h.broken = true
	}
}

// edit returns what to send in place of the honest bytes b: b itself, or b flipped, cut,
// doubled or replaced, as the next byte says. Anything but b makes the peer blind: it reads no
// reply any more and only writes.
func (h *hostile) edit(b []byte) []byte {
	b = append([]byte(nil), b...)
	switch e := h.s.u8(); e % 8 {
	case 4:
		i := h.s.u16() % len(b)
		b[i] ^= h.s.u8() | 1
	case 5:
		b = b[:h.s.u16()%len(b)]
	case 6:
		b = append(b, b...)
	case 7:
		b = h.s.take(int(h.s.u8()))
	default:
		return b
	}
	h.honest = false
	return b
}

// expect reads the socket's next handshake command while the exchange is honest: it must come,
// and be want (or ERROR, when the plan's credentials are wrong).
func (h *hostile) expect(want string) (zmtp.Command, bool) {
	if !h.honest {
		return zmtp.Command{}, false
	}
	cmd, err := h.p.ReadCommand()
	if err != nil {
		h.t.Fatalf("honest handshake: waiting for %s: %v", want, err)
	}
	if cmd.Name == zmtp.CmdError && h.st.wrong {
		h.honest, h.refused = false, true
		return cmd, false
	}
	if cmd.Name != want {
		h.t.Fatalf("honest handshake: got %s (%q), want %s", cmd.Name, cmd.Data, want)
	}
	return cmd, true
}

// meta is the hostile peer's metadata: a socket type the socket accepts, and maybe an identity.
func (h *hostile) meta() zmtp.Metadata {
	b := h.s.u8()
	peers := compatible[h.st.typ]
	md := zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(peers[int(b&0x7f)%len(peers)].String())}}
	if b&0x80 != 0 {
		md = append(md, zmtp.Property{Name: zmtp.PropIdentity, Value: h.s.take(int(h.s.u8() % 16))})
	}
	return md
}

// compatible lists the peer types each socket type talks to.
var compatible = map[zmq.Type][]zmq.Type{
	zmq.PAIR: {zmq.PAIR}, zmq.REQ: {zmq.REP, zmq.ROUTER}, zmq.REP: {zmq.REQ, zmq.DEALER},
	zmq.DEALER: {zmq.DEALER, zmq.ROUTER, zmq.REP}, zmq.ROUTER: {zmq.DEALER, zmq.REQ, zmq.ROUTER},
	zmq.PUB: {zmq.SUB, zmq.XSUB}, zmq.SUB: {zmq.PUB, zmq.XPUB}, zmq.XPUB: {zmq.SUB, zmq.XSUB},
	zmq.XSUB: {zmq.PUB, zmq.XPUB}, zmq.PUSH: {zmq.PULL}, zmq.PULL: {zmq.PUSH},
}

// handshake plays the greeting and the mechanism's commands, each honest or edited.
func (h *hostile) handshake() {
	fServer := h.st.mech != mechNull && !h.st.server
	g := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: h.st.mech.String(), AsServer: fServer}.Append(nil)
	h.write(h.edit(g))
	if h.honest {
		if _, err := h.p.ReadGreeting(); err != nil {
			h.t.Fatalf("honest handshake: the socket's greeting: %v", err)
		}
	}
	switch {
	case h.st.mech == mechNull:
		h.write(h.edit(zmtp.AppendReady(nil, h.meta())))
		h.expect(zmtp.CmdReady)
	case h.st.mech == mechPlain && !fServer:
		pass := "secret"
		if h.st.wrong {
			pass = "guess"
		}
		h.write(h.edit(zmtp.AppendPlainHello(nil, []byte(hostileUser), []byte(pass))))
		h.expect(zmtp.CmdWelcome)
		h.write(h.edit(zmtp.AppendPlainInitiate(nil, h.meta())))
		h.expect(zmtp.CmdReady)
	case h.st.mech == mechPlain:
		h.expect(zmtp.CmdHello)
		welcome := zmtp.AppendPlainWelcome(nil)
		if h.st.wrong {
			welcome = zmtp.AppendError(nil, "400")
			h.honest = false
		}
		h.write(h.edit(welcome))
		h.expect(zmtp.CmdInitiate)
		h.write(h.edit(zmtp.AppendReady(nil, h.meta())))
	case !fServer:
		h.curveClient()
	default:
		h.curveServer()
	}
	h.startNonce = h.nonce
	h.inTraffic = true
}

func (h *hostile) curveClient() {
	pub, sec := h.k.hostilePub, h.k.hostileSec
	if h.st.wrong {
		pub, sec = rawzmtp.KeyPair() // a key the ZAP handler does not know
	}
	c := rawzmtp.NewCurveClient(h.k.serverPub, pub, sec)
	h.write(h.edit(c.Hello()))
	if cmd, ok := h.expect(zmtp.CmdWelcome); ok {
		if err := c.OpenWelcome(cmd); err != nil {
			h.t.Fatalf("honest handshake: %v", err)
		}
	}
	h.write(h.edit(c.HonestInitiate(h.meta())))
	if cmd, ok := h.expect(zmtp.CmdReady); ok {
		if _, err := c.OpenReady(cmd); err != nil {
			h.t.Fatalf("honest handshake: %v", err)
		}
	}
	h.shared, h.prefix, h.nonce = c.Shared, zmtp.CurveNonceMessageClient, c.Nonce
}

func (h *hostile) curveServer() {
	srv := &rawzmtp.CurveServer{Public: h.k.serverPub, Secret: h.k.serverSec}
	if h.st.wrong {
		_, srv.Secret = rawzmtp.KeyPair() // not the secret half of the key the socket expects
	}
	if cmd, ok := h.expect(zmtp.CmdHello); ok {
		if err := srv.OpenHello(cmd); err != nil {
			if !h.st.wrong {
				h.t.Fatalf("honest handshake: %v", err)
			}
			h.honest = false
		}
	}
	h.write(h.edit(srv.Welcome(rawzmtp.Key{})))
	if cmd, ok := h.expect(zmtp.CmdInitiate); ok {
		if key, _, err := srv.OpenInitiate(cmd); err != nil || key != h.k.clientPub {
			h.t.Fatalf("honest handshake: INITIATE: %v (key %x, want %x)", err, key[:4], h.k.clientPub[:4])
		}
	}
	h.write(h.edit(srv.Ready(h.meta())))
	h.shared, h.prefix, h.nonce = srv.Shared, zmtp.CurveNonceMessageServer, srv.Nonce
}

// accepted reports whether the socket took the handshake: it was honest to the end and
// every reply was the right one.
func (h *hostile) accepted() bool { return h.honest && !h.refused && !h.broken }

// frame encodes one frame as the mechanism carries it: as is, or sealed in a MESSAGE under CURVE.
func (h *hostile) frame(flags byte, body []byte) []byte {
	if h.st.mech != mechCurve {
		return zmtp.AppendFrame(nil, flags, body)
	}
	var cf byte
	if flags&zmtp.FlagMore != 0 {
		cf |= zmtp.CurveFlagMore
	}
	if flags&zmtp.FlagCommand != 0 {
		cf = zmtp.CurveFlagCommand
	} else {
		h.sealed[string(body)] = true
	}
	h.plain = append(h.plain, body)
	h.nonce++
	return rawzmtp.SealFrame(&h.shared, h.prefix, h.nonce, cf, body)
}

// fill is a frame body of n bytes: the first from the input (so a plan can start a frame with
// a subscription byte), the rest a pattern that differs from frame to frame.
func (h *hostile) fill(n int) []byte {
	first := h.s.u8()
	h.seq++
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(h.seq*131 + i*7)
	}
	if n > 0 {
		b[0] = first
	}
	return b
}

// spec is a frame before encoding, so a repeated op can seal it again under a fresh nonce.
type spec struct {
	flags byte
	body  []byte
}

func (h *hostile) encode(fs []spec) []byte {
	var out []byte
	for _, f := range fs {
		out = append(out, h.frame(f.flags, f.body)...)
	}
	return out
}

func (h *hostile) message(n int, last byte) []spec {
	fs := make([]spec, n)
	for i := range fs {
		fs[i] = spec{zmtp.FlagMore, h.fill(size(h.s.u8()))}
	}
	fs[n-1].flags = last
	return fs
}

func cmd(name string, data []byte) []spec {
	return []spec{{zmtp.FlagCommand, append(append([]byte{byte(len(name))}, name...), data...)}}
}

// longForm re-encodes a frame's header in the 8-byte form, whatever its size.
func longForm(frame []byte) []byte {
	flags, size, n, err := zmtp.ParseFrameHeader(frame, -1)
	if err != nil {
		return frame
	}
	out := binary.BigEndian.AppendUint64([]byte{flags | zmtp.FlagLong}, uint64(size))
	return append(out, frame[n:]...)
}

// play plays the ops of the rest of the input: messages, commands and frames of every shape.
func (h *hostile) play() {
	var last func() []byte // the last op again: the same frames, sealed afresh under CURVE
	for !h.s.empty() && !h.broken && h.ops < maxOps && h.frames < maxFrames && len(h.written) < maxBytes {
		h.ops++
		o := h.s.u8()
		arg := o >> 4
		var fs []spec  // frames to encode, or
		var raw []byte // bytes to write as they are
		switch o & 15 {
		case 1:
			ttl := uint16(h.s.u16())
			fs = cmd(zmtp.CmdPing, append(binary.BigEndian.AppendUint16(nil, ttl), h.s.take(int(h.s.u8()%20))...))
		case 2:
			fs = cmd(zmtp.CmdPong, h.s.take(int(h.s.u8()%20)))
		case 3:
			fs = cmd(zmtp.CmdSubscribe, h.s.take(int(h.s.u8()%24)))
		case 4:
			fs = cmd(zmtp.CmdCancel, h.s.take(int(h.s.u8()%24)))
		case 5:
			reason := h.s.take(int(h.s.u8() % 20))
			if arg&1 == 0 {
				reason = append([]byte{byte(len(reason))}, reason...)
			}
			fs = cmd(zmtp.CmdError, reason)
		case 6: // a command of any name, letters or not
			name := h.s.take(1 + int(h.s.u8()%12))
			if len(name) == 0 {
				name = []byte("X")
			}
			fs = cmd(string(name), h.s.take(int(h.s.u8()%32)))
		case 7: // a raw frame: any flags byte, reserved bits included, never sealed
			flags := h.s.u8()
			body := h.fill(size(h.s.u8()))
			if flags&zmtp.FlagLong != 0 {
				raw = binary.BigEndian.AppendUint64([]byte{flags}, uint64(len(body)))
			} else {
				body = body[:min(len(body), 255)]
				raw = []byte{flags, byte(len(body))}
			}
			raw = append(raw, body...)
		case 8: // a header declaring more than is ever sent
			decl := uint64(size(h.s.u8())) + 1
			if arg&1 != 0 {
				decl = huge[int(h.s.u8())%len(huge)]
			}
			sent := min(decl-1, uint64(size(h.s.u8())))
			raw = binary.BigEndian.AppendUint64([]byte{zmtp.FlagLong | (arg>>1)&zmtp.FlagMore}, decl)
			raw = append(raw, h.fill(int(sent))...)
		case 9:
			raw = longForm(h.frame(arg&zmtp.FlagMore, h.fill(size(h.s.u8())%256)))
		case 10:
			raw = h.s.take(int(h.s.u8()))
		case 11:
			if last == nil {
				continue
			}
			n := 1 + int(h.s.u8())*4
			for i := 0; i < n && !h.broken && len(h.written) < maxBytes && h.frames < maxFrames; i++ {
				h.write(last())
			}
			continue
		case 12: // a message left open: every frame says MORE
			fs = h.message(1+int(arg&3), zmtp.FlagMore)
		case 13:
			raw = h.edgeCase(arg)
		case 14:
			if !h.st.coalesce {
				fs = h.message(1+int(arg&3), 0)
				break
			}
			// A write boundary, and a pause until the socket has delivered what came
			// whole: the next bytes then find the application reading the connection itself.
			h.flush()
			if h.sync != nil {
				h.sync(h)
			}
			continue
		default:
			fs = h.message(1+int(arg&3), 0)
		}
		if fs != nil {
			last = func() []byte { return h.encode(fs) }
		} else {
			last = func() []byte { return raw }
		}
		h.write(last())
	}
	h.flush()
}

// edgeCase is op 13: under CURVE a nonce or box that must be refused, or a nonce jump that must
// not be; otherwise a message in subscription form.
func (h *hostile) edgeCase(arg byte) []byte {
	if h.st.mech != mechCurve {
		topic := append([]byte{arg & 1}, h.s.take(int(h.s.u8()%16))...)
		return h.frame(0, topic)
	}
	switch arg & 3 {
	case 0: // the same nonce again
		h.nonce--
		return h.frame(0, h.fill(size(h.s.u8())))
	case 1: // a jump forward is fine: nonces need only increase
		h.nonce += 1 << 32
		return h.frame(0, h.fill(size(h.s.u8())))
	case 2: // a frame not sealed at all
		return zmtp.AppendFrame(nil, 0, h.fill(size(h.s.u8())))
	default: // a sealed frame with one byte changed
		b := h.frame(0, h.fill(size(h.s.u8())))
		b[h.s.u16()%len(b)] ^= 0x20
		return b
	}
}
