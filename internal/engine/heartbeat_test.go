package engine

import (
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/purezmq/zmq/internal/memnet"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// Heartbeats are timers: these tests run in a testing/synctest bubble over memnet's in-memory
// connections, so time is the bubble's clock, a PING or a drop happens at the exact instant
// it is due, and "nothing happened for a while" is a fact (time.Sleep moves the bubble's
// clock, synctest.Wait lets everything that can happen by then happen) rather than a wait.

// rawRunning handshakes c with a raw ZMTP 3.minor PUSH peer over memnet, runs the connection
// and returns the raw end, positioned after our greeting. In a synctest bubble.
func rawRunning(t *testing.T, c Config, minor uint8) (*rawConn, *running) {
	t.Helper()
	raw, nc := memnet.Pipe()
	done := handshakeRaw(nc, c)
	raw.Write(zmtp.Greeting{Major: 3, Minor: minor, Mechanism: "NULL"}.Append(nil))
	raw.Write(zmtp.AppendReady(nil, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PUSH")}}))
	r := wait(t, done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	rc := &frameReader{nc: raw}
	if err := rc.fill(time.Now().Add(5*time.Second), zmtp.GreetingSize); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	rc.buf = rc.buf[zmtp.GreetingSize:]
	if cmd, err := rc.command(time.Now().Add(5 * time.Second)); err != nil || cmd.Name != zmtp.CmdReady {
		t.Fatalf("READY: %v %v", cmd.Name, err)
	}
	t.Cleanup(func() { raw.Close(); nc.Close() })
	return &rawConn{Conn: raw, fr: rc}, run(r.c, 10)
}

// rawConn is the test's end of a connection, reading what the engine writes frame by frame.
type rawConn struct {
	net.Conn
	fr *frameReader
}

type frameReader struct {
	nc  net.Conn
	buf []byte
}

// fill reads until at least n bytes are buffered.
func (f *frameReader) fill(deadline time.Time, n int) error {
	f.nc.SetReadDeadline(deadline)
	for len(f.buf) < n {
		b := make([]byte, 4096)
		m, err := f.nc.Read(b)
		f.buf = append(f.buf, b[:m]...)
		if err != nil && len(f.buf) < n {
			return err
		}
	}
	return nil
}

// command returns the next frame, which must be a command.
func (f *frameReader) command(deadline time.Time) (zmtp.Command, error) {
	for {
		flags, size, n, err := zmtp.ParseFrameHeader(f.buf, -1)
		if errors.Is(err, zmtp.ErrNeedMore) {
			if err := f.fill(deadline, len(f.buf)+1); err != nil {
				return zmtp.Command{}, err
			}
			continue
		}
		if err != nil {
			return zmtp.Command{}, err
		}
		if err := f.fill(deadline, n+size); err != nil {
			return zmtp.Command{}, err
		}
		body := f.buf[n : n+size]
		f.buf = f.buf[n+size:]
		if flags&zmtp.FlagCommand == 0 {
			return zmtp.Command{}, errors.New("not a command frame")
		}
		return zmtp.ParseCommand(body)
	}
}

func hbConfig(ivl, ttl, timeout time.Duration) Config {
	c := cfg("PULL")
	c.HeartbeatIvl, c.HeartbeatTTL, c.HeartbeatTimeout = ivl, ttl, timeout
	return c
}

// ended returns how Run ended, or false when it has not.
func (r *running) ended() (error, bool) {
	select {
	case err := <-r.done:
		return err, true
	default:
		return nil, false
	}
}

// TestHeartbeatDropsSilentPeer: our PING goes out HEARTBEAT_IVL after the start, carrying the
// TTL, and a peer that answers nothing is dropped HEARTBEAT_TIMEOUT after it, to the instant.
func TestHeartbeatDropsSilentPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ivl, timeout = 50 * time.Millisecond, 100 * time.Millisecond
		start := time.Now()
		raw, r := rawRunning(t, hbConfig(ivl, 3*time.Second, timeout), 1)
		cmd, err := raw.fr.command(time.Now().Add(5 * time.Second))
		if err != nil || cmd.Name != zmtp.CmdPing {
			t.Fatalf("want a PING, got %q, %v", cmd.Name, err)
		}
		if d := time.Since(start); d != ivl {
			t.Errorf("the first PING went out after %v, want %v", d, ivl)
		}
		if ttl, _, err := zmtp.ParsePing(cmd); err != nil || ttl != 30 {
			t.Fatalf("PING TTL %d deciseconds (%v), want 30", ttl, err)
		}
		// The raw peer never answers.
		err = <-r.done
		if !errors.Is(err, ErrHeartbeatTimeout) {
			t.Fatalf("Run ended with %v, want ErrHeartbeatTimeout", err)
		}
		if d := time.Since(start); d != ivl+timeout {
			t.Fatalf("dropped after %v, want the first PING's time + timeout (%v)", d, ivl+timeout)
		}
	})
}

// TestHeartbeatKeepsAnsweringPeer: a peer that answers each PING stays connected through many
// timeouts, and the connection still carries messages.
func TestHeartbeatKeepsAnsweringPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ivl, timeout = 30 * time.Millisecond, 300 * time.Millisecond
		ca, cb := memnet.Pipe()
		defer ca.Close()
		defer cb.Close()
		a, b := handshakeOver(ca, cb, hbConfig(ivl, 0, timeout), cfg("PUSH"))
		if a.err != nil || b.err != nil {
			t.Fatal(a.err, b.err)
		}
		ra, rb := run(a.c, 10), run(b.c, 10) // b answers each PING with a PONG and sends nothing else
		time.Sleep(5 * timeout)
		synctest.Wait()
		if err, ok := ra.ended(); ok {
			t.Fatalf("an answering peer was dropped: %v", err)
		}
		if err, ok := rb.ended(); ok {
			t.Fatalf("the answering side ended: %v", err)
		}
		rb.q.TryPush(pipe.Msg{[]byte("still here")})
		if got := ra.recv(t); string(got[0]) != "still here" {
			t.Fatalf("got %q", got)
		}
		close(ra.quit)
		if err := <-ra.done; err != nil {
			t.Fatalf("Run after quit: %v", err)
		}
		<-rb.done
	})
}

