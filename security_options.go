package zmq

import (
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/zerr"
)

// ErrAuth reports a failed authentication, as a monitor event's Err: a ZAP handler refused the
// peer (HANDSHAKE_FAILED_AUTH with the status, on both sides: a client learns it from the
// server's ERROR), or a CURVE peer's box did not open with the keys it claims
// (HANDSHAKE_FAILED_PROTOCOL, ProtocolErrorZMTPCryptographic; it matches ErrProtocol too). A
// CURVE client given the wrong server key cannot tell: the server hangs up without a word, as
// libzmq's does, so the client sees HANDSHAKE_FAILED_NO_DETAIL (ErrHandshake) and retries, and
// only the server reports ErrAuth. ErrMechanism (HANDSHAKE_FAILED_PROTOCOL,
// ProtocolErrorZMTPMechanismMismatch) is a peer using another mechanism. Both match
// ErrHandshake.
var (
	ErrAuth      = engine.ErrAuth      // authentication failed
	ErrMechanism = engine.ErrMechanism // the peer uses another security mechanism
)

// Security options. A socket uses the NULL mechanism (no security) unless one of these is
// given; both peers must use the same mechanism, one as server and one as client, or the
// connection is refused before any message passes. The last mechanism option given wins.

// WithPlainServer sets ZMQ_PLAIN_SERVER: this socket is the PLAIN (RFC 24) server side, asking
// its context's ZAP handler (see package auth) about each client's username and password.
// Without a handler it refuses every client, as libzmq 4.3.4 does: a password nobody checks
// protects nothing. Default false.
func WithPlainServer(on bool) Option {
	return func(o *socketOptions) error {
		if on {
			resetSecurity(o, mechanism.Plain).Server = true
		} else if o.Security.Mechanism == mechanism.Plain && o.Security.Server {
			resetSecurity(o, mechanism.Null)
		}
		return nil
	}
}

// WithPlainUsername sets ZMQ_PLAIN_USERNAME and makes this socket a PLAIN client: at most 255
// bytes, sent in clear text. Default: none.
func WithPlainUsername(name string) Option {
	return func(o *socketOptions) error {
		if len(name) > 255 {
			return zerr.Option("PLAIN_USERNAME", "%d bytes, at most 255", len(name))
		}
		plainClient(o).Username = []byte(name)
		return nil
	}
}

// WithPlainPassword sets ZMQ_PLAIN_PASSWORD and makes this socket a PLAIN client: at most 255
// bytes, sent in clear text. Default: none.
func WithPlainPassword(password string) Option {
	return func(o *socketOptions) error {
		if len(password) > 255 {
			return zerr.Option("PLAIN_PASSWORD", "%d bytes, at most 255", len(password))
		}
		plainClient(o).Password = []byte(password)
		return nil
	}
}

func plainClient(o *socketOptions) *mechanism.Config {
	if o.Security.Mechanism != mechanism.Plain || o.Security.Server {
		resetSecurity(o, mechanism.Plain)
	}
	return &o.Security
}

// WithCurveServer sets ZMQ_CURVE_SERVER: this socket is the CURVE (RFC 25/26) server side, its
// long-term key pair given by WithCurvePublicKey and WithCurveSecretKey. Default false.
func WithCurveServer(on bool) Option {
	return func(o *socketOptions) error {
		if !on {
			if o.Security.Mechanism == mechanism.Curve {
				o.Security.Server = false
			}
			return nil
		}
		curveConfig(o).Server = true
		return nil
	}
}

// WithCurvePublicKey sets ZMQ_CURVE_PUBLICKEY: this socket's long-term public key, on a client
// or a server. Default: none.
func WithCurvePublicKey(k curve.PublicKey) Option {
	return func(o *socketOptions) error { curveConfig(o).PublicKey = k; return nil }
}

// WithCurveSecretKey sets ZMQ_CURVE_SECRETKEY: this socket's long-term secret key, on a client
// or a server. Default: none.
func WithCurveSecretKey(k curve.SecretKey) Option {
	return func(o *socketOptions) error { curveConfig(o).SecretKey = k; return nil }
}

