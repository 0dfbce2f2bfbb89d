package zmq_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// socksServer is a small SOCKS5 proxy (RFC 1928, with RFC 1929's login when user is set)
// that reports each CONNECT target it is asked for on seen.
type socksServer struct {
	l          net.Listener
	user, pass string
	refuse     byte // a CONNECT reply code other than 0 refuses every request
	seen       chan string
	wg         sync.WaitGroup
}

func newSocksServer(t *testing.T, user, pass string, refuse byte) *socksServer {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &socksServer{l: l, user: user, pass: pass, refuse: refuse, seen: make(chan string, 16)}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { l.Close(); s.wg.Wait() })
	return s
}

func (s *socksServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

func (s *socksServer) handle(c net.Conn) {
	defer c.Close()
	var h [2]byte
	if _, err := io.ReadFull(c, h[:]); err != nil || h[0] != 5 {
		return
	}
	methods := make([]byte, h[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	want := byte(0)
	if s.user != "" {
		want = 2
	}
	if !containsByte(methods, want) {
		c.Write([]byte{5, 0xff})
		return
	}
	c.Write([]byte{5, want})
	if want == 2 {
		user, pass, ok := readLogin(c)
		status := byte(0)
		if !ok || user != s.user || pass != s.pass {
			status = 1
		}
		c.Write([]byte{1, status})
		if status != 0 {
			return
		}
	}
	var r [4]byte
	if _, err := io.ReadFull(c, r[:]); err != nil || r[1] != 1 {
		return
	}
	var host string
	switch r[3] {
	case 1, 4:
		ip := make([]byte, map[byte]int{1: 4, 4: 16}[r[3]])
		io.ReadFull(c, ip)
		host = net.IP(ip).String()
	case 3:
		var n [1]byte
		io.ReadFull(c, n[:])
		name := make([]byte, n[0])
		io.ReadFull(c, name)
		host = string(name)
	}
	var p [2]byte
	if _, err := io.ReadFull(c, p[:]); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(p[:]))))
	select {
	case s.seen <- target:
	default: // a test that does not look at them
	}
	if s.refuse != 0 {
		c.Write([]byte{5, s.refuse, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
	done := make(chan struct{})
	go func() { io.Copy(up, c); up.Close(); close(done) }()
	io.Copy(c, up)
	c.Close()
	<-done
}

func readLogin(c net.Conn) (user, pass string, ok bool) {
	var v [2]byte
	if _, err := io.ReadFull(c, v[:]); err != nil || v[0] != 1 {
		return "", "", false
	}
	u := make([]byte, v[1])
	io.ReadFull(c, u)
	var n [1]byte
	io.ReadFull(c, n[:])
	pw := make([]byte, n[0])
	_, err := io.ReadFull(c, pw)
	return string(u), string(pw), err == nil
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// TestSocksProxy: tcp connections through a SOCKS5 proxy, with and without a login; a proxy
// that refuses makes each attempt fail with ErrSocks and nothing is delivered.
func TestSocksProxy(t *testing.T) {
	for _, tt := range []struct {
		name                string
		user, pass, tryPass string
		refuse              byte
		delivered           bool
	}{
		{name: "no-auth", delivered: true},
		{name: "login", user: "alice", pass: "secret", tryPass: "secret", delivered: true},
		{name: "wrong-password", user: "alice", pass: "secret", tryPass: "guess"},
		{name: "connect-refused", refuse: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			proxy := newSocksServer(t, tt.user, tt.pass, tt.refuse)
			pull := newSocket(t, zmq.PULL)
			ep := bind(t, pull, "tcp://127.0.0.1:*")
			push := newSocket(t, zmq.PUSH)
			opts := []zmq.Option{zmq.WithSocksProxy(proxy.l.Addr().String())}
			if tt.user != "" {
				opts = append(opts, zmq.WithSocksUsername(tt.user), zmq.WithSocksPassword(tt.tryPass))
			}
			if err := push.SetOptions(opts...); err != nil {
				t.Fatal(err)
			}
			events, stop := push.Monitor(zmq.EventClosed)
			defer stop()
			connect(t, push, ep)
			if tt.delivered {
				sendString(t, push, "via SOCKS")
				expectRecvString(t, pull, "via SOCKS")
				if got := <-proxy.seen; "tcp://"+got != ep {
					t.Errorf("proxy asked to connect to %s, want %s", got, ep)
				}
				return
			}
			if e, ok := <-events; !ok || !errors.Is(e.Err, zmq.ErrSocks) {
				t.Fatalf("monitor: %v (open %v), want a failed attempt matching ErrSocks", e, ok)
			}
			expectNoMsg(t, pull, waitShort)
		})
	}
}