// TestHeartbeatHonoursPeerTTL: with no heartbeats of our own, a peer whose PING asked for a
// TTL and then went silent is dropped when the TTL runs out, to the instant.
func TestHeartbeatHonoursPeerTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		raw, r := rawRunning(t, cfg("PULL"), 1) // no heartbeats of our own
		start := time.Now()
		raw.Write(zmtp.AppendPing(nil, 2, []byte("ttl"))) // 200 ms, then silence
		cmd, err := raw.fr.command(time.Now().Add(5 * time.Second))
		if err != nil || cmd.Name != zmtp.CmdPong || string(cmd.Data) != "ttl" {
			t.Fatalf("want PONG \"ttl\", got %q %q, %v", cmd.Name, cmd.Data, err)
		}
		err = <-r.done
		if !errors.Is(err, ErrHeartbeatTimeout) {
			t.Fatalf("Run ended with %v, want ErrHeartbeatTimeout", err)
		}
		if d := time.Since(start); d != 200*time.Millisecond {
			t.Fatalf("dropped after %v, want the peer's TTL (200ms)", d)
		}
	})
}

// TestHeartbeatPeerTTLKeptAliveByTraffic: any traffic from the peer restarts its TTL: messages
// 30 ms apart keep a 300 ms TTL alive for twice as long, and once they stop the TTL runs out
// from the last one.
func TestHeartbeatPeerTTLKeptAliveByTraffic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		raw, r := rawRunning(t, cfg("PULL"), 1)
		raw.Write(zmtp.AppendPing(nil, 3, nil)) // 300 ms
		for i := range 20 {
			time.Sleep(30 * time.Millisecond)
			synctest.Wait()
			if err, ok := r.ended(); ok {
				t.Fatalf("dropped after %d messages 30 ms apart: %v", i, err)
			}
			raw.Write(zmtp.AppendFrame(nil, 0, []byte("tick")))
			if got := r.recv(t); string(got[0]) != "tick" {
				t.Fatalf("got %q", got)
			}
		}
		last := time.Now()
		if err := <-r.done; !errors.Is(err, ErrHeartbeatTimeout) {
			t.Fatalf("Run ended with %v, want ErrHeartbeatTimeout", err)
		}
		if d := time.Since(last); d != 300*time.Millisecond {
			t.Fatalf("dropped %v after the last message, want the TTL (300ms)", d)
		}
	})
}

// TestHeartbeatNoPingToZMTP30Peer: a ZMTP 3.0 peer knows no PING: in twenty heartbeat
// intervals and timeouts we send it nothing and do not drop it.
func TestHeartbeatNoPingToZMTP30Peer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ivl = 10 * time.Millisecond
		raw, r := rawRunning(t, hbConfig(ivl, 0, ivl), 0)
		sent := make(chan error, 1)
		go func() {
			_, err := raw.fr.command(time.Time{})
			sent <- err
		}()
		time.Sleep(20 * ivl)
		synctest.Wait()
		select {
		case err := <-sent:
			t.Fatalf("a ZMTP 3.0 peer got a command (read: %v)", err)
		default:
		}
		if err, ok := r.ended(); ok {
			t.Fatalf("a ZMTP 3.0 peer was dropped: %v", err)
		}
		close(r.quit)
		if err := <-r.done; err != nil {
			t.Fatalf("Run after quit: %v", err)
		}
		if err := <-sent; err == nil {
			t.Fatal("a ZMTP 3.0 peer got a command")
		}
	})
}
