package rawzmtp

import (
	"crypto/rand"
	"encoding/binary"
	"errors"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"

	"github.com/purezmq/zmq/zmtp"
)

// Key is a Curve25519 key.
type Key = [32]byte

// KeyPair draws a key pair.
func KeyPair() (pub, sec Key) {
	if _, err := rand.Read(sec[:]); err != nil {
		panic(err)
	}
	return Public(sec), sec
}

// Public derives a public key; it never fails, whatever the scalar.
func Public(sec Key) Key {
	var pub Key
	curve25519.ScalarBaseMult(&pub, &sec)
	return pub
}

// BoxKey is NaCl's crypto_box key between a public and a secret key, computed without any check,
// as an attacker computes it: a low-order public key gives a key everybody knows.
func BoxKey(pub, sec Key) Key {
	var k Key
	box.Precompute(&k, &pub, &sec)
	return k
}

// LowOrder lists encodings of Curve25519 points of small order: with any of them as a public
// key, X25519 gives zero, and the box key is HSalsa20 of zero.
var LowOrder = []Key{
	{},  // 0
	{1}, // 1
	hexKey("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"), // order 8
	hexKey("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"), // order 8
	hexKey("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p - 1
	hexKey("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p
	hexKey("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p + 1
}

func hexKey(s string) Key {
	var k Key
	for i := range k {
		k[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return k
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

func nonce(prefix string, n []byte) *[24]byte {
	var out [24]byte
	copy(out[copy(out[:], prefix):], n)
	return &out
}

func short(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func long() []byte {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// Cookie seals C' and s' under cookieKey as a CURVE server would.
func Cookie(cookieKey, clientTransient, serverTransientSecret Key) [zmtp.CurveCookieSize]byte {
	n := long()
	var c [zmtp.CurveCookieSize]byte
	copy(c[:], secretbox.Seal(n, append(clientTransient[:], serverTransientSecret[:]...), nonce(zmtp.CurveNonceCookie, n), &cookieKey))
	return c
}

// Vouch is Box[C' + S](C->S'), sealed with the key between clientSecret and serverTransient.
func Vouch(clientSecret, serverTransient, clientTransient, server Key) []byte {
	k := BoxKey(serverTransient, clientSecret)
	n := long()
	return box.SealAfterPrecomputation(n, append(clientTransient[:], server[:]...), nonce(zmtp.CurveNonceVouch, n), &k)
}

// CurveClient is a CurveZMQ client taken apart, each step a call, so a test can change any of
// them. Its fields are public for the same reason.
type CurveClient struct {
	Server       Key // S
	Public       Key // C
	Secret       Key // c
	TPublic      Key // C'
	TSecret      Key // c'
	ServerT      Key // S', from WELCOME
	CookieEcho   [zmtp.CurveCookieSize]byte
	Shared       Key    // box key C'<->S'
	Nonce        uint64 // last short nonce sent
	PeerNonce    uint64 // last short nonce received
	WelcomePlain []byte
}

// NewCurveClient returns a client with long-term keys pub/sec for server, and a fresh transient.
func NewCurveClient(server, pub, sec Key) *CurveClient {
	c := &CurveClient{Server: server, Public: pub, Secret: sec}
	c.TPublic, c.TSecret = KeyPair()
	return c
}

func (c *CurveClient) next() []byte { c.Nonce++; return short(c.Nonce) }

// Hello is the HELLO command frame, boxed with the key between C' and S.
func (c *CurveClient) Hello() []byte { return c.HelloBoxedWith(BoxKey(c.Server, c.TSecret)) }

// HelloBoxedWith is a HELLO whose box is sealed with k, whatever C' is.
func (c *CurveClient) HelloBoxedWith(k Key) []byte {
	h := zmtp.CurveHello{Major: 1, Minor: 0, ClientTransient: c.TPublic}
	n := c.next()
	copy(h.Nonce[:], n)
	var zeros [64]byte
	box.SealAfterPrecomputation(h.Box[:0], zeros[:], nonce(zmtp.CurveNonceHello, n), &k)
	return h.Append(nil)
}

// OpenWelcome opens the server's WELCOME and keeps S', the cookie and the session key.
func (c *CurveClient) OpenWelcome(cmd zmtp.Command) error {
	w, err := zmtp.ParseCurveWelcome(cmd)
	if err != nil {
		return err
	}
	k := BoxKey(c.Server, c.TSecret)
	plain, ok := box.OpenAfterPrecomputation(nil, w.Box[:], nonce(zmtp.CurveNonceWelcome, w.Nonce[:]), &k)
	if !ok {
		return errors.New("rawzmtp: WELCOME does not open")
	}
	c.WelcomePlain = plain
	copy(c.ServerT[:], plain[:32])
	copy(c.CookieEcho[:], plain[32:])
	c.Shared = BoxKey(c.ServerT, c.TSecret)
	return nil
}

// Initiate is the INITIATE frame carrying cookie, the claimed long-term key, vouch and
// metadata, boxed with the session key.
func (c *CurveClient) Initiate(cookie [zmtp.CurveCookieSize]byte, claimed Key, vouch []byte, md zmtp.Metadata) []byte {
	text := append(append(claimed[:], vouch...), md.Append(nil)...)
	var in zmtp.CurveInitiate
	in.Cookie = cookie
	n := c.next()
	copy(in.Nonce[:], n)
	in.Box = box.SealAfterPrecomputation(nil, text, nonce(zmtp.CurveNonceInitiate, n), &c.Shared)
	return in.Append(nil)
}

// HonestInitiate is INITIATE as an honest client sends it.
func (c *CurveClient) HonestInitiate(md zmtp.Metadata) []byte {
	return c.Initiate(c.CookieEcho, c.Public, Vouch(c.Secret, c.ServerT, c.TPublic, c.Server), md)
}

// OpenReady opens READY and returns the server's metadata.
func (c *CurveClient) OpenReady(cmd zmtp.Command) (zmtp.Metadata, error) {
	r, err := zmtp.ParseCurveReady(cmd)
	if err != nil {
		return nil, err
	}
	md, ok := box.OpenAfterPrecomputation(nil, r.Box, nonce(zmtp.CurveNonceReady, r.Nonce[:]), &c.Shared)
	if !ok {
		return nil, errors.New("rawzmtp: READY does not open")
	}
	c.PeerNonce = binary.BigEndian.Uint64(r.Nonce[:])
	return zmtp.ParseMetadata(md)
}

// Message is a MESSAGE frame with the next short nonce.
func (c *CurveClient) Message(more bool, body []byte) []byte {
	c.Nonce++
	return c.MessageAt(c.Nonce, more, body)
}

// MessageAt is a MESSAGE frame with short nonce n, whatever was sent before.
func (c *CurveClient) MessageAt(n uint64, more bool, body []byte) []byte {
	return SealMessage(&c.Shared, zmtp.CurveNonceMessageClient, n, more, body)
}

// OpenMessage opens a MESSAGE frame body from the server.
func (c *CurveClient) OpenMessage(body []byte) (more bool, payload []byte, err error) {
	return OpenMessage(&c.Shared, zmtp.CurveNonceMessageServer, body)
}

// SealMessage builds a MESSAGE frame (without the COMMAND flag, as libzmq sends it).
func SealMessage(k *Key, prefix string, n uint64, more bool, body []byte) []byte {
	flags := byte(0)
	if more {
		flags = zmtp.CurveFlagMore
	}
	return SealFrame(k, prefix, n, flags, body)
}

// SealFrame is SealMessage with the box's flags byte as given (CurveFlagMore, CurveFlagCommand,
// or anything else a test wants to try).
func SealFrame(k *Key, prefix string, n uint64, flags byte, body []byte) []byte {
	sealed := box.SealAfterPrecomputation(nil, append([]byte{flags}, body...), nonce(prefix, short(n)), k)
	data := append(short(n), sealed...)
	cmd := append([]byte{byte(len(zmtp.CmdMessage))}, zmtp.CmdMessage...)
	return zmtp.AppendFrame(nil, 0, append(cmd, data...))
}

// OpenMessage opens a MESSAGE frame body sealed under prefix.
func OpenMessage(k *Key, prefix string, body []byte) (more bool, payload []byte, err error) {
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		return false, nil, err
	}
	m, err := zmtp.ParseCurveMessage(cmd)
	if err != nil {
		return false, nil, err
	}
	text, ok := box.OpenAfterPrecomputation(nil, m.Box, nonce(prefix, m.Nonce[:]), k)
	if !ok {
		return false, nil, errors.New("rawzmtp: MESSAGE does not open")
	}
	return text[0]&zmtp.CurveFlagMore != 0, text[1:], nil
}
