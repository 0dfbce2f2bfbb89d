package zmq_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/purezmq/zmq"
)

// STREAM talks raw bytes to plain tcp and ipc programs: every message is [routing id, bytes],
// an empty body is a connection opening or closing.

// rawDial connects a plain client to a STREAM bound at ep (tcp:// or ipc://).
func rawDial(t *testing.T, ep string) net.Conn {
	t.Helper()
	network, addr := "tcp", strings.TrimPrefix(ep, "tcp://")
	if a, ok := strings.CutPrefix(ep, "ipc://"); ok {
		network, addr = "unix", a
	}
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectNotify receives a STREAM notification (connection opened or closed) and returns its id.
func expectNotify(t *testing.T, s *zmq.Socket) []byte {
	t.Helper()
	m := recvWithin(t, s, waitLong)
	if len(m.Frames) != 2 || len(m.Frames[0]) == 0 || len(m.Frames[1]) != 0 {
		t.Fatalf("got %s, want [routing id, empty]", fmtFrames(m.Frames))
	}
	return m.Frames[0]
}

// recvStreamBytes receives from s until n bytes from id have come, checking every message is
// [id, non-empty chunk] of at most libzmq's 8 KiB read.
func recvStreamBytes(t *testing.T, s *zmq.Socket, id []byte, n int) []byte {
	t.Helper()
	var got []byte
	for len(got) < n {
		m := recvWithin(t, s, waitLong)
		if len(m.Frames) != 2 || !bytes.Equal(m.Frames[0], id) || len(m.Frames[1]) == 0 || len(m.Frames[1]) > 8<<10 {
			t.Fatalf("after %d of %d bytes got %s, want [%x, 1..8192 bytes]", len(got), n, fmtFrames(m.Frames), id)
		}
		got = append(got, m.Frames[1]...)
	}
	return got
}

func sendErr(s *zmq.Socket, frames ...[]byte) error {
	ctx, cancel := within(waitLong)
	defer cancel()
	return s.Send(ctx, zmq.NewMsg(frames...))
}

// TestStreamServesPlainClient: an HTTP-like exchange with a plain client over tcp and ipc; the
// server closes the connection after its response, which the client reads whole.
func TestStreamServesPlainClient(t *testing.T) {
	t.Parallel()
	for _, ep := range []string{"tcp://127.0.0.1:*", freeIPCEndpoint(t)} {
		t.Run(strings.SplitN(ep, ":", 2)[0], func(t *testing.T) {
			srv := newSocket(t, zmq.STREAM)
			c := rawDial(t, bind(t, srv, ep))
			id := expectNotify(t, srv)
			if len(id) != 5 || id[0] != 0 {
				t.Fatalf("routing id %x, want libzmq's 5 bytes starting with 0", id)
			}
			req := "GET / HTTP/1.0\r\n\r\n"
			if _, err := io.WriteString(c, req); err != nil {
				t.Fatal(err)
			}
			if got := recvStreamBytes(t, srv, id, len(req)); string(got) != req {
				t.Fatalf("server read %q, want %q", got, req)
			}
			resp := "HTTP/1.0 200 OK\r\n\r\n" + strings.Repeat("body ", 10_000)
			send(t, srv, id, []byte(resp))
			send(t, srv, id, nil) // close, after the response
			got, err := io.ReadAll(c)
			if err != nil || string(got) != resp {
				t.Fatalf("client read %d bytes (%v), want the %d-byte response then EOF", len(got), err, len(resp))
			}
			// The id is gone at once, and closing it ourselves brings no notification.
			if err := sendErr(srv, id, []byte("late")); !errors.Is(err, zmq.ErrHostUnreachable) {
				t.Fatalf("send to a closed id: %v, want ErrHostUnreachable", err)
			}
			expectNoMsg(t, srv, waitShort)
		})
	}
}

// TestStreamPeerDisconnects: bytes a client sent before it went are delivered, then the
// disconnect notification; the id is unroutable from then on.
func TestStreamPeerDisconnects(t *testing.T) {
	t.Parallel()
	srv := newSocket(t, zmq.STREAM)
	c := rawDial(t, bind(t, srv, "tcp://127.0.0.1:*"))
	id := expectNotify(t, srv)
	payload := bytes.Repeat([]byte("0123456789"), 5000) // several reads' worth, mid-stream
	if _, err := c.Write(payload); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := recvStreamBytes(t, srv, id, len(payload)); !bytes.Equal(got, payload) {
		t.Fatalf("server read %d bytes, not what was sent", len(got))
	}
	if gone := expectNotify(t, srv); !bytes.Equal(gone, id) {
		t.Fatalf("disconnect of %x, want %x", gone, id)
	}
	if err := sendErr(srv, id, []byte("x")); !errors.Is(err, zmq.ErrHostUnreachable) {
		t.Fatalf("send to a departed id: %v, want ErrHostUnreachable", err)
	}
}

// TestStreamConnectsToPlainServer: a connecting STREAM, with CONNECT_ROUTING_ID, talks to a
// plain tcp server and hears when the server hangs up.
func TestStreamConnectsToPlainServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cli := newSocket(t, zmq.STREAM, zmq.WithReconnectIvl(-1))
	if err := cli.SetConnectRoutingID([]byte("upstream")); err != nil {
		t.Fatal(err)
	}
	connect(t, cli, "tcp://"+ln.Addr().String())
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	id := expectNotify(t, cli)
	if string(id) != "upstream" {
		t.Fatalf("routing id %q, want the CONNECT_ROUTING_ID", id)
	}
	sendString(t, cli, "upstream", "ping")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(sc, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("server read %q (%v), want ping", buf, err)
	}
	if _, err := sc.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	if got := recvStreamBytes(t, cli, id, 4); string(got) != "pong" {
		t.Fatalf("read %q, want pong", got)
	}
	sc.Close()
	if gone := expectNotify(t, cli); string(gone) != "upstream" {
		t.Fatalf("disconnect of %q", gone)
	}
}

