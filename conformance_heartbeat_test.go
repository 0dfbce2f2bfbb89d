package zmq_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

func TestHeartbeatOptions(t *testing.T) {
	for _, o := range []zmq.Option{
		zmq.WithHeartbeatIvl(time.Second), zmq.WithHeartbeatTTL(6553500 * time.Millisecond),
		zmq.WithHeartbeatTimeout(0), zmq.WithOption(zmq.OptHeartbeatIvl, 100),
		zmq.WithOption(zmq.OptHeartbeatTTL, time.Second), zmq.WithOption(zmq.OptHeartbeatTimeout, int64(250)),
	} {
		s, err := zmq.NewSocket(zmq.DEALER, o)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	for _, o := range []zmq.Option{
		zmq.WithHeartbeatIvl(-1), zmq.WithHeartbeatTTL(-1), zmq.WithHeartbeatTTL(6553600 * time.Millisecond),
		zmq.WithHeartbeatTimeout(-time.Second), zmq.WithOption(zmq.OptHeartbeatIvl, "1s"),
	} {
		if _, err := zmq.NewSocket(zmq.DEALER, o); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("got %v, want ErrOption", err)
		}
	}
	for name, want := range map[string]zmq.OptionID{
		"ZMQ_HEARTBEAT_IVL": 75, "heartbeat_ttl": 76, "HEARTBEAT_TIMEOUT": 77,
	} {
		if id, ok := zmq.LookupOption(name); !ok || id != want {
			t.Errorf("LookupOption(%q) = %v, %v; want %d", name, id, ok, want)
		}
	}
}

// rawServer is a hand-driven ZMTP 3.1 ROUTER listening on tcp or ipc: it accepts connections,
// reports PINGs it receives and answers them with PONG only when answer is set.
type rawServer struct {
	ep       string
	accepted chan *rawPeer
	answer   bool
	wg       sync.WaitGroup
}

type rawPeer struct {
	pings  chan uint16 // each PING's TTL, in deciseconds
	closed chan struct{}
}

func newRawServer(t *testing.T, tr string, answer bool) *rawServer {
	t.Helper()
	var (
		l   net.Listener
		err error
		ep  string
	)
	if tr == "ipc" {
		ep = freeIPCEndpoint(t)
		l, err = net.Listen("unix", strings.TrimPrefix(ep, "ipc://"))
	} else {
		l, err = net.Listen("tcp4", "127.0.0.1:0")
		if err == nil {
			ep = "tcp://" + l.Addr().String()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ep: ep, accepted: make(chan *rawPeer, 16), answer: answer}
	done := make(chan struct{})
	var mu sync.Mutex
	var conns []net.Conn
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			p := &rawPeer{pings: make(chan uint16, 1024), closed: make(chan struct{})}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer close(p.closed)
				s.serve(nc, p)
			}()
			select {
			case s.accepted <- p:
			case <-done:
			}
		}
	}()
	t.Cleanup(func() {
		close(done)
		l.Close()
		mu.Lock()
		for _, nc := range conns {
			nc.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// serve handshakes, then reads frames until the connection ends.
func (s *rawServer) serve(nc net.Conn, p *rawPeer) {
	out := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL", AsServer: true}.Append(nil)
	out = zmtp.AppendReady(out, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("ROUTER")}})
	if _, err := nc.Write(out); err != nil {
		return
	}
	r := bufio.NewReader(nc)
	if _, err := io.ReadFull(r, make([]byte, zmtp.GreetingSize)); err != nil {
		return
	}
	for {
		flags, body, err := readFrame(r)
		if err != nil {
			return
		}
		if flags&zmtp.FlagCommand == 0 {
			continue
		}
		cmd, err := zmtp.ParseCommand(body)
		if err != nil || cmd.Name != zmtp.CmdPing {
			continue
		}
		ttl, ctx, _ := zmtp.ParsePing(cmd)
		select {
		case p.pings <- ttl:
		default: // nobody counts them any more
		}
		if s.answer {
			if _, err := nc.Write(zmtp.AppendPong(nil, ctx)); err != nil {
				return
			}
		}
	}
}

func readFrame(r *bufio.Reader) (byte, []byte, error) {
	flags, err := r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	var size uint64
	if flags&zmtp.FlagLong != 0 {
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		size = binary.BigEndian.Uint64(b[:])
	} else {
		b, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		size = uint64(b)
	}
	if size > 1<<20 {
		return 0, nil, errors.New("frame too large for this test")
	}
	body := make([]byte, size)
	_, err = io.ReadFull(r, body)
	return flags, body, err
}

func (s *rawServer) next(t *testing.T) *rawPeer {
	t.Helper()
	select {
	case p := <-s.accepted:
		return p
	case <-time.After(waitLong):
		t.Fatal("no connection")
		return nil
	}
}

func TestHeartbeatDropsSilentPeerAndReconnects(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		const ivl, timeout = 50 * time.Millisecond, 100 * time.Millisecond
		srv := newRawServer(t, tr.name, false)
		d := newSocket(t, zmq.DEALER, zmq.WithHeartbeatIvl(ivl), zmq.WithHeartbeatTimeout(timeout),
			zmq.WithHeartbeatTTL(time.Second), zmq.WithReconnectIvl(20*time.Millisecond))
		connect(t, d, srv.ep)
		first := srv.next(t)
		start := time.Now()
		select {
		case ttl := <-first.pings:
			if ttl != 10 {
				t.Errorf("PING TTL %d deciseconds, want 10", ttl)
			}
		case <-time.After(waitLong):
			t.Fatal("no PING")
		}
		select {
		case <-first.closed:
			if el := time.Since(start); el < timeout {
				t.Errorf("dropped %v after the first PING, before the timeout", el)
			}
		case <-time.After(waitLong):
			t.Fatal("the silent peer was not dropped")
		}
		second := srv.next(t) // the connect side comes back on its own
		select {
		case <-second.pings:
		case <-time.After(waitLong):
			t.Fatal("no PING on the new connection")
		}
	})
}

