package mechanism

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// Prepare costs two X25519s, and a client socket pays it twice (NewSocket, then the options a
// connection starts with): as much as the handshake's own share, for a program that opens
// sockets with the same keys again and again. So configurations that passed are remembered,
// by a keyed hash of everything the check looked at, never by the secret key itself: the
// hash's key is drawn per process, so a tag says nothing about a key outside it. With the
// public key it keeps the secret key readied for X25519 (see secret): a program that opens a
// socket per connection would otherwise pay a scalar multiplication per handshake for it. It
// holds what the sockets' options hold, no more, and forgets it with the rest.
var prepared = prepareCache{tags: map[[32]byte]preparedKeys{}, mac: randomBytes(32)}

// preparedKeys is what Prepare derived from a configuration that passed.
type preparedKeys struct {
	pub key // the public key that goes with the secret key
	sec secret
}

const preparedMax = 256 // configurations remembered; more and the cache starts afresh

type prepareCache struct {
	mu   sync.Mutex
	tags map[[32]byte]preparedKeys
	mac  []byte
}

// prepareTag names c's keys and side: the check's whole input.
func prepareTag(c *Config) (tag [32]byte) {
	h := hmac.New(sha256.New, prepared.mac)
	side := byte(0)
	if c.Server {
		side = 1
	}
	h.Write([]byte{side})
	h.Write(c.SecretKey[:])
	h.Write(c.PublicKey[:])
	h.Write(c.ServerKey[:])
	h.Sum(tag[:0])
	return tag
}

func (p *prepareCache) get(tag [32]byte) (preparedKeys, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.tags[tag]
	return e, ok
}

func (p *prepareCache) put(tag [32]byte, e preparedKeys) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.tags) >= preparedMax {
		clear(p.tags)
	}
	p.tags[tag] = e
}
