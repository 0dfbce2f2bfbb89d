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
// hash's key is drawn per process, so a tag says nothing about a key outside it.
var prepared = prepareCache{tags: map[[32]byte]key{}, mac: randomBytes(32)}

const preparedMax = 256 // configurations remembered; more and the cache starts afresh

type prepareCache struct {
	mu   sync.Mutex
	tags map[[32]byte]key // tag -> the public key that goes with the secret key
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

func (p *prepareCache) get(tag [32]byte) (key, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pub, ok := p.tags[tag]
	return pub, ok
}

func (p *prepareCache) put(tag [32]byte, pub key) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.tags) >= preparedMax {
		clear(p.tags)
	}
	p.tags[tag] = pub
}
