package engine

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// rawRunning handshakes c with a raw ZMTP 3.minor PUSH peer, runs the connection and returns
// the raw end, positioned after our greeting.
func rawRunning(t *testing.T, c Config, minor uint8) (*rawConn, *running) {
	t.Helper()
	raw, done := rawPeer(t, c)
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
	t.Cleanup(func() { raw.Close() })
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

func TestHeartbeatDropsSilentPeer(t *testing.T) {
	const ivl, timeout = 50 * time.Millisecond, 100 * time.Millisecond
	start := time.Now()
	raw, r := rawRunning(t, hbConfig(ivl, 3*time.Second, timeout), 1)
	cmd, err := raw.fr.command(time.Now().Add(5 * time.Second))
	if err != nil || cmd.Name != zmtp.CmdPing {
		t.Fatalf("want a PING, got %q, %v", cmd.Name, err)
	}
	if ttl, _, err := zmtp.ParsePing(cmd); err != nil || ttl != 30 {
		t.Fatalf("PING TTL %d deciseconds (%v), want 30", ttl, err)
	}
	// The raw peer never answers.
	select {
	case err := <-r.done:
		if !errors.Is(err, ErrHeartbeatTimeout) {
			t.Fatalf("Run ended with %v, want ErrHeartbeatTimeout", err)
		}
		if el := time.Since(start); el < ivl+timeout {
			t.Fatalf("dropped after %v, before interval + timeout", el)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a silent peer was not dropped")
	}
}

func TestHeartbeatKeepsAnsweringPeer(t *testing.T) {
	const ivl = 30 * time.Millisecond
	a, b := handshakeBoth(t, hbConfig(ivl, 0, 300*time.Millisecond), cfg("PUSH"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	ra, rb := run(a.c, 10), run(b.c, 10) // b answers each PING with a PONG and sends nothing else
	select {
	case err := <-ra.done:
		t.Fatalf("an answering peer was dropped: %v", err)
	case err := <-rb.done:
		t.Fatalf("the answering side ended: %v", err)
	case <-time.After(15 * ivl):
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
}

func TestHeartbeatHonoursPeerTTL(t *testing.T) {
	raw, r := rawRunning(t, cfg("PULL"), 1) // no heartbeats of our own
	start := time.Now()
	raw.Write(zmtp.AppendPing(nil, 2, []byte("ttl"))) // 200 ms, then silence
	cmd, err := raw.fr.command(time.Now().Add(5 * time.Second))
	if err != nil || cmd.Name != zmtp.CmdPong || string(cmd.Data) != "ttl" {
		t.Fatalf("want PONG \"ttl\", got %q %q, %v", cmd.Name, cmd.Data, err)
	}
	select {
	case err := <-r.done:
		if !errors.Is(err, ErrHeartbeatTimeout) {
			t.Fatalf("Run ended with %v, want ErrHeartbeatTimeout", err)
		}
		if el := time.Since(start); el < 200*time.Millisecond {
			t.Fatalf("dropped after %v, before the peer's TTL", el)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the peer's TTL was not honoured")
	}
}

func TestHeartbeatPeerTTLKeptAliveByTraffic(t *testing.T) {
	raw, r := rawRunning(t, cfg("PULL"), 1)
	raw.Write(zmtp.AppendPing(nil, 3, nil)) // 300 ms
	for i := range 20 {
		select {
		case err := <-r.done:
			t.Fatalf("dropped after %d messages 30 ms apart: %v", i, err)
		case <-time.After(30 * time.Millisecond):
		}
		raw.Write(zmtp.AppendFrame(nil, 0, []byte("tick")))
		if got := r.recv(t); string(got[0]) != "tick" {
			t.Fatalf("got %q", got)
		}
	}
	close(r.quit)
	if err := <-r.done; err != nil {
		t.Fatalf("Run after quit: %v", err)
	}
}

func TestHeartbeatNoPingToZMTP30Peer(t *testing.T) {
	raw, r := rawRunning(t, hbConfig(10*time.Millisecond, 0, 10*time.Millisecond), 0)
	if cmd, err := raw.fr.command(time.Now().Add(200 * time.Millisecond)); err == nil {
		t.Fatalf("a ZMTP 3.0 peer got %q", cmd.Name)
	}
	select {
	case err := <-r.done:
		t.Fatalf("a ZMTP 3.0 peer was dropped: %v", err)
	default:
	}
	close(r.quit)
	if err := <-r.done; err != nil {
		t.Fatalf("Run after quit: %v", err)
	}
}
