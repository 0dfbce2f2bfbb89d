package proxy

import (
	"errors"
	"fmt"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/wire"
)

// TestFailedSends: what a message that could not go (sent after the lock, send.go) undoes,
// settled under the lock again: the request's credit, its call, the caller's answer, the
// server itself when its connection is gone.
func TestFailedSends(t *testing.T) {
	call := header{Header: wire.Header{Kind: wire.Call, Codec: rpc.JSON.ID(), ID: 7}, answered: true}
	cast := header{Header: wire.Header{Kind: wire.Cast, Codec: rpc.JSON.ID()}}
	busy := fmt.Errorf("queue full: %w", zmq.ErrAgain)
	for _, tc := range []struct {
		name       string
		h          header
		err        error
		wantServer bool     // still known
		wantCredit int      // when still known
		wantCalls  int      // in flight after
		wantDrop   string   // counted once
		wantReply  rpc.Code // answered to the caller with; OK: no answer
	}{
		{"call to a server not reading", call, busy, true, 1, 0, "server_busy", rpc.Unavailable},
		{"cast to a server not reading", cast, busy, true, 1, 0, "server_busy", rpc.OK},
		{"call to a server gone", call, zmq.ErrHostUnreachable, false, 0, 0, "server_lost", rpc.Unavailable},
		{"cast to a server gone", cast, zmq.ErrHostUnreachable, false, 0, 0, "server_lost", rpc.OK},
		{"call, proxy closing", call, zmq.ErrClosed, true, 0, 1, "", rpc.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Proxy{cfg: Config{Heartbeat: time.Second, Misses: 3}, nonce: []byte("12345678")}
			p.st.init()
			srv := &server{id: "s", rid: []byte("s"), keys: []string{"t"}, credit: 1}
			p.st.servers[srv.id] = srv
			p.addServerLocked(srv)
			frames := [][]byte{tc.h.Marshal(), []byte("t"), nil, nil, []byte("m"), []byte("{}")}
			out := p.locked(nil, func() {
				p.forwardLocked(srv, &queued{rid: []byte("c"), frames: frames, h: tc.h})
			})
			if len(out) != 1 || out[0].kind != sendForward || string(out[0].frames[1]) != "12345678c" {
				t.Fatalf("forwarded %+v", out)
			}
			answers := p.locked(nil, func() { p.failedLocked(out[0], tc.err) })
			if got := p.st.servers[srv.id] != nil; got != tc.wantServer {
				t.Errorf("server known: %v, want %v", got, tc.wantServer)
			}
			if tc.wantServer && srv.credit != tc.wantCredit {
				t.Errorf("credit %d, want %d", srv.credit, tc.wantCredit)
			}
			if len(p.st.calls) != tc.wantCalls {
				t.Errorf("%d calls in flight, want %d", len(p.st.calls), tc.wantCalls)
			}
			drops := 0
			for reason, n := range p.stats.Drops {
				drops += int(n)
				if reason != tc.wantDrop || n != 1 {
					t.Errorf("drops %v, want one %q", p.stats.Drops, tc.wantDrop)
				}
			}
			if drops == 0 && tc.wantDrop != "" {
				t.Errorf("no drop counted, want %q", tc.wantDrop)
			}
			if tc.wantReply == rpc.OK {
				if len(answers) != 0 {
					t.Errorf("answered %+v, want nothing", answers)
				}
				return
			}
			if len(answers) != 1 || answers[0].kind != sendReply || string(answers[0].frames[0]) != "c" {
				t.Fatalf("answers %+v, want one reply to c", answers)
			}
			h, err := wire.ParseHeader(answers[0].frames[1])
			if err != nil || h.Kind != wire.Reply || rpc.Code(h.Status) != tc.wantReply || h.ID != call.ID {
				t.Errorf("reply header %+v %v, want a REPLY %v to call %d", h, err, tc.wantReply, call.ID)
			}
		})
	}
}

// TestFailedReply: a reply a client did not take is counted as a drop, not as a reply.
func TestFailedReply(t *testing.T) {
	p := &Proxy{}
	p.st.init()
	out := p.locked(nil, func() { p.replyLocked([][]byte{[]byte("c"), nil, nil}, rpc.OK, time.Time{}) })
	p.locked(nil, func() { p.failedLocked(out[0], errors.Join(zmq.ErrHostUnreachable)) })
	if s := p.Stats(); s.Replies != 0 || s.Drops["client_unreachable"] != 1 {
		t.Errorf("after the failed send: %d replies, drops %v", s.Replies, s.Drops)
	}
}
