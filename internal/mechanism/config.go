package mechanism

import (
	"crypto/subtle"

	"github.com/purezmq/zmq/internal/zerr"
)

// Config is a socket's security configuration: which mechanism, which side, which secrets.
// The zero value is NULL.
type Config struct {
	Mechanism string // Null (or ""), Plain or Curve
	Server    bool   // PLAIN_SERVER / CURVE_SERVER

	Username, Password []byte // PLAIN client credentials

	PublicKey [32]byte // CURVE long-term key pair (client and server)
	SecretKey [32]byte
	ServerKey [32]byte // CURVE server's public key (client)

	// Authorize asks the ZAP handler about a client (server side); nil when the context has
	// none. It may return ErrNoZAP.
	Authorize func(ZAPRequest) (ZAPReply, error)
	Domain    string // ZAP_DOMAIN
	// EnforceZAP is ZAP_ENFORCE_DOMAIN: a server whose handshake would consult ZAP refuses the
	// client when no handler runs, instead of going on without one.
	EnforceZAP  bool
	Identity    []byte // the server socket's routing id, for the ZAP request
	PeerAddress string // the client's IP address, set by the engine
	// ReadyFirst makes NULL read the peer's READY before it sends its own (the engine says
	// when: the connecting side); every ZMTP peer sends READY without waiting for ours.
	ReadyFirst bool

	sec secret // SecretKey readied for X25519 by Prepare, shared by the copies of this Config
}

// longTerm returns the long-term secret key readied for X25519: Prepare's, or made now for a
// Config that did not go through it.
func (c *Config) longTerm() secret {
	if c.sec != nil {
		return c.sec
	}
	return newSecret(&c.SecretKey)
}

// Name returns the mechanism name the greeting announces.
func (c Config) Name() string {
	if c.Mechanism == "" {
		return Null
	}
	return c.Mechanism
}

// AsServer is the greeting's as-server flag.
func (c Config) AsServer() bool { return c.Server && c.Mechanism != Null && c.Mechanism != "" }

// Prepare completes and checks a CURVE configuration before any handshake uses it. The public
// key is derived from the secret key when it is not given (libzmq needs the secret key only),
// and one that does not belong to the secret key is refused. A client also needs the server's
// key: with none (all zeros) or a low-order point, the box keys of its HELLO and vouch would be
// public, and a rogue server would learn the client's long-term key; libsodium refuses to send
// such a HELLO, and so does this, before any connection is made.
func (c *Config) Prepare() error {
	if c.Name() != Curve {
		return nil
	}
	side := "client"
	if c.Server {
		side = "server"
	}
	if isZero(c.SecretKey) {
		return zerr.Option("CURVE_SECRETKEY", "not set: a CURVE %s needs its secret key", side)
	}
	tag := prepareTag(c)
	if e, ok := prepared.get(tag); ok {
		c.PublicKey, c.sec = e.pub, e.sec // checked before, with these very keys
		return nil
	}
	sec := newSecret(&c.SecretKey)
	pub := key(sec.PublicKey().Bytes())
	switch {
	case isZero(c.PublicKey):
		c.PublicKey = pub
	case subtle.ConstantTimeCompare(c.PublicKey[:], pub[:]) != 1:
		return zerr.Option("CURVE_PUBLICKEY", "is not the public half of CURVE_SECRETKEY")
	}
	c.sec = sec
	if c.Server {
		prepared.put(tag, preparedKeys{pub, sec})
		return nil
	}
	if isZero(c.ServerKey) {
		return zerr.Option("CURVE_SERVERKEY", "not set: a CURVE client needs the server's public key")
	}
	var shared key
	defer wipe(shared[:])
	if err := sharedKey(&shared, &c.ServerKey, sec); err != nil {
		return zerr.Option("CURVE_SERVERKEY", "is not a usable public key (a low-order point)")
	}
	prepared.put(tag, preparedKeys{pub, sec})
	return nil
}
