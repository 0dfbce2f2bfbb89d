package memnet

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBufferedBothWays(t *testing.T) {
	a, b := Pipe()
	defer a.Close()
	defer b.Close()
	// Both write first, as two ZMTP peers do with their greetings.
	for _, c := range []net.Conn{a, b} {
		if n, err := c.Write([]byte("greeting")); n != 8 || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	for _, c := range []net.Conn{a, b} {
		buf := make([]byte, 5)
		if n, err := io.ReadFull(c, buf); n != 5 || err != nil || string(buf) != "greet" {
			t.Fatalf("ReadFull: %q, %v", buf[:n], err)
		}
	}
}

func TestClose(t *testing.T) {
	a, b := Pipe()
	a.Write([]byte("last"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "last" {
		t.Fatalf("the peer read %q, %v; want what was written, then EOF", got, err)
	}
	if _, err := b.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Write to a closed peer: %v", err)
	}
	if _, err := a.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
	b.Close()
}

// TestReadDeadline: a deadline cuts a blocked Read short at its time on the bubble's clock, a
// past one at once, and the zero time clears it.
func TestReadDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := Pipe()
		defer a.Close()
		defer b.Close()
		start := time.Now()
		a.SetReadDeadline(start.Add(time.Second))
		if _, err := a.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read past its deadline: %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("the deadline fired after %v, want 1s", d)
		}
		done := make(chan error)
		a.SetReadDeadline(time.Time{})
		go func() {
			_, err := a.Read(make([]byte, 1))
			done <- err
		}()
		synctest.Wait() // blocked, with no deadline
		a.SetReadDeadline(time.Unix(1, 0))
		if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read cut short by a past deadline: %v", err)
		}
		a.SetReadDeadline(time.Time{})
		b.Write([]byte("x"))
		if n, err := a.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Fatalf("Read after the deadline was cleared: %d, %v", n, err)
		}
	})
}