// WithCurveServerKey sets ZMQ_CURVE_SERVERKEY: the public key of the server a CURVE client
// talks to. A server that does not hold its secret half hangs up on the HELLO: the client's
// monitor reports HANDSHAKE_FAILED_NO_DETAIL and it retries, the server's reports ErrAuth (see
// ErrAuth). Default: none.
func WithCurveServerKey(k curve.PublicKey) Option {
	return func(o *socketOptions) error { curveConfig(o).ServerKey = k; return nil }
}

func curveConfig(o *socketOptions) *mechanism.Config {
	if o.Security.Mechanism != mechanism.Curve {
		resetSecurity(o, mechanism.Curve)
	}
	return &o.Security
}

// resetSecurity switches to mechanism mech, forgetting the last one's settings but keeping the
// ZAP domain.
func resetSecurity(o *socketOptions, mech string) *mechanism.Config {
	o.Security = mechanism.Config{Mechanism: mech, Domain: o.Security.Domain, EnforceZAP: o.Security.EnforceZAP}
	return &o.Security
}

// WithZAPDomain sets ZMQ_ZAP_DOMAIN: the domain a PLAIN or CURVE server names in its ZAP
// requests, so one handler can apply different policies to different sockets. At most 255
// bytes. Default "".
func WithZAPDomain(domain string) Option {
	return func(o *socketOptions) error {
		if len(domain) > 255 {
			return zerr.Option("ZAP_DOMAIN", "%d bytes, at most 255", len(domain))
		}
		o.Security.Domain = domain
		return nil
	}
}

// WithZAPEnforceDomain sets ZMQ_ZAP_ENFORCE_DOMAIN (a draft option in libzmq 4.3): a server that
// would consult ZAP — PLAIN, CURVE, or NULL with a ZAP domain or this option — refuses every
// client while no ZAP handler runs, instead of going on without one (libzmq's CURVE and NULL
// default; PLAIN always refuses). Default false.
func WithZAPEnforceDomain(on bool) Option {
	return func(o *socketOptions) error { o.Security.EnforceZAP = on; return nil }
}

// securityOption is WithOption for the security options; false when id is not one of them.
func securityOption(id OptionID, value any) (Option, bool) {
	fail := func(format string, args ...any) (Option, bool) {
		err := zerr.Option(id.String(), format, args...)
		return func(*socketOptions) error { return err }, true
	}
	switch id {
	case OptPlainServer, OptCurveServer, OptZAPEnforceDomain:
		b, ok := asBool(value)
		if !ok {
			return fail("want a bool or 0/1, got %v", value)
		}
		switch id {
		case OptPlainServer:
			return WithPlainServer(b), true
		case OptZAPEnforceDomain:
			return WithZAPEnforceDomain(b), true
		}
		return WithCurveServer(b), true
	case OptPlainUsername, OptPlainPassword, OptZAPDomain:
		var s string
		switch v := value.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			return fail("want string or []byte, got %T", value)
		}
		switch id {
		case OptPlainUsername:
			return WithPlainUsername(s), true
		case OptZAPDomain:
			return WithZAPDomain(s), true
		}
		return WithPlainPassword(s), true
	case OptCurvePublicKey, OptCurveSecretKey, OptCurveServerKey:
		// libzmq takes 32 raw bytes or 40 characters of Z85.
		var k [curve.KeySize]byte
		switch v := value.(type) {
		case []byte:
			if len(v) != curve.KeySize {
				return fail("want %d bytes, got %d", curve.KeySize, len(v))
			}
			copy(k[:], v)
		case string:
			pk, err := curve.ParsePublicKey(v)
			if err != nil {
				return fail("%v", err)
			}
			k = pk
		case curve.PublicKey:
			k = v
		case curve.SecretKey:
			k = v
		default:
			return fail("want a key as []byte or Z85 string, got %T", value)
		}
		switch id {
		case OptCurvePublicKey:
			return WithCurvePublicKey(k), true
		case OptCurveSecretKey:
			return WithCurveSecretKey(k), true
		}
		return WithCurveServerKey(k), true
	}
	return nil, false
}
