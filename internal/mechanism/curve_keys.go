package mechanism

import (
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"sync"

	"golang.org/x/crypto/salsa20/salsa"
)

// CurveZMQ's boxes are NaCl crypto_box: X25519 between one side's secret key and the other's
// public key, hashed with HSalsa20 into the box key. nacl/box does the same but takes any point:
// a peer that sends the all-zero key, or another low-order point, makes the X25519 result zero
// and the box key one everybody knows. Every box here takes its key from sharedKey instead,
// which refuses those points as libsodium does.

type key = [32]byte

var errLowOrder = errors.New("low-order public key")

// secret is a secret key ready for X25519. crypto/ecdh derives a private key's public half
// when it makes one, a whole scalar multiplication as dear as the X25519 itself, and
// x/crypto's curve25519.X25519 makes one per call: so each secret key becomes a secret once,
// and every X25519 with it after that costs one multiplication, not two.
type secret = *ecdh.PrivateKey

// newSecret readies a 32-byte secret key for X25519.
func newSecret(sec *key) secret {
	p, err := ecdh.X25519().NewPrivateKey(sec[:])
	if err != nil {
		panic("mechanism: a 32-byte X25519 key refused: " + err.Error()) // only its length is checked
	}
	return p
}

// sharedKey sets dst to the box key between peer's public key and our secret key.
func sharedKey(dst *key, peer *key, sec secret) error {
	pub, err := ecdh.X25519().NewPublicKey(peer[:])
	if err != nil {
		return errLowOrder
	}
	dh, err := sec.ECDH(pub)
	if err != nil {
		return errLowOrder // all zeros: a low-order point
	}
	var k key
	copy(k[:], dh)
	wipe(dh)
	var zero [16]byte
	salsa.HSalsa20(dst, &zero, &k, &salsa.Sigma)
	wipe(k[:])
	return nil
}

// publicKey derives the public half of a secret key.
func publicKey(sec *key) key {
	return key(newSecret(sec).PublicKey().Bytes())
}

// newTransient draws a fresh transient key pair.
func newTransient() (pub key, sec secret) {
	sec, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return key(sec.PublicKey().Bytes()), sec
}

// together runs f and g at once and returns f's error, then g's. An X25519 costs far more than
// a goroutine, and a handshake's independent ones then take the time of one where a second
// core is free; a handshake is a chain of them waiting on each other, so this is its critical
// path. g has ended when together returns.
func together(f, g func() error) (error, error) {
	join := start(g)
	ef := f()
	return ef, join()
}

// start runs f in a goroutine of its own; join waits for it to end and returns its error, as
// often as called. Whoever starts must join on every path (a defer), so nothing outlives the
// handshake or reads a secret after it is wiped.
func start(f func() error) (join func() error) {
	done := make(chan error, 1)
	go func() { done <- f() }()
	return sync.OnceValue(func() error { return <-done })
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

func isZero(k key) bool {
	var acc byte
	for _, b := range k {
		acc |= b
	}
	return acc == 0
}

// wipe zeroes secrets once they are no longer needed, so they do not linger in memory.
func wipe(b []byte) { clear(b) }

// nonce builds a 24-byte box nonce from a prefix and a short or long nonce.
func nonce(prefix string, n []byte) *[24]byte {
	var out [24]byte
	copy(out[copy(out[:], prefix):], n)
	return &out
}
