// Package auth is a ready ZAP (RFC 27) handler: it binds inproc://zeromq.zap.01 in a context and
// judges every client its server sockets ask about, by ZAP domain, by IP address, by password,
// and by CURVE public key, as czmq's zauth does. It speaks the wire protocol, so it judges
// libzmq-style handshakes exactly as a libzmq-side handler would.
//
// Servers ask about every PLAIN and CURVE client, and about NULL clients when the socket has a
// ZAP domain (WithZAPDomain), as libzmq does; NULL sockets without one are never judged.
//
// Policy, in order, for every mechanism: a denied domain is refused; with a domain allow list, a
// domain not on it is refused; a denied address is refused; with an address allow list, an
// address not on it is refused. Then PLAIN needs a username and password from the table and
// CURVE a public key from the allowed set (or AllowAnyCurve); NULL needs nothing more. Every
// refusal is status 400, which a server's monitor reports as HANDSHAKE_FAILED_AUTH.
package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"sync"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
)

// Endpoint is where a context's ZAP handler binds, as libzmq fixes it (RFC 27).
const Endpoint = "inproc://zeromq.zap.01"

// Authenticator is a ZAP handler (RFC 27), the part czmq's zauth plays for libzmq. Its policy
// may be changed while it runs.
type Authenticator struct {
	mu        sync.Mutex
	allow     map[string]bool
	deny      map[string]bool
	allowDom  map[string]bool
	denyDom   map[string]bool
	passwords map[string]string
	keys      map[curve.PublicKey]bool
	anyCurve  bool

	sock   *zmq.Socket
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns an authenticator with an empty policy: every PLAIN and CURVE client is refused
// until passwords or keys are added.
func New() *Authenticator {
	return &Authenticator{
		allow: map[string]bool{}, deny: map[string]bool{},
		allowDom: map[string]bool{}, denyDom: map[string]bool{},
		passwords: map[string]string{}, keys: map[curve.PublicKey]bool{},
	}
}

// Allow adds IP addresses to the allow list (zauth's ALLOW); once it is not empty, other
// addresses are refused.
func (a *Authenticator) Allow(addrs ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range addrs {
		a.allow[canonical(s)] = true
	}
}

// Deny refuses clients from these IP addresses (zauth's DENY).
func (a *Authenticator) Deny(addrs ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range addrs {
		a.deny[canonical(s)] = true
	}
}

// AllowDomains adds ZAP domains to the domain allow list; once it is not empty, the clients of
// server sockets in other domains (the empty one included) are refused, whatever their
// mechanism.
func (a *Authenticator) AllowDomains(domains ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range domains {
		a.allowDom[d] = true
	}
}

// DenyDomains refuses every client of the server sockets in these ZAP domains, whatever its
// mechanism and address.
func (a *Authenticator) DenyDomains(domains ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range domains {
		a.denyDom[d] = true
	}
}

// SetPassword lets PLAIN clients in with this username and password.
func (a *Authenticator) SetPassword(username, password string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.passwords[username] = password
}

// AllowCurveKeys lets CURVE clients holding these public keys in.
func (a *Authenticator) AllowCurveKeys(keys ...curve.PublicKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range keys {
		a.keys[k] = true
	}
}

// AllowCurveDirectory lets in the CURVE clients whose certificates are in dir (libzmq/czmq
// certificate files, as curve.LoadCertificates reads them).
func (a *Authenticator) AllowCurveDirectory(dir string) error {
	certs, err := curve.LoadCertificates(dir)
	if err != nil {
		return err
	}
	for _, c := range certs {
		a.AllowCurveKeys(c.Public)
	}
	return nil
}

// AllowAnyCurve lets in every CURVE client whatever its key: encryption without
// authentication (zauth's CURVE_ALLOW_ANY). Default off.
func (a *Authenticator) AllowAnyCurve(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.anyCurve = on
}

func canonical(addr string) string {
	if ip := net.ParseIP(addr); ip != nil {
		return ip.String()
	}
	return addr
}

// Start binds the ZAP endpoint in ctx and serves requests until Close.
func (a *Authenticator) Start(ctx *zmq.Context) error {
	s, err := ctx.NewSocket(zmq.REP, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	if err := s.Bind(Endpoint); err != nil {
		s.Close()
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	a.sock, a.cancel, a.done = s, cancel, make(chan struct{})
	go a.serve(runCtx)
	return nil
}

// Close stops serving and unbinds the ZAP endpoint: servers then run without a handler.
func (a *Authenticator) Close() error {
	if a.sock == nil {
		return nil
	}
	a.cancel()
	<-a.done
	err := a.sock.Close()
	a.sock = nil
	return err
}

func (a *Authenticator) serve(ctx context.Context) {
	defer close(a.done)
	for {
		req, err := a.sock.Recv(ctx)
		if err != nil {
			return
		}
		rep := a.handle(req.Frames)
		if err := a.sock.Send(ctx, zmq.NewMsg(rep...)); err != nil && !errors.Is(err, zmq.ErrState) {
			return
		}
	}
}

// handle answers one ZAP request: version, request id, domain, address, identity, mechanism,
// credentials.
func (a *Authenticator) handle(f [][]byte) [][]byte {
	reply := func(id []byte, status, text, user string) [][]byte {
		return [][]byte{[]byte("1.0"), id, []byte(status), []byte(text), []byte(user), nil}
	}
	if len(f) < 6 || string(f[0]) != "1.0" {
		var id []byte
		if len(f) > 1 {
			id = f[1]
		}
		return reply(id, "500", "malformed request", "")
	}
	id, domain, addr, mech, creds := f[1], string(f[2]), canonical(string(f[3])), string(f[5]), f[6:]
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.denyDom[domain] {
		return reply(id, "400", "domain denied", "")
	}
	if len(a.allowDom) > 0 && !a.allowDom[domain] {
		return reply(id, "400", "domain not allowed", "")
	}
	if a.deny[addr] {
		return reply(id, "400", "address denied", "")
	}
	if len(a.allow) > 0 && !a.allow[addr] {
		return reply(id, "400", "address not allowed", "")
	}
	switch mech {
	case "NULL":
		return reply(id, "200", "OK", "")
	case "PLAIN":
		if len(creds) != 2 {
			return reply(id, "400", "malformed PLAIN credentials", "")
		}
		want, ok := a.passwords[string(creds[0])]
		if !ok || subtle.ConstantTimeCompare([]byte(want), creds[1]) != 1 {
			return reply(id, "400", "invalid username or password", "")
		}
		return reply(id, "200", "OK", string(creds[0]))
	case "CURVE":
		if len(creds) != 1 || len(creds[0]) != curve.KeySize {
			return reply(id, "400", "malformed CURVE credentials", "")
		}
		k := curve.PublicKey(creds[0])
		if !a.anyCurve && !a.keys[k] {
			return reply(id, "400", "unknown public key", "")
		}
		return reply(id, "200", "OK", k.Z85())
	}
	return reply(id, "400", "unsupported mechanism", "")
}
