package zmq_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A Send that answers a Recv writes the destination connection from the sender's goroutine
// whichever of the socket's peers it goes to (internal/socket/direct.go), while a Send that
// answers nothing wakes the connection's writer goroutine. These tests drive a ROUTER serving
// several DEALERs through both paths on each connection at once and check that every peer gets
// exactly its own messages, whole and in order.

// echoShapes are the frame sizes requests take: empty, small, either side of the size from
// which the writer sends bodies uncopied (8 KiB), and big.
var echoShapes = []int{0, 1, 100, 8<<10 - 1, 8 << 10, 70 << 10}

// echoRequest is request seq of client c: 1 to 3 frames, the first starting with c and seq.
func echoRequest(r *rand.Rand, c, seq int) [][]byte {
	frames := make([][]byte, 1+r.IntN(3))
	for i := range frames {
		n := echoShapes[r.IntN(len(echoShapes))]
		if i == 0 {
			n = max(n, 8)
		}
		f := make([]byte, n)
		for k := range f {
			f[k] = byte(c*31 + seq*7 + i + k)
		}
		if i == 0 {
			binary.BigEndian.PutUint32(f, uint32(c))
			binary.BigEndian.PutUint32(f[4:], uint32(seq))
		}
		frames[i] = f
	}
	return frames
}

// extraFor reports whether the server follows its echo of request seq with a second message:
// that one answers no Recv, so it takes the writer goroutine's path on the same connection.
func extraFor(seq int) bool { return seq%3 == 0 }

var extraFrame = []byte("extra")

// echoServer answers every request on router with its echo, and some with an extra message
// after it, until router is closed.
func echoServer(router *zmq.Socket) error {
	ctx := context.Background()
	for {
		m, err := router.Recv(ctx)
		if err != nil {
			return err
		}
		seq := int(binary.BigEndian.Uint32(m.Frames[1][4:]))
		if err := router.Send(ctx, m); err != nil {
			return err
		}
		if extraFor(seq) {
			if err := router.Send(ctx, zmq.NewMsg(m.Frames[0], extraFrame, m.Frames[1][:8])); err != nil {
				return err
			}
		}
	}
}

// echoClient sends n requests, at most window outstanding, and checks every reply and extra
// message, in order. It stops early, closing its socket, after leave requests when leave > 0.
func echoClient(ctx context.Context, d *zmq.Socket, c, n, window, leave int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, uint64(c)))
	var sent [][][]byte
	recvd := 0
	for recvd < n {
		if leave > 0 && recvd == leave {
			return d.Close() // a peer leaving mid-stream, its replies still on the way
		}
		for len(sent) < n && len(sent)-recvd < window {
			req := echoRequest(r, c, len(sent))
			want := make([][]byte, len(req))
			for i := range req {
				want[i] = bytes.Clone(req[i])
			}
			if err := d.Send(ctx, zmq.NewMsg(req...)); err != nil {
				return fmt.Errorf("client %d send %d: %w", c, len(sent), err)
			}
			sent = append(sent, want)
		}
		m, err := d.Recv(ctx)
		if err != nil {
			return fmt.Errorf("client %d waiting for reply %d: %w", c, recvd, err)
		}
		if diff := framesDiff(m.Frames, sent[recvd]); diff != "" {
			return fmt.Errorf("client %d reply %d: %s", c, recvd, diff)
		}
		if extraFor(recvd) {
			m, err := d.Recv(ctx)
			if err != nil {
				return fmt.Errorf("client %d waiting for extra %d: %w", c, recvd, err)
			}
			if diff := framesDiff(m.Frames, [][]byte{extraFrame, sent[recvd][0][:8]}); diff != "" {
				return fmt.Errorf("client %d extra %d: %s", c, recvd, diff)
			}
		}
		recvd++
	}
	return nil
}

// TestDirectSendManyPeers: a ROUTER echoing to DEALERs that pipeline requests of every shape,
// with small socket buffers (partial direct writes), plain and CURVE (whose nonces must go
// out in the order they were taken), while some peers join late and some leave mid-stream.
func TestDirectSendManyPeers(t *testing.T) {
	for _, sec := range []string{"null", "curve"} {
		t.Run(sec, func(t *testing.T) {
			forEachWireTransport(t, func(t *testing.T, tr transport) {
				var serverOpts, clientOpts []zmq.Option
				if sec == "curve" {
					spub, ssec := keyPair(t)
					cpub, csec := keyPair(t)
					serverOpts = []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}
					clientOpts = []zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}
				}
				runEchoPeers(t, tr, serverOpts, clientOpts, uint64(time.Now().UnixNano()))
			})
		})
	}
}