func TestHeartbeatAnsweredPeerStaysConnected(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		const ivl = 30 * time.Millisecond
		srv := newRawServer(t, tr.name, true)
		d := newSocket(t, zmq.DEALER, zmq.WithHeartbeatIvl(ivl), zmq.WithHeartbeatTimeout(300*time.Millisecond),
			zmq.WithReconnectIvl(20*time.Millisecond))
		connect(t, d, srv.ep)
		p := srv.next(t)
		deadline := time.After(waitLong)
		for range 10 {
			select {
			case <-p.pings:
			case <-p.closed:
				t.Fatal("an answering peer was dropped")
			case <-deadline:
				t.Fatal("too few PINGs")
			}
		}
		select {
		case <-srv.accepted:
			t.Fatal("the socket reconnected")
		case <-p.closed:
			t.Fatal("an answering peer was dropped")
		default:
		}
	})
}

// TestHeartbeatBetweenSockets runs heartbeats both ways between purezmq sockets, in the clear
// and under CURVE (whose PINGs and PONGs are sealed like messages).
func TestHeartbeatBetweenSockets(t *testing.T) {
	mechanisms := nullAndCurve(t)
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		for _, m := range mechanisms {
			t.Run(m.name, func(t *testing.T) {
				const ivl = 30 * time.Millisecond
				opts := []zmq.Option{zmq.WithHeartbeatIvl(ivl), zmq.WithHeartbeatTimeout(300 * time.Millisecond),
					zmq.WithHeartbeatTTL(500 * time.Millisecond)}
				router := newSocket(t, zmq.ROUTER, append(opts, m.server...)...)
				dealer := newSocket(t, zmq.DEALER, append(opts, m.client...)...)
				link(t, tr, router, dealer)
				sendString(t, dealer, "one")
				first := recvWithin(t, router, waitLong)
				expectNoMsg(t, router, 15*ivl) // heartbeats only, both ways, for a while
				sendString(t, dealer, "two")
				second := recvWithin(t, router, waitLong)
				// A new connection would have a new routing id.
				if string(first.Frames[0]) != string(second.Frames[0]) || string(second.Frames[1]) != "two" {
					t.Fatalf("got %q then %q: the connection did not stay up", fmtFrames(first.Frames), fmtFrames(second.Frames))
				}
			})
		}
	})
}
