package trust_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// lingerPayload is the body of each message a lingering socket holds: a unix socket's kernel
// buffer (about 200 KiB) takes a dozen, and the rest waits in the socket.
var lingerPayload = bytes.Repeat([]byte{'L'}, 16<<10)

// TestRaceContextCloseLinger closes a context whose sockets (a PUSH and a DEALER) hold
// messages for peers that do not read: raw ZMTP peers over ipc that complete the handshake
// and then leave the stream alone, so each socket's writer is stuck in a write with more
// messages queued behind it (the test waits until both writers are parked in their write and
// a sender in each socket is blocked at the HWM). As libzmq's zmq_ctx_term:
//   - LINGER -1: Context.Close waits, parked in the sockets' linger, until the peers read;
//     then it returns, and each peer has every message the socket took, whole and in order.
//   - LINGER longer than the test: the same, the peers reading within it.
//   - LINGER 0: Context.Close returns at once; the peers read only what the kernel held, and
//     the messages still queued are dropped (fewer arrive than were sent).
//   - LINGER 5ms: Context.Close returns once it has waited 5ms, and drops the rest.
//
// The senders blocked at the HWM return ErrClosed in every case.
func TestRaceContextCloseLinger(t *testing.T) {
	dir, err := os.MkdirTemp("", "zlg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var peers []lingerPeer
	for _, p := range []struct {
		typ  zmq.Type
		peer string
	}{{zmq.PUSH, "PULL"}, {zmq.DEALER, "DEALER"}} {
		ln, err := net.Listen("unix", filepath.Join(dir, p.peer))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		peers = append(peers, lingerPeer{p.typ, p.peer, ln})
	}
	for _, lc := range []struct {
		name   string
		linger time.Duration
		reads  bool // the peers read while Close lingers
	}{
		{"infinite", -1, true},
		{"in-time", waitLong, true},
		{"zero", 0, false},
		{"expires", 5 * time.Millisecond, false},
	} {
		t.Run(lc.name, func(t *testing.T) {
			repeat(t, rounds(100), func(t *testing.T, i int) {
				lingerRound(t, fmt.Sprintf("LINGER %s round %d", lc.name, i), peers, lc.linger, lc.reads)
			})
		})
	}
}

// lingerPeer is a listener whose connections a raw peer serves as peerType, for sockets of typ.
type lingerPeer struct {
	typ      zmq.Type
	peerType string
	ln       net.Listener
}

// lingering is one socket of a round, with its raw peer and its sender's outcome: how many
// messages Send took before the one that returned err.
type lingering struct {
	lingerPeer
	raw  *rawzmtp.Peer
	sent <-chan sendResult
	got  <-chan readResult
}

type sendResult struct {
	n   int
	err error
}

type readResult struct {
	n   int
	err error
}

func lingerRound(t *testing.T, what string, lps []lingerPeer, linger time.Duration, reads bool) {
	zc := zmq.NewContext()
	closing := false
	defer func() {
		if !closing {
			closeWithin(t, what+": context", zc)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var socks []*lingering
	var senders []uint64
	for _, lp := range lps {
		s := raceSocket(t, zc, lp.typ, zmq.WithLinger(linger))
		if err := s.Connect("ipc://" + lp.ln.Addr().String()); err != nil {
			t.Fatal(err)
		}
		raw := await(t, what+": handshake with the raw "+lp.peerType, async(func() *rawzmtp.Peer {
			p, err := acceptRaw(lp.ln, lp.peerType)
			if err != nil {
				t.Errorf("%s: raw %s: %v", what, lp.peerType, err)
			}
			return p
		}))
		if raw == nil {
			t.FailNow()
		}
		defer raw.Close()
		sent := make(chan sendResult, 1)
		socks = append(socks, &lingering{lingerPeer: lp, raw: raw, sent: sent})
		id := make(chan uint64, 1)
		go func() {
			id <- goid()
			n := 0
			for {
				if err := s.Send(ctx, lingerMsg(n)); err != nil {
					sent <- sendResult{n, err}
					return
				}
				n++
			}
		}()
		senders = append(senders, <-id)
	}
	// Stuck: each writer parked in a write the peer does not read, a sender at the HWM.
	waitCount(t, what+": writers", len(socks), inRead, "engine.(*Conn).writeLoop")
	waitParked(t, what+": senders", senders, inSelect, "socket.(*Socket).Send")

	start := time.Now()
	done := async(zc.Close)
	closing = true
	if reads {
		var early error
		returned := false
		waitBlocked(t, what+": Close lingering", inSelect, "socket.(*Socket).linger", func(got map[uint64]bool) bool {
			select {
			case early = <-done:
				returned = true
			default:
			}
			return returned || len(got) >= len(socks)
		})
		if returned {
			t.Fatalf("%s: Context.Close returned (%v) with messages queued for peers that do not read", what, early)
		}
	} else {
		if err := await(t, what+": Context.Close", done); err != nil {
			t.Fatalf("%s: Context.Close: %v", what, err)
		}
		if took := time.Since(start); took < linger {
			t.Errorf("%s: Context.Close returned after %v, within the linger period", what, took)
		}
	}
	for _, l := range socks {
		l.got = async(func() readResult { n, err := readUntilEOF(l.raw); return readResult{n, err} })
	}
	if reads {
		if err := await(t, what+": Context.Close once the peers read", done); err != nil {
			t.Fatalf("%s: Context.Close: %v", what, err)
		}
	}
	for _, l := range socks {
		s := await(t, what+": the blocked sender", l.sent)
		if !isClosedErr(s.err) {
			t.Errorf("%s: %v sender blocked at the HWM returned %v, want ErrClosed", what, l.typ, s.err)
		}
		r := await(t, fmt.Sprintf("%s: the raw %s reading to EOF", what, l.peerType), l.got)
		switch {
		case r.err != nil:
			t.Errorf("%s: the raw %s after %d messages: %v", what, l.peerType, r.n, r.err)
		case reads && r.n != s.n:
			t.Errorf("%s: %v took %d messages, its peer received %d", what, l.typ, s.n, r.n)
		case !reads && r.n >= s.n:
			t.Errorf("%s: %v took %d messages and its peer received %d: none was dropped", what, l.typ, s.n, r.n)
		}
	}
}

// lingerMsg is message n: its number, then lingerPayload.
func lingerMsg(n int) zmq.Msg {
	return zmq.NewMsg(binary.BigEndian.AppendUint32(nil, uint32(n)), lingerPayload)
}

// acceptRaw accepts one connection on ln and completes a NULL handshake on it as a socket of
// type peerType; then the peer reads nothing until told.
func acceptRaw(ln net.Listener, peerType string) (*rawzmtp.Peer, error) {
	c, err := ln.Accept()
	if err != nil {
		return nil, err
	}
	p := rawzmtp.New(c)
	if _, err := p.Greet("NULL", false); err != nil {
		p.Close()
		return nil, err
	}
	md := zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(peerType)}}
	if err := p.Write(zmtp.AppendReady(nil, md)); err != nil {
		p.Close()
		return nil, err
	}
	if _, err := p.Expect(zmtp.CmdReady); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// readUntilEOF reads lingerMsg messages until the stream ends, checking that they come whole
// and numbered 0, 1, 2...; it returns how many did. A message cut short by the end is not
// counted.
func readUntilEOF(p *rawzmtp.Peer) (int, error) {
	for n := 0; ; n++ {
		var frames [][]byte
		for {
			flags, body, err := p.ReadFrame()
			if err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
					return n, nil
				}
				return n, err
			}
			if flags&zmtp.FlagCommand != 0 {
				return n, fmt.Errorf("a command (%q) in the message stream", body)
			}
			frames = append(frames, body)
			if flags&zmtp.FlagMore == 0 {
				break
			}
		}
		if len(frames) != 2 || len(frames[0]) != 4 || binary.BigEndian.Uint32(frames[0]) != uint32(n) || !bytes.Equal(frames[1], lingerPayload) {
			return n, fmt.Errorf("message %d: %d frames, not the one sent", n, len(frames))
		}
	}
}
