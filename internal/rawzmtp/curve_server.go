package rawzmtp

import (
	"errors"

	"golang.org/x/crypto/nacl/box"

	"github.com/purezmq/zmq/zmtp"
)

// CurveServer is a CurveZMQ server taken apart, to play a rogue server against a client.
type CurveServer struct {
	Public  Key // S
	Secret  Key // s
	ClientT Key // C', from HELLO
	TPublic Key // S'
	TSecret Key // s'
	Shared  Key // box key C'<->S'
	Nonce   uint64
}

// OpenHello keeps the client's C' from its HELLO, then checks the box.
func (s *CurveServer) OpenHello(cmd zmtp.Command) error {
	h, err := zmtp.ParseCurveHello(cmd)
	if err != nil {
		return err
	}
	s.ClientT = h.ClientTransient
	k := BoxKey(h.ClientTransient, s.Secret)
	if _, ok := box.OpenAfterPrecomputation(nil, h.Box[:], nonce(zmtp.CurveNonceHello, h.Nonce[:]), &k); !ok {
		return errors.New("rawzmtp: HELLO does not open")
	}
	return nil
}

// Welcome is a WELCOME announcing serverT as S' (the server's own transient when zero), with a
// cookie the client only echoes.
func (s *CurveServer) Welcome(serverT Key) []byte {
	if serverT == (Key{}) {
		s.TPublic, s.TSecret = KeyPair()
		serverT = s.TPublic
	}
	s.Shared = BoxKey(s.ClientT, s.TSecret)
	cookieKey, _ := KeyPair()
	cookie := Cookie(cookieKey, s.ClientT, s.TSecret)
	var w zmtp.CurveWelcome
	n := long()
	copy(w.Nonce[:], n)
	k := BoxKey(s.ClientT, s.Secret)
	box.SealAfterPrecomputation(w.Box[:0], append(serverT[:], cookie[:]...), nonce(zmtp.CurveNonceWelcome, n), &k)
	return w.Append(nil)
}

// OpenInitiate opens the client's INITIATE and returns the long-term key it claims and its
// metadata (the vouch is not checked: a rogue server does not care).
func (s *CurveServer) OpenInitiate(cmd zmtp.Command) (Key, zmtp.Metadata, error) {
	in, err := zmtp.ParseCurveInitiate(cmd)
	if err != nil {
		return Key{}, nil, err
	}
	text, ok := box.OpenAfterPrecomputation(nil, in.Box, nonce(zmtp.CurveNonceInitiate, in.Nonce[:]), &s.Shared)
	if !ok {
		return Key{}, nil, errors.New("rawzmtp: INITIATE does not open")
	}
	var client Key
	copy(client[:], text[:32])
	md, err := zmtp.ParseMetadata(text[32+zmtp.CurveVouchSize:])
	return client, md, err
}

// Ready is the READY command boxed with the session key.
func (s *CurveServer) Ready(md zmtp.Metadata) []byte {
	s.Nonce++
	r := zmtp.CurveReady{Box: box.SealAfterPrecomputation(nil, md.Append(nil), nonce(zmtp.CurveNonceReady, short(s.Nonce)), &s.Shared)}
	copy(r.Nonce[:], short(s.Nonce))
	return r.Append(nil)
}
