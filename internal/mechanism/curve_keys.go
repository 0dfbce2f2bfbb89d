package mechanism

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"math/big"
	"sync"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/salsa20/salsa"
)

// CurveZMQ's boxes are NaCl crypto_box: X25519 between one side's secret key and the other's
// public key, hashed with HSalsa20 into the box key. nacl/box does the same but takes any point:
// a peer that sends the all-zero key, or another low-order point, makes the X25519 result zero
// and the box key one everybody knows. Every box here takes its key from sharedKey instead,
// which refuses those points as libsodium does.

type key = [32]byte

var errLowOrder = errors.New("low-order public key")

// sharedKey sets dst to the box key between peer's public key and our secret key.
func sharedKey(dst *key, peer, secret *key) error {
	dh, err := curve25519.X25519(secret[:], peer[:])
	if err != nil {
		return errLowOrder
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
func publicKey(secret *key) key {
	var pub key
	p, err := curve25519.X25519(secret[:], curve25519.Basepoint)
	if err != nil {
		panic("mechanism: X25519 of the base point failed: " + err.Error()) // the base point has prime order
	}
	copy(pub[:], p)
	return pub
}

// newTransient draws a fresh transient key pair.
func newTransient() (pub, sec key) {
	var seed key
	defer wipe(seed[:])
	if _, err := rand.Read(seed[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return transientFromSeed(&seed)
}

// transientFromSeed makes a key pair from 32 random bytes the way Ed25519 does, so the public
// half comes from the Edwards curve's fixed-base tables (crypto/ed25519) instead of X25519's
// ladder, several times cheaper; the handshake makes one per connection and side. The secret
// is SHA-512(seed)'s first half, which Ed25519 and X25519 clamp alike, and the Ed25519 public
// key [s]B maps to X25519's [s]9 by u = (1+y)/(1-y) (RFC 7748, 4.1), on public values only.
func transientFromSeed(seed *key) (pub, sec key) {
	h := sha512.Sum512(seed[:])
	defer wipe(h[:])
	copy(sec[:], h[:32])
	priv := ed25519.NewKeyFromSeed(seed[:])
	defer wipe(priv)
	if !edwardsToMontgomery(&pub, priv[32:]) {
		pub = publicKey(&sec) // y = 1 is the identity, never [s]B; kept correct regardless
	}
	return pub, sec
}

// fieldP is 2^255 - 19.
var fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// edwardsToMontgomery sets u to the Montgomery u-coordinate of the Ed25519 public key ed; false
// when it has none (y = 1).
func edwardsToMontgomery(u *key, ed []byte) bool {
	var be key // big-endian y, the sign bit of x cleared
	for i := range be {
		be[i] = ed[31-i]
	}
	be[0] &= 0x7f
	y := new(big.Int).SetBytes(be[:])
	one := big.NewInt(1)
	den := new(big.Int).Sub(one, y)
	den.Mod(den, fieldP)
	if den.ModInverse(den, fieldP) == nil {
		return false
	}
	num := new(big.Int).Add(one, y)
	num.Mul(num, den).Mod(num, fieldP)
	num.FillBytes(be[:])
	for i := range u {
		u[i] = be[31-i]
	}
	return true
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
