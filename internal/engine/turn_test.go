package engine

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/purezmq/zmq/internal/memnet"
	"github.com/purezmq/zmq/internal/pipe"
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
	if _, _, _, ok := rb.ib.Pop(); ok {
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

// TestReadTurnWatchdog: the background reader leaves the connection to callers while they
// keep coming back within handBack of each other, and takes it back once none has read for
// handBack: what arrives then is not read before handBack has passed since the last caller,
// and is delivered by twice that (the watchdog looks once per handBack). A synctest bubble over
// memnet, so these are instants of the bubble's clock.
func TestReadTurnWatchdog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ca, b, rb := callerReading(t)
		queued := func() bool { return rb.ib.Len() > 0 }
		holder := func() holder {
			b.c.turn.mu.Lock()
			defer b.c.turn.mu.Unlock()
			return b.c.turn.holder
		}
		for i := range 20 {
			write(t, ca, zmtp.AppendFrame(nil, 0, []byte{byte(i)}))
			if err := b.c.ReadAsCaller(context.Background(), nil, queued); err != nil {
				t.Fatalf("caller read %d: %v", i, err)
			}
			if m := rb.recv(t); len(m) != 1 || !bytes.Equal(m[0], []byte{byte(i)}) {
				t.Fatalf("caller read %d: got %q", i, m)
			}
			time.Sleep(handBack / 2)
			synctest.Wait()
			if h := holder(); h != nobody {
				t.Fatalf("%v after a caller read, callers reading every %v: the turn is with %d", handBack/2, handBack/2, h)
			}
		}
		// The last caller read, then nobody.
		write(t, ca, zmtp.AppendFrame(nil, 0, []byte("last")))
		if err := b.c.ReadAsCaller(context.Background(), nil, queued); err != nil {
			t.Fatalf("the last caller read: %v", err)
		}
		rb.recv(t)
		write(t, ca, zmtp.AppendFrame(nil, 0, []byte("late")))
		time.Sleep(handBack - time.Nanosecond)
		synctest.Wait()
		if n := rb.ib.Len(); n != 0 || holder() != nobody {
			t.Fatalf("within handBack of the last caller read: %d delivered, the turn with %d; want the connection left alone", n, holder())
		}
		time.Sleep(handBack + time.Nanosecond)
		synctest.Wait()
		if m, ok := pop(rb); !ok || string(m[0]) != "late" {
			t.Fatalf("twice handBack after the last caller read: %q, %v delivered; want the background reader to have taken the turn back", m, ok)
		}
	})
}

// callerReading is the rig of the read-turn tests: two DEALER connections over memnet, b's
// under Run and reading as caller too; ca is a's side of the pipe, to write raw frames on.
// Cleanup stops b's Run (which must end without error) and closes the pipe.
func callerReading(t *testing.T) (ca net.Conn, b result, rb *running) {
	t.Helper()
	ca, cb := memnet.Pipe()
	t.Cleanup(func() { ca.Close(); cb.Close() })
	a, b := handshakeOver(ca, cb, cfg("DEALER"), cfg("DEALER"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	rb = run(b.c, 10)
	t.Cleanup(func() {
		close(rb.quit)
		if err := <-rb.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	b.c.SetCallerReads(true)
	return ca, b, rb
}

func pop(r *running) (pipe.Msg, bool) {
	_, m, _, ok := r.ib.Pop()
	return m, ok
}

// TestReadTurnWatchdogRestsWhileCallerHolds: the watchdog lapses while a caller holds the
// turn, however long it waits (each firing costs a goroutine, and a process with many
// connections read by their callers had one per connection every handBack); the caller arms
// it again when it ends its turn, so the background reader still takes over handBack after.
func TestReadTurnWatchdogRestsWhileCallerHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ca, b, rb := callerReading(t)
		queued := func() bool { return rb.ib.Len() > 0 }
		armed := func() bool {
			b.c.turn.mu.Lock()
			defer b.c.turn.mu.Unlock()
			return b.c.turn.armed
		}
		write(t, ca, zmtp.AppendFrame(nil, 0, []byte("first")))
		if err := b.c.ReadAsCaller(context.Background(), nil, queued); err != nil {
			t.Fatal(err)
		}
		rb.recv(t)
		if !armed() {
			t.Fatal("no watchdog after a caller's turn ended")
		}
		done := make(chan error, 1)
		go func() { done <- b.c.ReadAsCaller(context.Background(), nil, queued) }()
		waitHolder(t, b.c, caller)
		time.Sleep(time.Nanosecond) // past the firing due handBack after the first turn ended
		for range 10 {
			time.Sleep(handBack)
			synctest.Wait()
			if armed() {
				t.Fatalf("the watchdog runs on while a caller holds the turn")
			}
		}
		write(t, ca, zmtp.AppendFrame(nil, 0, []byte("second")))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		rb.recv(t)
		write(t, ca, zmtp.AppendFrame(nil, 0, []byte("late")))
		time.Sleep(handBack + time.Nanosecond)
		synctest.Wait()
		if m, ok := pop(rb); !ok || string(m[0]) != "late" {
			t.Fatalf("handBack after the caller's turn ended: %q, %v delivered; want the background reader to have taken over", m, ok)
		}
	})
}
