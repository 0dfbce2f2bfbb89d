//go:build unix

package socket

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// handshakes is a monitor sink that reports each completed handshake.
type handshakes chan struct{}

func (h handshakes) Deliver(e MonitorEvent) {
	if e.Type == EvHandshakeSucceeded {
		select {
		case h <- struct{}{}:
		default:
		}
	}
}

func (h handshakes) Stop() {}

// sockBufs reads a connection's SO_SNDBUF and SO_RCVBUF as the kernel holds them.
func sockBufs(t *testing.T, c net.Conn) (snd, rcv int) {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr, rerr error
	if err := rc.Control(func(fd uintptr) {
		snd, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF)
		rcv, rerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	}); err != nil || serr != nil || rerr != nil {
		t.Fatalf("getsockopt: %v %v %v", err, serr, rerr)
	}
	return snd, rcv
}

// plainBufs returns what the kernel reports for a plain connection of network whose buffers
// were set to snd and rcv (-1: left alone), since kernels round what they are given.
func plainBufs(t *testing.T, network, addr string, snd, rcv int) (int, int) {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	type bufConn interface {
		SetWriteBuffer(int) error
		SetReadBuffer(int) error
	}
	if snd >= 0 {
		_ = c.(bufConn).SetWriteBuffer(snd)
	}
	if rcv >= 0 {
		_ = c.(bufConn).SetReadBuffer(rcv)
	}
	return sockBufs(t, c)
}

// TestSockBufReachesKernel: SNDBUF and RCVBUF are set on the connections a socket accepts and
// those it dials, over tcp and ipc.
func TestSockBufReachesKernel(t *testing.T) {
	const snd, rcv = 6000, 7000
	dir := t.TempDir()
	for _, tr := range []struct{ name, network, plain, bind string }{
		{"tcp", "tcp4", "127.0.0.1:0", "tcp://127.0.0.1:*"},
		{"ipc", "unix", filepath.Join(dir, "plain"), "ipc://" + filepath.Join(dir, "zmq")},
	} {
		t.Run(tr.name, func(t *testing.T) {
			wantSnd, wantRcv := plainBufs(t, tr.network, tr.plain, snd, rcv)
			_ = os.Remove(tr.plain)
			defSnd, defRcv := plainBufs(t, tr.network, tr.plain, -1, -1)
			_ = os.Remove(tr.plain)
			if defSnd == wantSnd || defRcv == wantRcv {
				t.Fatalf("the kernel's defaults (%d, %d) equal the values under test", defSnd, defRcv)
			}
			ctx := NewContext()
			defer ctx.Close()
			o := DefaultOptions()
			o.Linger = 0
			o.Buffers.Send, o.Buffers.Recv = snd, rcv
			plain := DefaultOptions()
			plain.Linger = 0
			for _, side := range []struct {
				name                 string
				binder, connecter    Options
				checkBind, checkConn bool
			}{
				{"accepted", o, plain, true, false},
				{"dialled", plain, o, false, true},
			} {
				b, err := New(ctx, DEALER, side.binder)
				if err != nil {
					t.Fatal(err)
				}
				c, err := New(ctx, DEALER, side.connecter)
				if err != nil {
					t.Fatal(err)
				}
				hb, hc := make(handshakes, 1), make(handshakes, 1)
				b.AddMonitor(hb)
				c.AddMonitor(hc)
				if err := b.Bind(tr.bind); err != nil {
					t.Fatal(err)
				}
				if err := c.Connect(b.LastEndpoint()); err != nil {
					t.Fatal(err)
				}
				for _, h := range []handshakes{hb, hc} {
					select {
					case <-h:
					case <-time.After(10 * time.Second):
						t.Fatalf("%s: no handshake", side.name)
					}
				}
				for _, s := range []struct {
					sock *Socket
					set  bool
				}{{b, side.checkBind}, {c, side.checkConn}} {
					gotSnd, gotRcv := sockBufs(t, soleConn(t, s.sock))
					ws, wr := defSnd, defRcv
					if s.set {
						ws, wr = wantSnd, wantRcv
					}
					// A default buffer may have grown with the traffic (tcp autotuning), so
					// only the set ones are compared exactly.
					if s.set && (gotSnd != ws || gotRcv != wr) || !s.set && (gotSnd == wantSnd || gotRcv == wantRcv) {
						t.Errorf("%s: %v connection has SO_SNDBUF %d SO_RCVBUF %d, want %d %d",
							side.name, s.sock.Type(), gotSnd, gotRcv, ws, wr)
					}
				}
				b.Close()
				c.Close()
			}
		})
	}
}

func soleConn(t *testing.T, s *Socket) net.Conn {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.nconns) != 1 {
		t.Fatalf("%d connections, want 1", len(s.nconns))
	}
	for nc := range s.nconns {
		return nc
	}
	return nil
}
