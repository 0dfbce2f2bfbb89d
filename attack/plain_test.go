package attack_test

import (
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/zmtp"
)

// plainTarget is a PLAIN server whose handler knows alice's password only.
func plainTarget(t *testing.T) *server {
	t.Helper()
	zc := newContext(t)
	a := auth.New()
	a.SetPassword("alice", "secret")
	must(t, a.Start(zc))
	t.Cleanup(func() { a.Close() })
	return newServer(t, zc, zmq.PULL, zmq.WithPlainServer(true))
}

// TestPlainWrongPassword: refused with ERROR 400 instead of WELCOME; what the client sends
// after its HELLO, blindly, is never delivered.
func TestPlainWrongPassword(t *testing.T) {
	s := plainTarget(t)
	p := s.dial(t, "PLAIN")
	must(t, p.Write(zmtp.AppendPlainHello(nil, []byte("alice"), []byte("guess"))))
	cmd, err := p.Expect(zmtp.CmdError)
	must(t, err)
	if reason, _ := zmtp.ParseError(cmd); reason != "400" {
		t.Fatalf("ERROR %q, want 400", reason)
	}
	_ = p.Write(zmtp.AppendPlainInitiate(nil, spoofMeta("PUSH")))
	_ = p.WriteFrame(0, []byte("uninvited"))
	s.refusedWith(t, p, zmq.EventHandshakeFailedAuth, 400)
	nothingQueued(t, s.sock)
}

// TestPlainSkipsHello: an INITIATE, or a message, without HELLO.
func TestPlainSkipsHello(t *testing.T) {
	for name, first := range map[string][]byte{
		"INITIATE first": zmtp.AppendPlainInitiate(nil, spoofMeta("PUSH")),
		"READY first":    zmtp.AppendReady(nil, spoofMeta("PUSH")),
		"message first":  zmtp.AppendFrame(nil, 0, []byte("uninvited")),
	} {
		t.Run(name, func(t *testing.T) {
			s := plainTarget(t)
			p := s.dial(t, "PLAIN")
			_ = p.Write(first)
			e := s.outcome(t, p)
			if e.Type != zmq.EventHandshakeFailedProtocol {
				t.Fatalf("handshake ended with %v", e)
			}
			nothingQueued(t, s.sock)
		})
	}
}

// TestPlainMalformedHello: a username longer than the command.
func TestPlainMalformedHello(t *testing.T) {
	s := plainTarget(t)
	p := s.dial(t, "PLAIN")
	must(t, p.WriteCommand("HELLO", []byte{200, 'a', 'l'}))
	s.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPMalformedHello)
	nothingQueued(t, s.sock)
}

// TestMechanismDowngrade: a client offering NULL or PLAIN to a CURVE server is refused at the
// greeting, before any command.
func TestMechanismDowngrade(t *testing.T) {
	for _, mech := range []string{"NULL", "PLAIN"} {
		t.Run(mech, func(t *testing.T) {
			ct := newCurveTarget(t, zmq.PULL)
			p := ct.dial(t, mech)
			// The server may hang up before these arrive: the attacker writes blindly.
			_ = p.Write(zmtp.AppendReady(nil, spoofMeta("PUSH")))
			_ = p.WriteFrame(0, []byte("downgraded"))
			ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPMechanismMismatch)
			nothingQueued(t, ct.sock)
		})
	}
}
