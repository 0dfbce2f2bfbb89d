package attack_test

import (
	"crypto/rand"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// forgeSession is the impersonation of review finding 1: knowing only the server's and the
// victim's public keys, the attacker seals its own cookie under cookieKey around a server
// transient secret it chose, so it can compute every box the server will check, the vouch
// included (the vouch's key is X25519(s', C), and the attacker holds s'). It returns the peer
// after sending HELLO, INITIATE and one MESSAGE.
func forgeSession(t *testing.T, ct *curveTarget, cookieKey rawzmtp.Key) *rawzmtp.Peer {
	t.Helper()
	p := ct.dial(t, "CURVE")
	c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, rawzmtp.Key{})
	must(t, p.Write(c.Hello()))
	if _, err := p.Expect(zmtp.CmdWelcome); err != nil {
		t.Fatal(err)
	}
	sT, sTsec := rawzmtp.KeyPair() // the server transient the attacker makes up
	cookie := rawzmtp.Cookie(cookieKey, c.TPublic, sTsec)
	c.ServerT, c.Shared = sT, rawzmtp.BoxKey(sT, c.TSecret)
	vouchKeyHolder := sTsec // X25519(s', C) = X25519(c, S'): no victim secret needed
	vouch := rawzmtp.Vouch(vouchKeyHolder, ct.victimPub, c.TPublic, ct.serverPub)
	blind(p, c.Initiate(cookie, ct.victimPub, vouch, pushMeta))
	blind(p, c.Message(false, []byte("forged")))
	return p
}

// TestForgedCookieZeroKey: a cookie sealed with the all-zero key, the server's key before its
// first rotation on the old code, lets anyone in as the victim. It must not open.
func TestForgedCookieZeroKey(t *testing.T) {
	ct := newCurveTarget(t, zmq.PULL)
	p := forgeSession(t, ct, rawzmtp.Key{})
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
}

// TestForgedCookieRandomKey: nor one sealed with a key the attacker drew.
func TestForgedCookieRandomKey(t *testing.T) {
	ct := newCurveTarget(t, zmq.PULL)
	k, _ := rawzmtp.KeyPair()
	p := forgeSession(t, ct, k)
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
}

// TestRandomCookie: random bytes in place of the cookie, from a client holding the right keys.
func TestRandomCookie(t *testing.T) {
	ct := newCurveTarget(t, zmq.PULL)
	p := ct.dial(t, "CURVE")
	c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, ct.victimSec)
	welcome(t, p, c)
	var cookie [zmtp.CurveCookieSize]byte
	rand.Read(cookie[:])
	blind(p, c.Initiate(cookie, c.Public, rawzmtp.Vouch(c.Secret, c.ServerT, c.TPublic, c.Server), pushMeta))
	blind(p, c.Message(false, []byte("random cookie")))
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
}

// TestCookieFromAnotherConnection: a cookie issued on one connection, returned on another by
// a client that reuses its transient key, must not open there: a cookie binds its connection.
func TestCookieFromAnotherConnection(t *testing.T) {
	ct := newCurveTarget(t, zmq.PULL)
	first := ct.dial(t, "CURVE")
	c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, ct.victimSec)
	welcome(t, first, c)
	cookie, serverT := c.CookieEcho, c.ServerT

	second := ct.dial(t, "CURVE")
	welcome(t, second, c)
	// INITIATE with the first connection's cookie, boxed for the first connection's S'.
	c.ServerT, c.Shared = serverT, rawzmtp.BoxKey(serverT, c.TSecret)
	blind(second, c.Initiate(cookie, c.Public, rawzmtp.Vouch(c.Secret, serverT, c.TPublic, c.Server), pushMeta))
	blind(second, c.Message(false, []byte("cookie of another connection")))
	ct.refusedWith(t, second, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
}
