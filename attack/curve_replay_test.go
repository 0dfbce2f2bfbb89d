package attack_test

import (
	"bytes"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// TestReplayRecordedSession is review finding 2: an eavesdropper who recorded a real client's
// HELLO, INITIATE and MESSAGE sends the same bytes again on a new connection. The server must
// refuse it at INITIATE (the cookie was issued to another connection) and deliver nothing again.
func TestReplayRecordedSession(t *testing.T) {
	ct := newCurveTarget(t, zmq.PULL)
	rec := newRecorder(t, ct.ep[len("tcp://"):])
	victim := ct.victim(t, zmq.PUSH)
	must(t, victim.Connect(rec.endpoint()))
	ctx, cancel := contextIO()
	defer cancel()
	must(t, victim.Send(ctx, zmq.NewMsgString("pay alice 100")))
	if m := recv(t, ct.sock); string(m.Frames[0]) != "pay alice 100" {
		t.Fatalf("got %q", m.Frames)
	}

	replay, err := rawzmtp.Dial(ct.ep)
	must(t, err)
	defer replay.Close()
	blind(replay, rec.recorded())
	ct.refusedWith(t, replay, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
}

// established runs an honest handshake with the victim's keys from a raw client, and checks the
// server took it; the client's MESSAGE nonces start after INITIATE's.
func established(t *testing.T, ct *curveTarget) (*rawzmtp.Peer, *rawzmtp.CurveClient) {
	t.Helper()
	p := ct.dial(t, "CURVE")
	c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, ct.victimSec)
	welcome(t, p, c)
	must(t, p.Write(c.HonestInitiate(zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PAIR")}})))
	r, err := p.Expect(zmtp.CmdReady)
	must(t, err)
	_, err = c.OpenReady(r)
	must(t, err)
	if e := ct.outcome(t, p); e.Type != zmq.EventHandshakeSucceeded {
		t.Fatalf("honest handshake: %v", e)
	}
	return p, c
}

func expectMsg(t *testing.T, s *zmq.Socket, want string) {
	t.Helper()
	if m := recv(t, s); string(m.Frames[0]) != want {
		t.Fatalf("got %q, want %q", m.Frames, want)
	}
}

// TestReplayedMessage: a MESSAGE sent twice within its session (an on-path attacker copying
// it) is refused the second time and the connection dropped.
func TestReplayedMessage(t *testing.T) {
	ct := newCurveTarget(t, zmq.PAIR)
	p, c := established(t, ct)
	frame := c.Message(false, []byte("once"))
	must(t, p.Write(frame))
	expectMsg(t, ct.sock, "once")
	blind(p, frame)
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPInvalidSequence)
	nothingQueued(t, ct.sock)
}

// TestReorderedMessages: a MESSAGE whose nonce is below one already accepted is refused.
func TestReorderedMessages(t *testing.T) {
	ct := newCurveTarget(t, zmq.PAIR)
	p, c := established(t, ct)
	must(t, p.Write(c.MessageAt(c.Nonce+2, false, []byte("second"))))
	expectMsg(t, ct.sock, "second")
	blind(p, c.MessageAt(c.Nonce+1, false, []byte("first, late")))
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPInvalidSequence)
	nothingQueued(t, ct.sock)
}

// TestReflectedMessage: the server's own MESSAGE sent back to it, with a nonce it has not seen
// from the client, does not open: each direction seals under its own nonce prefix.
func TestReflectedMessage(t *testing.T) {
	ct := newCurveTarget(t, zmq.PAIR)
	p, _ := established(t, ct)
	ctx, cancel := contextIO()
	defer cancel()
	var last []byte
	for range 5 { // the server's nonces climb past the client's INITIATE nonce
		must(t, ct.sock.Send(ctx, zmq.NewMsgString("from the server")))
		_, body, err := p.ReadFrame()
		must(t, err)
		last = body
	}
	blind(p, zmtp.AppendFrame(nil, 0, last))
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
}

// TestTamperedMessage: one bit flipped in a MESSAGE box.
func TestTamperedMessage(t *testing.T) {
	ct := newCurveTarget(t, zmq.PAIR)
	p, c := established(t, ct)
	frame := c.Message(false, []byte("pay alice 100"))
	frame[len(frame)-1] ^= 1
	blind(p, frame)
	ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
	nothingQueued(t, ct.sock)
	if bytes.Contains(frame, []byte("alice")) {
		t.Fatal("MESSAGE carries its text in clear")
	}
}
