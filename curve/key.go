package curve

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq/z85"
	"golang.org/x/crypto/curve25519"
)

// KeySize is the size of a public or secret key in bytes.
const KeySize = 32

// Text sizes of a key.
const (
	z85KeyLen = 40
	hexKeyLen = 64
)

// Sentinel errors; compare with errors.Is.
var (
	// ErrInvalidKey means key text is neither 40 characters of Z85 nor 64 of
	// hex, or does not decode.
	ErrInvalidKey = errors.New("curve: invalid key")

	// ErrKeyMismatch means a secret key does not derive the public key it is
	// paired with.
	ErrKeyMismatch = errors.New("curve: secret key does not match public key")

	// ErrCertificate means certificate text is malformed or lacks a key.
	ErrCertificate = errors.New("curve: malformed certificate")
)

// PublicKey is a Curve25519 public key.
type PublicKey [KeySize]byte

// SecretKey is a Curve25519 secret key. Its String method does not reveal
// it; call Z85 to get its text form.
type SecretKey [KeySize]byte

// GenerateKeyPair returns a new random key pair, as zmq_curve_keypair does.
// random is the entropy source; nil means crypto/rand.Reader.
func GenerateKeyPair(random io.Reader) (PublicKey, SecretKey, error) {
	if random == nil {
		random = rand.Reader
	}
	var sk SecretKey
	if _, err := io.ReadFull(random, sk[:]); err != nil {
		return PublicKey{}, SecretKey{}, fmt.Errorf("curve: generating key pair: %w", err)
	}
	return sk.Public(), sk, nil
}

// Public derives the public key of sk, as zmq_curve_public does.
func (sk SecretKey) Public() PublicKey {
	out, err := curve25519.X25519(sk[:], curve25519.Basepoint)
	if err != nil {
		// X25519 only fails for an all-zero result, which a clamped scalar
		// times the base point cannot give.
		panic("curve: deriving public key: " + err.Error())
	}
	return PublicKey(out)
}

// String returns the key in Z85, the form ZMQ_CURVE_SERVERKEY accepts.
func (pk PublicKey) String() string { return pk.Z85() }

// Z85 returns the key as 40 characters of Z85.
func (pk PublicKey) Z85() string { return encodeKey(pk) }

// Hex returns the key as 64 lower-case hex digits.
func (pk PublicKey) Hex() string { return hex.EncodeToString(pk[:]) }

// MarshalText implements encoding.TextMarshaler with the Z85 form.
func (pk PublicKey) MarshalText() ([]byte, error) { return []byte(pk.Z85()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, accepting what
// ParsePublicKey accepts.
func (pk *PublicKey) UnmarshalText(text []byte) error {
	k, err := parseKey(string(text))
	if err != nil {
		return err
	}
	*pk = k
	return nil
}

// String hides the key so that logging a configuration cannot leak it.
func (sk SecretKey) String() string { return "curve.SecretKey(redacted)" }

// GoString hides the key from %#v as well.
func (sk SecretKey) GoString() string { return sk.String() }

// Z85 returns the key as 40 characters of Z85, the form ZMQ_CURVE_SECRETKEY
// accepts.
func (sk SecretKey) Z85() string { return encodeKey(sk) }

// Hex returns the key as 64 lower-case hex digits.
func (sk SecretKey) Hex() string { return hex.EncodeToString(sk[:]) }

// UnmarshalText implements encoding.TextUnmarshaler, accepting what
// ParseSecretKey accepts. (There is no MarshalText: writing a secret key out
// should be a deliberate call to Z85.)
func (sk *SecretKey) UnmarshalText(text []byte) error {
	k, err := parseKey(string(text))
	if err != nil {
		return err
	}
	*sk = k
	return nil
}

// ParsePublicKey parses a public key from 40 characters of Z85 or 64 hex
// digits (either case). Surrounding whitespace is not accepted.
func ParsePublicKey(s string) (PublicKey, error) {
	k, err := parseKey(s)
	return PublicKey(k), err
}

// ParseSecretKey parses a secret key from 40 characters of Z85 or 64 hex
// digits (either case).
func ParseSecretKey(s string) (SecretKey, error) {
	k, err := parseKey(s)
	return SecretKey(k), err
}

func encodeKey[K PublicKey | SecretKey](k K) string {
	var buf [z85KeyLen]byte
	raw := [KeySize]byte(k)
	if _, err := z85.Encode(buf[:], raw[:]); err != nil {
		panic("curve: " + err.Error()) // 32 is a multiple of 4
	}
	return string(buf[:])
}

// parseKey never quotes the text in its errors: it may be a secret key.
func parseKey(s string) ([KeySize]byte, error) {
	var k [KeySize]byte
	switch len(s) {
	case z85KeyLen:
		if _, err := z85.Decode(k[:], []byte(s)); err != nil {
			for _, kind := range []error{z85.ErrInvalidChar, z85.ErrOverflow} {
				if errors.Is(err, kind) {
					return [KeySize]byte{}, fmt.Errorf("%w: %w", ErrInvalidKey, kind)
				}
			}
			return [KeySize]byte{}, fmt.Errorf("%w: not valid Z85", ErrInvalidKey)
		}
	case hexKeyLen:
		if _, err := hex.Decode(k[:], []byte(s)); err != nil {
			return [KeySize]byte{}, fmt.Errorf("%w: not valid hex", ErrInvalidKey)
		}
	default:
		return k, fmt.Errorf("%w: %d characters, want 40 (Z85) or 64 (hex)", ErrInvalidKey, len(s))
	}
	return k, nil
}
