package mechanism

import (
	"fmt"

	"golang.org/x/crypto/nacl/box"

	"github.com/purezmq/zmq/internal/zerr"
	"github.com/purezmq/zmq/zmtp"
)

// CURVE (RFC 25, CurveZMQ RFC 26), the client side: HELLO proves we know the server's key,
// WELCOME brings the server's transient key and a cookie, INITIATE returns the cookie with our
// long-term key vouching for our transient one, READY ends it.
func curveClient(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	if isZero(cfg.ServerKey) {
		// Prepare refuses this configuration; checked again so no HELLO can leave with it.
		return Result{}, zerr.Option("CURVE_SERVERKEY", "is not a usable public key")
	}
	hs, err := spares.clientHello(&cfg.ServerKey)
	if err != nil {
		return Result{}, zerr.Option("CURVE_SERVERKEY", "is not a usable public key")
	}
	defer hs.wipe()
	cpub, csec, helloKey := &hs.pub, hs.sec, &hs.hello // C', c', C'<->S
	s := &curveCodec{sendPrefix: zmtp.CurveNonceMessageClient, recvPrefix: zmtp.CurveNonceMessageServer}

	h := zmtp.CurveHello{Major: zmtp.CurveMajor, Minor: zmtp.CurveMinor, ClientTransient: *cpub}
	short := s.nextNonce()
	copy(h.Nonce[:], short[:])
	var zeros [64]byte
	box.SealAfterPrecomputation(h.Box[:0], zeros[:], nonce(zmtp.CurveNonceHello, short[:]), helloKey)
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
		return Result{}, malformed(ProtoMalformedWelcome, err)
	}
	plain, ok := box.OpenAfterPrecomputation(nil, w.Box[:], nonce(zmtp.CurveNonceWelcome, w.Nonce[:]), helloKey)
	if !ok {
		return Result{}, fmt.Errorf("%w: %w", ErrAuth, protoErr(ProtoCryptographic, "WELCOME does not open with the server key"))
	}
	var spub key // S'
	copy(spub[:], plain[:32])
	// INITIATE: cookie, then Box[C + vouch + metadata](C'->S'), vouch = Box[C' + S](C->S').
	var vouchKey key
	defer wipe(vouchKey[:])
	e1, e2 := together(
		func() error { return sharedKey(&s.shared, &spub, csec) },
		func() error { return sharedKey(&vouchKey, &spub, cfg.longTerm()) })
	if e1 != nil || e2 != nil {
		return Result{}, protoErr(ProtoCryptographic, "WELCOME carries a low-order transient key")
	}
	vn := randomBytes(zmtp.CurveLongNonceSize)
	vouchText := append(append(make([]byte, 0, 64), cpub[:]...), cfg.ServerKey[:]...)
	vouch := box.SealAfterPrecomputation(vn, vouchText, nonce(zmtp.CurveNonceVouch, vn), &vouchKey)
	text := append(append(cfg.PublicKey[:], vouch...), md.Append(nil)...)
	var in zmtp.CurveInitiate
	copy(in.Cookie[:], plain[32:])
	short = s.nextNonce()
	copy(in.Nonce[:], short[:])
	in.Box = box.SealAfterPrecomputation(nil, text, nonce(zmtp.CurveNonceInitiate, short[:]), &s.shared)
	if err := t.WriteCommand(in.Append(nil)); err != nil {
		return Result{}, err
	}
	// Our X25519s are done: the next connection's are made while the server checks the vouch.
	spares.refillClient(cfg.ServerKey)

	// READY: Box[metadata](S'->C').
	if cmd, err = expect(t, zmtp.CmdReady); err != nil {
		return Result{}, err
	}
	r, err := zmtp.ParseCurveReady(cmd)
	if err != nil {
		return Result{}, malformed(ProtoMalformedReady, err)
	}
	mdText, err := s.openBox("READY", zmtp.CurveNonceReady, r.Nonce[:], r.Box)
	if err != nil {
		return Result{}, err
	}
	meta, err := zmtp.ParseMetadata(mdText)
	if err != nil {
		return Result{}, malformed(ProtoInvalidMetadata, err)
	}
	s.keyMessages()
	return Result{Meta: meta, Codec: s}, nil
}
