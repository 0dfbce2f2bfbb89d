package mechanism

import (
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"

	"github.com/purezmq/zmq/zmtp"
)

// curveServer is CurveZMQ's server side. Its cookie key and transient key pair are drawn for
// this connection alone and forgotten when the handshake ends, so a cookie opens only on the
// connection that issued it, and only with both transient keys it was issued for: a cookie
// forged, or replayed from another connection, fails (libzmq does the same). The cookie then
// saves nothing, but RFC 26's client echoes it, so it stays on the wire.
func curveServer(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	// HELLO: proves the client knows our public key.
	cmd, err := expect(t, zmtp.CmdHello)
	if err != nil {
		return Result{}, err
	}
	h, err := zmtp.ParseCurveHello(cmd)
	if err != nil {
		return Result{}, malformed(ProtoMalformedHello, err)
	}
	if h.Major != zmtp.CurveMajor || h.Minor != zmtp.CurveMinor {
		return Result{}, protoErr(ProtoMalformedHello, "CurveZMQ version %d.%d, want 1.0", h.Major, h.Minor)
	}
	var helloKey key // C'<->S
	defer wipe(helloKey[:])
	if err := sharedKey(&helloKey, &h.ClientTransient, cfg.longTerm()); err != nil {
		return Result{}, protoErr(ProtoCryptographic, "HELLO carries a low-order transient key")
	}
	if _, ok := box.OpenAfterPrecomputation(nil, h.Box[:], nonce(zmtp.CurveNonceHello, h.Nonce[:]), &helloKey); !ok {
		// The client holds another server key: a failed authentication, to the caller.
		return Result{}, fmt.Errorf("%w: %w", ErrAuth, protoErr(ProtoCryptographic, "HELLO does not open with our key"))
	}

	// WELCOME: S' and the cookie Box[C' + s'](K).
	spub, ssec := spares.serverTransient()
	ssecBytes := ssec.Bytes() // s', in the cookie
	defer wipe(ssecBytes)
	var cookieKey key
	copy(cookieKey[:], randomBytes(len(cookieKey)))
	defer wipe(cookieKey[:])
	state := append(h.ClientTransient[:], ssecBytes...)
	cn := randomBytes(zmtp.CurveLongNonceSize)
	cookie := secretbox.Seal(cn, state, nonce(zmtp.CurveNonceCookie, cn), &cookieKey)
	wipe(state)
	var w zmtp.CurveWelcome
	wn := randomBytes(zmtp.CurveLongNonceSize)
	copy(w.Nonce[:], wn)
	box.SealAfterPrecomputation(w.Box[:0], append(spub[:], cookie...), nonce(zmtp.CurveNonceWelcome, wn), &helloKey)
	if err := t.WriteCommand(w.Append(nil)); err != nil {
		return Result{}, err
	}
	// The message key is made while the client makes its INITIATE.
	s := &curveCodec{sendPrefix: zmtp.CurveNonceMessageServer, recvPrefix: zmtp.CurveNonceMessageClient}
	joinShared := start(func() error { return sharedKey(&s.shared, &h.ClientTransient, ssec) })
	defer joinShared() // nothing outlives the handshake

	// INITIATE: the cookie must be the one we issued, then the vouch must bind C' to C.
	if cmd, err = expect(t, zmtp.CmdInitiate); err != nil {
		return Result{}, err
	}
	in, err := zmtp.ParseCurveInitiate(cmd)
	if err != nil {
		return Result{}, malformed(ProtoMalformedInitiate, err)
	}
	state, ok := secretbox.Open(nil, in.Cookie[16:], nonce(zmtp.CurveNonceCookie, in.Cookie[:16]), &cookieKey)
	if !ok {
		return Result{}, protoErr(ProtoCryptographic, "INITIATE cookie does not open")
	}
	same := subtle.ConstantTimeCompare(state[:32], h.ClientTransient[:]) & subtle.ConstantTimeCompare(state[32:], ssecBytes)
	wipe(state)
	if same != 1 {
		return Result{}, protoErr(ProtoCryptographic, "INITIATE cookie is not this connection's")
	}
	if err := joinShared(); err != nil {
		return Result{}, protoErr(ProtoCryptographic, "HELLO carries a low-order transient key")
	}
	text, err := s.openBox("INITIATE", zmtp.CurveNonceInitiate, in.Nonce[:], in.Box)
	if err != nil {
		return Result{}, err
	}
	var client key // C, the client's long-term key
	copy(client[:], text[:32])
	if err := checkVouch(text[32:32+zmtp.CurveVouchSize], &client, ssec, &h.ClientTransient, &cfg.PublicKey); err != nil {
		return Result{}, err
	}
	meta, err := zmtp.ParseMetadata(text[32+zmtp.CurveVouchSize:])
	if err != nil {
		return Result{}, malformed(ProtoInvalidMetadata, err)
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
	spares.refillServer()
	s.keyMessages()
	return zapResult(Result{Meta: meta, Codec: s}, zap), nil
}

// checkVouch opens the vouch Box[C' + S](C->S') with the client's long-term key and checks that
// it names this connection's client transient key and our long-term key.
func checkVouch(vouch []byte, client *key, ssec secret, cpub, server *key) error {
	var k key
	defer wipe(k[:])
	if err := sharedKey(&k, client, ssec); err != nil {
		return fmt.Errorf("%w: %w", ErrAuth, protoErr(ProtoCryptographic, "the client's long-term key is a low-order point"))
	}
	vt, ok := box.OpenAfterPrecomputation(nil, vouch[16:], nonce(zmtp.CurveNonceVouch, vouch[:16]), &k)
	if !ok || len(vt) != 64 {
		return fmt.Errorf("%w: %w", ErrAuth, protoErr(ProtoCryptographic, "INITIATE vouch does not open with the client's key"))
	}
	if subtle.ConstantTimeCompare(vt[:32], cpub[:])&subtle.ConstantTimeCompare(vt[32:], server[:]) != 1 {
		return fmt.Errorf("%w: %w", ErrAuth, protoErr(ProtoKeyExchange, "INITIATE vouch is for another key"))
	}
	return nil
}