// TestStreamRoutesManyClients: concurrent clients, each answered on its own connection by id.
func TestStreamRoutesManyClients(t *testing.T) {
	t.Parallel()
	const clients, size = 24, 3000
	srv := newSocket(t, zmq.STREAM)
	ep := bind(t, srv, "tcp://127.0.0.1:*")
	errs := make(chan error, clients)
	for i := range clients {
		c := rawDial(t, ep)
		go func() {
			req := bytes.Repeat([]byte{byte('a' + i)}, size)
			if _, err := c.Write(req); err != nil {
				errs <- err
				return
			}
			got := make([]byte, size)
			_, err := io.ReadFull(c, got)
			if err == nil && !bytes.Equal(got, bytes.ToUpper(req)) {
				err = fmt.Errorf("client %d got another client's answer: %q...", i, got[:8])
			}
			errs <- err
		}()
	}
	pending := map[string][]byte{}
	for answered := 0; answered < clients; {
		m := recvWithin(t, srv, waitLong)
		id, data := string(m.Frames[0]), m.Frames[1]
		if len(data) == 0 {
			continue // a connection opening
		}
		pending[id] = append(pending[id], data...)
		if len(pending[id]) == size {
			send(t, srv, []byte(id), bytes.ToUpper(pending[id]))
			answered++
		}
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestStreamNotifyOff: without STREAM_NOTIFY the first message is the client's bytes, and a
// departure is silent.
func TestStreamNotifyOff(t *testing.T) {
	t.Parallel()
	srv := newSocket(t, zmq.STREAM, zmq.WithStreamNotify(false))
	c := rawDial(t, bind(t, srv, "tcp://127.0.0.1:*"))
	if _, err := c.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	m := recvWithin(t, srv, waitLong)
	if len(m.Frames) != 2 || string(m.Frames[1]) != "hi" {
		t.Fatalf("got %s, want [id, hi]", fmtFrames(m.Frames))
	}
	c.Close()
	expectNoMsg(t, srv, waitShort)
	if _, ok := zmq.LookupOption("ZMQ_STREAM_NOTIFY"); !ok {
		t.Fatal("LookupOption does not know STREAM_NOTIFY")
	}
	if _, err := zmq.NewSocket(zmq.STREAM, zmq.WithOption(zmq.OptStreamNotify, 2)); !errors.Is(err, zmq.ErrOption) {
		t.Fatalf("STREAM_NOTIFY 2: %v, want ErrOption", err)
	}
}

// TestStreamRefuses: what a STREAM cannot do fails clearly.
func TestStreamRefuses(t *testing.T) {
	t.Parallel()
	srv := newSocket(t, zmq.STREAM)
	rawDial(t, bind(t, srv, "tcp://127.0.0.1:*"))
	id := expectNotify(t, srv)
	for _, c := range []struct {
		name   string
		frames [][]byte
		want   error
	}{
		{"one frame", [][]byte{id}, zmq.ErrNotSupported},
		{"three frames", [][]byte{id, []byte("a"), []byte("b")}, zmq.ErrNotSupported},
		{"unknown id", [][]byte{[]byte("\x00nope"), []byte("a")}, zmq.ErrHostUnreachable},
	} {
		if err := sendErr(srv, c.frames...); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if err := srv.Bind(inprocName()); !errors.Is(err, zmq.ErrEndpoint) {
		t.Errorf("inproc bind: %v, want ErrEndpoint", err)
	}
	if err := srv.Connect(inprocName()); !errors.Is(err, zmq.ErrEndpoint) {
		t.Errorf("inproc connect: %v, want ErrEndpoint", err)
	}
	if s, err := zmq.NewSocket(zmq.STREAM, zmq.WithPlainServer(true)); !errors.Is(err, zmq.ErrNotSupported) {
		if err == nil {
			s.Close()
		}
		t.Errorf("STREAM with PLAIN: %v, want ErrNotSupported", err)
	}
}

// TestStreamLingerFlushes: Close waits, within LINGER, until what was sent is written.
func TestStreamLingerFlushes(t *testing.T) {
	t.Parallel()
	srv, err := zmq.NewSocket(zmq.STREAM, zmq.WithLinger(waitLong))
	if err != nil {
		t.Fatal(err)
	}
	c := rawDial(t, bind(t, srv, "tcp://127.0.0.1:*"))
	id := expectNotify(t, srv)
	big := bytes.Repeat([]byte("x"), 4<<20) // more than the kernel's buffers hold
	read := make(chan int, 1)
	go func() {
		n, _ := io.Copy(io.Discard, c)
		read <- int(n)
	}()
	send(t, srv, id, big)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if n := <-read; n != len(big) {
		t.Fatalf("client read %d bytes before the close, want %d", n, len(big))
	}
}

// TestStreamSendHWM: a client that reads nothing holds Send back after SNDHWM messages (plus
// what the writer and the kernel hold), and its departure fails the waiting Send.
func TestStreamSendHWM(t *testing.T) {
	t.Parallel()
	const hwm, size = 4, 64 << 10
	srv := newSocket(t, zmq.STREAM, zmq.WithSendHWM(hwm), zmq.WithSendBuffer(size))
	c := rawDial(t, bind(t, srv, "tcp://127.0.0.1:*"))
	if err := c.(*net.TCPConn).SetReadBuffer(size); err != nil {
		t.Fatal(err)
	}
	id := expectNotify(t, srv)
	var sent atomic.Int64
	done := make(chan error, 1)
	body := make([]byte, size)
	sender := goID(func() {
		for {
			if err := sendErr(srv, id, body); err != nil {
				done <- err
				return
			}
			sent.Add(1)
		}
	})
	waitParked(t, sendParked, sender)
	// The queue, one message in the writer's hands, and what the kernel's buffers hold (a
	// MiB at most: Linux doubles what was asked for) at most.
	t.Logf("%d messages taken", sent.Load())
	if n, most := sent.Load(), int64(hwm+1+16); n > most {
		t.Fatalf("%d messages of %d KiB taken for a client that reads nothing, want at most %d", n, size>>10, most)
	}
	c.Close()
	if err := <-done; !errors.Is(err, zmq.ErrHostUnreachable) {
		t.Fatalf("Send waiting for a departed client: %v, want ErrHostUnreachable", err)
	}
}