func runEchoPeers(t *testing.T, tr transport, serverOpts, clientOpts []zmq.Option, seed uint64) {
	const clients, requests = 6, 40
	router := newSocket(t, zmq.ROUTER, append(serverOpts, zmq.WithSendBuffer(4096), zmq.WithRecvBuffer(4096))...)
	ep := bind(t, router, tr.wildcard())
	served := make(chan error, 1)
	go func() { served <- echoServer(router) }()

	ctx, cancel := context.WithTimeout(context.Background(), 4*waitLong)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	joined := make(chan struct{}) // the late half joins once one of the first half is done
	var firstReply sync.Once
	for c := range clients {
		d := newSocket(t, zmq.DEALER, append(clientOpts, zmq.WithRecvBuffer(4096), zmq.WithSendBuffer(4096))...)
		leave := 0
		if c%3 == 2 {
			leave = requests / 2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c >= clients/2 {
				select {
				case <-joined:
				case <-ctx.Done():
					errs <- ctx.Err()
					return
				}
			}
			if err := d.Connect(ep); err != nil {
				errs <- err
				return
			}
			if c < clients/2 {
				defer firstReply.Do(func() { close(joined) })
			}
			if err := echoClient(ctx, d, c, requests, 1+c%4, leave, seed); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("seed %d: %v", seed, err)
	}
	_ = router.Close()
	if err := <-served; !errors.Is(err, zmq.ErrClosed) {
		t.Errorf("echo server ended with %v, want ErrClosed", err)
	}
}

// TestDirectSendLinger: replies a ROUTER wrote directly, in part (a small send buffer and a
// peer that reads only later), are finished by the connection's writer goroutine after Close,
// within the linger period: each of several peers gets all of its replies.
func TestDirectSendLinger(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		const clients, requests = 4, 8
		router := newSocket(t, zmq.ROUTER, zmq.WithSendBuffer(4096), zmq.WithLinger(waitLong))
		ep := bind(t, router, tr.wildcard())
		ds := make([]*zmq.Socket, clients)
		for c := range ds {
			ds[c] = newSocket(t, zmq.DEALER, zmq.WithRecvBuffer(4096))
			connect(t, ds[c], ep)
			for i := range requests {
				send(t, ds[c], []byte(fmt.Sprintf("%d-%d", c, i)))
			}
		}
		body := bytes.Repeat([]byte("r"), 24<<10) // more than both socket buffers hold
		for range clients * requests {
			m := recvWithin(t, router, waitLong)
			send(t, router, m.Frames[0], m.Frames[1], body)
		}
		if err := router.Close(); err != nil {
			t.Fatal(err)
		}
		for c, d := range ds {
			for i := range requests {
				m := recvWithin(t, d, waitLong)
				if d := framesDiff(m.Frames, [][]byte{[]byte(fmt.Sprintf("%d-%d", c, i)), body}); d != "" {
					t.Fatalf("client %d reply %d: %s", c, i, d)
				}
			}
		}
	})
}

// TestDirectSendCloseWhileAnswering: closing a ROUTER while its server goroutine answers
// several busy peers ends every call and goroutine, with neither a panic nor a hang.
func TestDirectSendCloseWhileAnswering(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		router := newSocket(t, zmq.ROUTER, zmq.WithSendBuffer(4096))
		ep := bind(t, router, tr.wildcard())
		served := make(chan error, 1)
		go func() { served <- echoServer(router) }()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		answered := make(chan struct{}, 4)
		for c := range 4 {
			d := newSocket(t, zmq.DEALER)
			connect(t, d, ep)
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(c), 1))
				for seq := 0; ; seq++ { // replies are not checked here: extras come in between
					if d.Send(ctx, zmq.NewMsg(echoRequest(r, c, seq)...)) != nil {
						return
					}
					if _, err := d.Recv(ctx); err != nil {
						return
					}
					select {
					case answered <- struct{}{}:
					default:
					}
				}
			}()
		}
		for range 4 {
			select {
			case <-answered:
			case <-time.After(waitLong):
				t.Fatal("no answers before Close")
			}
		}
		_ = router.Close()
		select {
		case err := <-served:
			if !errors.Is(err, zmq.ErrClosed) {
				t.Errorf("echo server ended with %v, want ErrClosed", err)
			}
		case <-time.After(waitLong):
			t.Fatal("the echo server's Send or Recv did not return after Close")
		}
		cancel()
		wg.Wait()
	})
}
