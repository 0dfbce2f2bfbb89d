package engine

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// patterned returns n bytes that differ with seed and position, so a frame sent twice or cut
// short does not compare equal to the one expected.
func patterned(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(seed*31 + i%251)
	}
	return b
}

// TestWriteNowPartialThenWritev: a direct write (WriteNow) that the socket buffer takes only
// partly, then a message with a big frame that the writer sends by writev, with command frames
// queued before and in between: the peer receives every message exactly as sent. The bytes the
// direct write got out must not go out again, whichever way the writer flushes the rest.
func TestWriteNowPartialThenWritev(t *testing.T) {
	sk, ck := newKeyPair(t), newKeyPair(t)
	mechs := []struct {
		name       string
		send, recv Config
	}{
		{"null", cfg("PAIR"), cfg("PAIR")},
		{"curve", secured("PAIR", curveClientCfg(ck, sk.pub)), secured("PAIR", curveServerCfg(sk))},
	}
	for _, mech := range mechs {
		t.Run(mech.name, func(t *testing.T) {
			// Small socket buffers: the direct write cannot take the first message whole.
			c, peer := pausedWriter(t, mech.send, mech.recv, 32<<10)
			first := make(pipe.Msg, 200)
			for i := range first {
				first[i] = patterned(i, 7<<10)
			}
			second := pipe.Msg{patterned(1000, 16<<10)}
			third := pipe.Msg{[]byte("small"), patterned(2000, 9<<10), []byte("tail")}

			q := pipe.NewOutQueue(0, nil)
			c.sendControl(zmtp.AppendPing(nil, 0, []byte("before")))
			q.TryPush(first)
			c.WriteNow(q)
			if c.w.pending == 0 {
				t.Fatal("the direct write took the whole first message: the test needs a partial write")
			}
			c.sendControl(zmtp.AppendPing(nil, 0, []byte("between")))
			q.TryPush(second)
			q.TryPush(third)

			rb := run(peer, 0)
			defer func() {
				c.nc.Close()
				<-rb.done
			}()
			writeAndCheck(t, c, q, rb, []pipe.Msg{first, second, third})
		})
	}
}

// pausedWriter returns the two ends of a connection handshaken with send's and recv's configs,
// their socket buffers set to sockBuf, the sending end as Run leaves it between writes but
// without its goroutines, so a test decides what the writer goroutine does next.
func pausedWriter(t *testing.T, send, recv Config, sockBuf int) (c, peer *Conn) {
	t.Helper()
	a, b := handshakeSecured(t, send, recv)
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	_ = a.c.NetConn().(*net.TCPConn).SetWriteBuffer(sockBuf)
	_ = b.c.NetConn().(*net.TCPConn).SetReadBuffer(sockBuf)
	c = a.c
	c.w.nc, c.w.seal, c.w.wbuf = c.nc, c.codec, make([]byte, 0, ownSize)
	c.hb = &heartbeat{c: c, awaiting: -1, stopped: true}
	return c, b.c
}

// writeAndCheck has c's writer write what q holds, as the writer goroutine does, and checks
// that rb's connection receives want, in order, each message exactly as sent. On a failure it
// closes c's connection, so the writer ends, before failing the test.
func writeAndCheck(t *testing.T, c *Conn, q *pipe.OutQueue, rb *running, want []pipe.Msg) {
	t.Helper()
	wrote := make(chan error, 1)
	go func() {
		c.wmu.Lock()
		defer c.wmu.Unlock()
		wrote <- c.writeQueued(q)
	}()
	fail := func(format string, args ...any) {
		t.Helper()
		c.nc.Close()
		<-wrote
		t.Fatalf(format, args...)
	}
	for i, m := range want {
		got, err := recvOrEnd(rb)
		if err != nil {
			fail("message %d: the receiving connection ended: %v", i, err)
		}
		if d := msgDiff(got, m); d != "" {
			fail("message %d arrived altered: %s", i, d)
		}
	}
	if err := <-wrote; err != nil {
		t.Fatalf("writing: %v", err)
	}
}

// recvOrEnd returns the next message r delivers, or the error its Run ended with.
func recvOrEnd(r *running) (pipe.Msg, error) {
	deadline := time.After(10 * time.Second)
	for {
		if _, m, _, ok := r.ib.Pop(); ok {
			return m, nil
		}
		if r.ib.BeginWait() {
			select {
			case <-r.ib.Wake():
			case err := <-r.done:
				r.ib.EndWait()
				r.done <- err
				return nil, fmt.Errorf("Run ended: %v", err)
			case <-deadline:
				r.ib.EndWait()
				return nil, fmt.Errorf("no message within 10s")
			}
			r.ib.EndWait()
		}
	}
}

// msgDiff describes how got differs from want, or returns "".
func msgDiff(got, want pipe.Msg) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Sprintf("frame %d differs (%d bytes, want %d)", i, len(got[i]), len(want[i]))
		}
	}
	return ""
}

func TestSkip(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "abc|de|f"},
		{2, "c|de|f"},
		{3, "de|f"},
		{4, "e|f"},
		{6, ""},
	}
	for _, tc := range tests {
		bs := net.Buffers{[]byte("abc"), []byte("de"), []byte("f")}
		var got []string
		for _, b := range skip(bs, tc.n) {
			got = append(got, string(b))
		}
		if s := strings.Join(got, "|"); s != tc.want {
			t.Errorf("skip %d: %q, want %q", tc.n, s, tc.want)
		}
	}
}
