package attack_test

import (
	"context"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// zapHandler binds a ZAP handler in zc that answers each request with reply(request); a nil
// reply leaves the request unanswered.
func zapHandler(t *testing.T, zc *zmq.Context, reply func(req [][]byte) [][]byte) {
	t.Helper()
	rep, err := zc.NewSocket(zmq.REP, zmq.WithLinger(0))
	must(t, err)
	must(t, rep.Bind("inproc://zeromq.zap.01"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			req, err := rep.Recv(ctx)
			if err != nil {
				return
			}
			out := reply(req.Frames)
			if out == nil {
				<-ctx.Done() // a handler that never answers
				return
			}
			if err := rep.Send(ctx, zmq.NewMsg(out...)); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; rep.Close() })
}

// curveTargetWithZAP is a CURVE server whose context's ZAP handler is reply.
func curveTargetWithZAP(t *testing.T, reply func(req [][]byte) [][]byte, opts ...zmq.Option) *curveTarget {
	t.Helper()
	ct := &curveTarget{zc: newContext(t)}
	ct.serverPub, ct.serverSec = keys(t)
	ct.victimPub, ct.victimSec = keys(t)
	zapHandler(t, ct.zc, reply)
	opts = append([]zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(ct.serverPub), zmq.WithCurveSecretKey(ct.serverSec)}, opts...)
	ct.server = newServer(t, ct.zc, zmq.PULL, opts...)
	return ct
}

// honestAttempt runs an honest CURVE client with the victim's keys up to INITIATE and one
// MESSAGE: whatever happens next is the ZAP handler's doing.
func honestAttempt(t *testing.T, ct *curveTarget) *rawzmtp.Peer {
	t.Helper()
	p := ct.dial(t, "CURVE")
	c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, ct.victimSec)
	welcome(t, p, c)
	must(t, p.Write(c.HonestInitiate(zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PUSH")}})))
	must(t, p.Write(c.Message(false, []byte("judged wrongly"))))
	return p
}

// TestZAPBadReplies: a ZAP handler that answers wrongly gets the client dropped in silence
// (it did nothing wrong) and the monitor names what was wrong with the reply; a refusal goes to
// the client as ERROR, except 300, a temporary failure, which is silent (RFC 27, libzmq).
func TestZAPBadReplies(t *testing.T) {
	ok := func(req [][]byte) [][]byte {
		return [][]byte{[]byte("1.0"), req[1], []byte("200"), []byte("OK"), []byte("user"), nil}
	}
	with := func(i int, v []byte) func([][]byte) [][]byte {
		return func(req [][]byte) [][]byte { r := ok(req); r[i] = v; return r }
	}
	cases := []struct {
		name  string
		reply func([][]byte) [][]byte
		typ   zmq.EventType
		value int
		error string // the ERROR reason the client gets, "" for a silent close
	}{
		{"wrong request id", with(1, []byte("999999")), zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPBadRequestID, ""},
		{"wrong version", with(0, []byte("2.0")), zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPBadVersion, ""},
		{"status 600", with(2, []byte("600")), zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPInvalidStatusCode, ""},
		{"status 20", with(2, []byte("20")), zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPInvalidStatusCode, ""},
		{"five frames", func(req [][]byte) [][]byte { return ok(req)[:5] }, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPMalformedReply, ""},
		{"seven frames", func(req [][]byte) [][]byte { return append(ok(req), nil) }, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPMalformedReply, ""},
		{"bad metadata", with(5, []byte("\x05abc")), zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZAPInvalidMetadata, ""},
		{"status 300", with(2, []byte("300")), zmq.EventHandshakeFailedAuth, 300, ""},
		{"status 400", with(2, []byte("400")), zmq.EventHandshakeFailedAuth, 400, "400"},
		{"status 500", with(2, []byte("500")), zmq.EventHandshakeFailedAuth, 500, "500"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := curveTargetWithZAP(t, tc.reply)
			p := honestAttempt(t, ct)
			ct.refusedWith(t, p, tc.typ, tc.value)
			nothingQueued(t, ct.sock)
			if tc.error == "" {
				if err := p.Closed(); err != nil {
					t.Fatal(err)
				}
				return
			}
			cmd, err := p.Expect(zmtp.CmdError)
			must(t, err)
			if reason, _ := zmtp.ParseError(cmd); reason != tc.error {
				t.Fatalf("ERROR %q, want %q", reason, tc.error)
			}
		})
	}
}

// TestZAPHandlerNeverAnswers: the client waits at most the handshake interval, then is dropped
// without a word, and nothing it sent is delivered.
func TestZAPHandlerNeverAnswers(t *testing.T) {
	ct := curveTargetWithZAP(t, func([][]byte) [][]byte { return nil }, zmq.WithHandshakeIvl(200*time.Millisecond))
	p := honestAttempt(t, ct)
	ct.refusedWith(t, p, zmq.EventHandshakeFailedNoDetail, 0)
	nothingQueued(t, ct.sock)
	if err := p.Closed(); err != nil {
		t.Fatal(err)
	}
}
