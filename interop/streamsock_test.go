package interop

import (
	"bytes"
	"context"
	"testing"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// STREAM against libzmq 4.3's: raw bytes both ways between two STREAM sockets, and a purezmq
// STREAM speaking ZMTP by hand to a libzmq DEALER, as libzmq's own test_stream does.

func pureRecv(t *testing.T, s *zmq.Socket) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatalf("purezmq STREAM Recv: %v", err)
	}
	return m.Frames
}

func pureSend(t *testing.T, s *zmq.Socket, frames ...[]byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := s.Send(ctx, zmq.NewMsg(frames...)); err != nil {
		t.Fatalf("purezmq STREAM Send: %v", err)
	}
}

// streamEnd is one STREAM socket of a test, purezmq's or libzmq's.
type streamEnd struct {
	name string
	recv func(t *testing.T) [][]byte
	send func(t *testing.T, frames ...[]byte)
}

func pureEnd(s *zmq.Socket) streamEnd {
	return streamEnd{"purezmq", func(t *testing.T) [][]byte { return pureRecv(t, s) },
		func(t *testing.T, f ...[]byte) { pureSend(t, s, f...) }}
}

func libEnd(s *zmq4.Socket) streamEnd {
	return streamEnd{"libzmq", func(t *testing.T) [][]byte {
		t.Helper()
		m, err := s.RecvMessageBytes(0)
		if err != nil {
			t.Fatalf("libzmq STREAM recv: %v", err)
		}
		return m
	}, func(t *testing.T, f ...[]byte) {
		t.Helper()
		parts := make([]any, len(f))
		for i := range f {
			parts[i] = f[i]
		}
		if _, err := s.SendMessage(parts...); err != nil {
			t.Fatalf("libzmq STREAM send: %v", err)
		}
	}}
}

// notified receives a connection notification on e and returns its routing id.
func (e streamEnd) notified(t *testing.T) []byte {
	t.Helper()
	m := e.recv(t)
	if len(m) != 2 || len(m[0]) == 0 || len(m[1]) != 0 {
		t.Fatalf("%s STREAM got %d frames %q, want [routing id, empty]", e.name, len(m), m)
	}
	return m[0]
}

// bytesFrom receives on e until n bytes from id have come.
func (e streamEnd) bytesFrom(t *testing.T, id []byte, n int) []byte {
	t.Helper()
	var got []byte
	for len(got) < n {
		m := e.recv(t)
		if len(m) != 2 || !bytes.Equal(m[0], id) || len(m[1]) == 0 {
			t.Fatalf("%s STREAM got %q after %d of %d bytes, want [%x, bytes]", e.name, m, len(got), n, id)
		}
		got = append(got, m[1]...)
	}
	return got
}

func TestStreamSocketLibzmq(t *testing.T) {
	for _, pureBinds := range []bool{false, true} {
		name := "libzmq-binds"
		if pureBinds {
			name = "purezmq-binds"
		}
		t.Run(name, func(t *testing.T) {
			ps := newPure(t, zmq.STREAM)
			ls := newLib(t, newLibCtx(t), zmq.STREAM)
			if pureBinds {
				if err := ls.Connect(pureBind(t, ps, "tcp://127.0.0.1:*")); err != nil {
					t.Fatal(err)
				}
			} else if err := ps.Connect(libBind(t, ls, "tcp://127.0.0.1:*")); err != nil {
				t.Fatal(err)
			}
			pe, le := pureEnd(ps), libEnd(ls)
			pid, lid := pe.notified(t), le.notified(t)
			if len(lid) != 5 || lid[0] != 0 || len(pid) != 5 || pid[0] != 0 {
				t.Fatalf("routing ids %x (purezmq) and %x (libzmq), want 5 bytes from 0", pid, lid)
			}
			big := bytes.Repeat([]byte("purezmq->libzmq "), 10_000) // many reads' worth
			pe.send(t, pid, big)
			if got := le.bytesFrom(t, lid, len(big)); !bytes.Equal(got, big) {
				t.Fatal("libzmq STREAM read other bytes than purezmq's STREAM sent")
			}
			back := bytes.Repeat([]byte("libzmq->purezmq "), 10_000)
			le.send(t, lid, back)
			if got := pe.bytesFrom(t, pid, len(back)); !bytes.Equal(got, back) {
				t.Fatal("purezmq STREAM read other bytes than libzmq's STREAM sent")
			}
			// purezmq closes: libzmq hears the disconnect.
			pe.send(t, pid, nil)
			if gone := le.notified(t); !bytes.Equal(gone, lid) {
				t.Fatalf("libzmq STREAM: disconnect of %x, want %x", gone, lid)
			}
		})
	}
}

