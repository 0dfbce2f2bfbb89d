package mechanism

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"

	"github.com/purezmq/zmq/zmtp"
)

// CURVE (RFC 25, CurveZMQ RFC 26). Short nonces are 8-byte big-endian counters, one per
// direction, starting at 1 as libzmq's do; every received one must exceed the last.

type key = [32]byte

// nonce builds a 24-byte box nonce from a prefix and a short or long nonce.
func nonce(prefix string, n []byte) *[24]byte {
	var out [24]byte
	copy(out[copy(out[:], prefix):], n)
	return &out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

// cookieKeys is the server's cookie key K (RFC 26): shared by all connections so the server
// holds nothing per client between WELCOME and INITIATE, and replaced every cookieLife so a
// captured cookie soon opens nothing. The previous key is kept for handshakes in flight.
var cookieKeys struct {
	sync.Mutex
	cur, prev key
	since     time.Time
}

const cookieLife = time.Minute

func currentCookieKey() key {
	cookieKeys.Lock()
	defer cookieKeys.Unlock()
	if time.Since(cookieKeys.since) > cookieLife {
		cookieKeys.prev = cookieKeys.cur
		copy(cookieKeys.cur[:], randomBytes(32))
		cookieKeys.since = time.Now()
	}
	return cookieKeys.cur
}

func cookieKeyCandidates() [2]key {
	cookieKeys.Lock()
	defer cookieKeys.Unlock()
	return [2]key{cookieKeys.cur, cookieKeys.prev}
}

func curveClient(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	cpub, csec, err := box.GenerateKey(rand.Reader) // C', c'
	if err != nil {
		return Result{}, err
	}
	s := &curveCodec{sendPrefix: zmtp.CurveNonceMessageClient, recvPrefix: zmtp.CurveNonceMessageServer}

	// HELLO: C' and Box[64 zeros](C'->S).
	h := zmtp.CurveHello{Major: zmtp.CurveMajor, Minor: zmtp.CurveMinor, ClientTransient: *cpub}
	short := s.nextNonce()
	copy(h.Nonce[:], short[:])
	var zeros [64]byte
	box.Seal(h.Box[:0], zeros[:], nonce(zmtp.CurveNonceHello, short[:]), &cfg.ServerKey, csec)
	if err := t.WriteCommand(h.Append(nil)); err != nil {
		return Result{}, err
	}

	// WELCOME: Box[S' + cookie](S->C'). A wrong server key fails here.
	cmd, err := expect(t, zmtp.CmdWelcome)
	if err != nil {
		return Result{}, err
	}
	w, err := zmtp.ParseCurveWelcome(cmd)
	if err != nil {
		return Result{}, protocol(err)
	}
	plain, ok := box.Open(nil, w.Box[:], nonce(zmtp.CurveNonceWelcome, w.Nonce[:]), &cfg.ServerKey, csec)
	if !ok {
		return Result{}, fmt.Errorf("%w: WELCOME does not open with the server key", ErrAuth)
	}
	var spub key
	copy(spub[:], plain[:32])
	box.Precompute(&s.shared, &spub, csec)

	// INITIATE: cookie, then Box[C + vouch + metadata](C'->S'), vouch = Box[C' + S](C->S').
	vn := randomBytes(zmtp.CurveLongNonceSize)
	vouchText := append(append(make([]byte, 0, 64), cpub[:]...), cfg.ServerKey[:]...)
	vouch := box.Seal(vn, vouchText, nonce(zmtp.CurveNonceVouch, vn), &spub, &cfg.SecretKey)
	text := append(append(cfg.PublicKey[:], vouch...), md.Append(nil)...)
	var in zmtp.CurveInitiate
	copy(in.Cookie[:], plain[32:])
	short = s.nextNonce()
	copy(in.Nonce[:], short[:])
	in.Box = box.SealAfterPrecomputation(nil, text, nonce(zmtp.CurveNonceInitiate, short[:]), &s.shared)
	if err := t.WriteCommand(in.Append(nil)); err != nil {
		return Result{}, err
	}

	// READY: Box[metadata](S'->C').
	if cmd, err = expect(t, zmtp.CmdReady); err != nil {
		return Result{}, err
	}
	r, err := zmtp.ParseCurveReady(cmd)
	if err != nil {
		return Result{}, protocol(err)
	}
	if !s.acceptNonce(r.Nonce[:]) {
		return Result{}, fmt.Errorf("%w: READY nonce", ErrProtocol)
	}
	mdText, ok := box.OpenAfterPrecomputation(nil, r.Box, nonce(zmtp.CurveNonceReady, r.Nonce[:]), &s.shared)
	if !ok {
		return Result{}, fmt.Errorf("%w: READY does not open", ErrProtocol)
	}
	meta, err := zmtp.ParseMetadata(mdText)
	if err != nil {
		return Result{}, protocol(err)
	}
	return Result{Meta: meta, Codec: s}, nil
}

func curveServer(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	// HELLO: proves the client knows our public key.
	cmd, err := expect(t, zmtp.CmdHello)
	if err != nil {
		return Result{}, err
	}
	h, err := zmtp.ParseCurveHello(cmd)
	if err != nil {
		return Result{}, protocol(err)
	}
	if h.Major != zmtp.CurveMajor {
		return Result{}, fmt.Errorf("%w: CurveZMQ version %d.%d", ErrProtocol, h.Major, h.Minor)
	}
	if _, ok := box.Open(nil, h.Box[:], nonce(zmtp.CurveNonceHello, h.Nonce[:]), &h.ClientTransient, &cfg.SecretKey); !ok {
		return Result{}, fmt.Errorf("%w: HELLO does not open with our key", ErrAuth)
	}

	// WELCOME: S' and the cookie Box[C' + s'](K); s' is forgotten until INITIATE returns it.
	spub, ssec, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return Result{}, err
	}
	cn := randomBytes(zmtp.CurveLongNonceSize)
	k := currentCookieKey()
	cookie := secretbox.Seal(cn, append(h.ClientTransient[:], ssec[:]...), nonce(zmtp.CurveNonceCookie, cn), &k)
	var w zmtp.CurveWelcome
	wn := randomBytes(zmtp.CurveLongNonceSize)
	copy(w.Nonce[:], wn)
	box.Seal(w.Box[:0], append(spub[:], cookie...), nonce(zmtp.CurveNonceWelcome, wn), &h.ClientTransient, &cfg.SecretKey)
	*ssec = key{}
	if err := t.WriteCommand(w.Append(nil)); err != nil {
		return Result{}, err
	}

	// INITIATE: recover C' and s' from the cookie, then check the vouch binds C' to C.
	if cmd, err = expect(t, zmtp.CmdInitiate); err != nil {
		return Result{}, err
	}
	in, err := zmtp.ParseCurveInitiate(cmd)
	if err != nil {
		return Result{}, protocol(err)
	}
	var state []byte
	for _, k := range cookieKeyCandidates() {
		var ok bool
		if state, ok = secretbox.Open(nil, in.Cookie[16:], nonce(zmtp.CurveNonceCookie, in.Cookie[:16]), &k); ok {
			break
		}
	}
	if state == nil {
		return Result{}, fmt.Errorf("%w: INITIATE cookie does not open", ErrProtocol)
	}
	var cpub, ssec2 key
	copy(cpub[:], state[:32])
	copy(ssec2[:], state[32:])
	if subtle.ConstantTimeCompare(cpub[:], h.ClientTransient[:]) != 1 {
		return Result{}, fmt.Errorf("%w: INITIATE cookie is for another client", ErrProtocol)
	}
	s := &curveCodec{sendPrefix: zmtp.CurveNonceMessageServer, recvPrefix: zmtp.CurveNonceMessageClient}
	box.Precompute(&s.shared, &cpub, &ssec2)
	if !s.acceptNonce(in.Nonce[:]) {
		return Result{}, fmt.Errorf("%w: INITIATE nonce", ErrProtocol)
	}
	text, ok := box.OpenAfterPrecomputation(nil, in.Box, nonce(zmtp.CurveNonceInitiate, in.Nonce[:]), &s.shared)
	if !ok {
		return Result{}, fmt.Errorf("%w: INITIATE does not open", ErrProtocol)
	}
	var client key // C, the client's long-term key
	copy(client[:], text[:32])
	vouch := text[32 : 32+zmtp.CurveVouchSize]
	vt, ok := box.Open(nil, vouch[16:], nonce(zmtp.CurveNonceVouch, vouch[:16]), &client, &ssec2)
	if !ok || len(vt) != 64 ||
		subtle.ConstantTimeCompare(vt[:32], cpub[:]) != 1 ||
		subtle.ConstantTimeCompare(vt[32:], cfg.PublicKey[:]) != 1 {
		return Result{}, fmt.Errorf("%w: INITIATE vouch is not valid", ErrAuth)
	}
	meta, err := zmtp.ParseMetadata(text[32+zmtp.CurveVouchSize:])
	if err != nil {
		return Result{}, protocol(err)
	}
	zap, err := authorize(cfg, t, Curve, client[:])
	if err != nil {
		return Result{}, err
	}

	// READY: Box[metadata](S'->C').
	var r zmtp.CurveReady
	short := s.nextNonce()
	copy(r.Nonce[:], short[:])
	r.Box = box.SealAfterPrecomputation(nil, md.Append(nil), nonce(zmtp.CurveNonceReady, short[:]), &s.shared)
	if err := t.WriteCommand(r.Append(nil)); err != nil {
		return Result{}, err
	}
	return zapResult(Result{Meta: meta, Codec: s}, zap), nil
}

