package engine

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// TestReadTurnPassesMidBody moves the read turn between the background reader and a caller,
// both ways, while a big body is arriving in pieces: the message comes out whole, once.
func TestReadTurnPassesMidBody(t *testing.T) {
	a, b := handshakeBoth(t, cfg("DEALER"), cfg("DEALER"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	rb := run(b.c, 0)
	defer func() {
		close(rb.quit)
		if err := <-rb.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	body := make([]byte, 1<<20)
	for i := range body {
		body[i] = byte(i % 251)
	}
	wire := zmtp.AppendFrame(nil, 0, body)
	raw := a.c.NetConn()
	third := len(wire) / 3

	// The background reader starts on the body.
	write(t, raw, wire[:third])
	b.c.SetCallerReads(true)
	queued := func() bool { return rb.ib.Len() > 0 }

	// A caller takes over, reads on, and gives up when its ctx ends.
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		stop := context.AfterFunc(ctx, b.c.Interrupt)
		defer stop()
		res <- b.c.ReadAsCaller(ctx, nil, queued)
	}()
	write(t, raw, wire[third:2*third])
	cancel()
	select {
	case err := <-res:
		if err != nil && !errors.Is(err, ErrInterrupted) {
			t.Fatalf("ReadAsCaller: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadAsCaller did not return after its ctx ended")
	}

	// The background reader finishes what the caller left.
	b.c.SetCallerReads(false)
	write(t, raw, wire[2*third:])
	got := rb.recv(t)
	if len(got) != 1 || !bytes.Equal(got[0], body) {
		t.Fatalf("got %d frames, first of %d bytes: not the message sent", len(got), len(got[0]))
	}
	if _, _, ok := rb.ib.Pop(); ok {
		t.Fatal("a second message came out")
	}
}

func write(t *testing.T, c interface{ Write([]byte) (int, error) }, b []byte) {
	t.Helper()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestReadAsCallerRefused: a caller gets ErrReadBusy, and reads nothing, while callers are
// not let in (SetCallerReads off, the default) or another caller holds the turn.
func TestReadAsCallerRefused(t *testing.T) {
	a, b := handshakeBoth(t, cfg("DEALER"), cfg("DEALER"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	rb := run(b.c, 0)
	defer func() { close(rb.quit); <-rb.done }()
	never := func() bool { return false }
	if err := b.c.ReadAsCaller(context.Background(), nil, never); !errors.Is(err, ErrReadBusy) {
		t.Fatalf("with callers off: %v", err)
	}
	b.c.SetCallerReads(true)
	first := make(chan error, 1)
	go func() { first <- b.c.ReadAsCaller(context.Background(), nil, never) }()
	waitHolder(t, b.c, caller)
	if err := b.c.ReadAsCaller(context.Background(), nil, never); !errors.Is(err, ErrReadBusy) {
		t.Fatalf("while another caller reads: %v", err)
	}
	write(t, a.c.NetConn(), zmtp.AppendFrame(nil, 0, []byte("x")))
	if err := <-first; err != nil {
		t.Fatalf("the reading caller: %v", err)
	}
	if m := rb.recv(t); string(m[0]) != "x" {
		t.Fatalf("got %q", m)
	}
}

// waitHolder waits until h holds c's read turn.
func waitHolder(t *testing.T, c *Conn, h holder) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.turn.mu.Lock()
		now := c.turn.holder
		c.turn.mu.Unlock()
		if now == h {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the read turn stays with %d, want %d", now, h)
		}
		runtime.Gosched()
	}
}