// TestStreamSocketSpeaksZMTP: a purezmq STREAM bound, a libzmq DEALER connecting; the STREAM
// sees the DEALER's greeting as raw bytes and answers with a ZMTP 3.0 NULL handshake by hand,
// and a message written so reaches the DEALER.
func TestStreamSocketSpeaksZMTP(t *testing.T) {
	ps := newPure(t, zmq.STREAM)
	dealer := newLib(t, newLibCtx(t), zmq.DEALER)
	if err := dealer.Connect(pureBind(t, ps, "tcp://127.0.0.1:*")); err != nil {
		t.Fatal(err)
	}
	pe := pureEnd(ps)
	id := pe.notified(t)
	// libzmq sends its signature first and waits for ours before the rest of its greeting.
	sig := pe.bytesFrom(t, id, 10)
	if sig[0] != 0xff || sig[9] != 0x7f {
		t.Fatalf("libzmq DEALER's first bytes %x, want ZMTP's signature", sig)
	}
	out := zmtp.Greeting{Major: 3, Minor: 0, Mechanism: "NULL"}.Append(nil)
	pe.send(t, id, zmtp.AppendReady(out, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("ROUTER")}}))
	// The rest of its greeting, then its READY: libzmq takes a message that comes before it
	// has sent READY for a second handshake command.
	in := pe.bytesFrom(t, id, zmtp.GreetingSize-10+2)
	flags, size, _, err := zmtp.ParseFrameHeader(in[zmtp.GreetingSize-10:], 255)
	if err != nil || flags != zmtp.FlagCommand {
		t.Fatalf("libzmq DEALER's READY header %x: %v", in[zmtp.GreetingSize-10:], err)
	}
	if rest := len(in) - (zmtp.GreetingSize - 10 + 2); rest < size {
		in = append(in, pe.bytesFrom(t, id, size-rest)...)
	}
	if _, err := zmtp.ParseCommand(in[zmtp.GreetingSize-10+2:][:size]); err != nil {
		t.Fatalf("libzmq DEALER's READY: %v", err)
	}
	pe.send(t, id, zmtp.AppendFrame(nil, 0, []byte("raw hello")))
	m, err := dealer.RecvMessageBytes(0)
	if err != nil {
		t.Fatalf("libzmq DEALER recv: %v", err)
	}
	if len(m) != 1 || string(m[0]) != "raw hello" {
		t.Fatalf("libzmq DEALER got %q, want [raw hello]", m)
	}
}

// pyStream is a python3-zmq STREAM that binds, answers the first bytes it gets with "pong:"
// and them, and prints "closed" once its peer hangs up.
const pyStream = `
import zmq
ctx = zmq.Context()
s = ctx.socket(zmq.STREAM)
s.linger = 0
s.rcvtimeo = s.sndtimeo = 10000
s.bind("tcp://127.0.0.1:*")
print(s.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
peer, empty = s.recv_multipart()
assert empty == b""
data = b""
while len(data) < 4:
    i, d = s.recv_multipart()
    assert i == peer
    data += d
s.send_multipart([peer, b"pong:" + data])
i, d = s.recv_multipart()
print("closed" if i == peer and d == b"" else "got %r" % d, flush=True)
s.close()
ctx.term()
`

func TestStreamSocketPython(t *testing.T) {
	out, wait := runPython(t, pyStream)
	ep := readLine(t, out, wait)
	ps := newPure(t, zmq.STREAM)
	if err := ps.Connect(ep); err != nil {
		t.Fatal(err)
	}
	pe := pureEnd(ps)
	id := pe.notified(t)
	pe.send(t, id, []byte("ping"))
	if got := pe.bytesFrom(t, id, 9); string(got) != "pong:ping" {
		t.Fatalf("python STREAM answered %q, want pong:ping", got)
	}
	pe.send(t, id, nil)
	if got := readLine(t, out, wait); got != "closed" {
		t.Fatalf("python STREAM: %s, want closed", got)
	}
	wait()
}