// curveCodec seals and opens MESSAGE commands for one connection. Seal is called by the writer
// goroutine only and Open by the reader only, so the two counters need no lock.
type curveCodec struct {
	shared     key // precomputed from the transient keys
	sendPrefix string
	recvPrefix string
	sent       uint64 // last short nonce sent
	recvd      uint64 // last short nonce received
	scratch    []byte // Seal's plaintext
}

// nextNonce returns the next short nonce to send: strictly increasing, never reused.
func (s *curveCodec) nextNonce() [8]byte {
	s.sent++
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], s.sent)
	return n
}

// acceptNonce checks that a peer's short nonce exceeds every one before it (replay defence).
func (s *curveCodec) acceptNonce(n []byte) bool {
	v := binary.BigEndian.Uint64(n)
	if v <= s.recvd {
		return false
	}
	s.recvd = v
	return true
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
	if cap(s.scratch) > 64<<10 {
		s.scratch = nil
	}
	return dst
}

// Open decodes one MESSAGE command body into the frame it carries.
func (s *curveCodec) Open(body []byte) (byte, []byte, error) {
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		return 0, nil, protocol(err)
	}
	m, err := zmtp.ParseCurveMessage(cmd)
	if err != nil {
		return 0, nil, protocol(err)
	}
	if !s.acceptNonce(m.Nonce[:]) {
		return 0, nil, fmt.Errorf("%w: MESSAGE nonce not increasing", ErrProtocol)
	}
	var n [24]byte
	copy(n[copy(n[:], s.recvPrefix):], m.Nonce[:])
	text, ok := box.OpenAfterPrecomputation(nil, m.Box, &n, &s.shared)
	if !ok {
		return 0, nil, fmt.Errorf("%w: MESSAGE does not open", ErrProtocol)
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
