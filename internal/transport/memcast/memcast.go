// Package memcast is an in-memory multicast transport for tests, registered as "memcast" by
// importing the package (only tests do): "memcast://iface;group:port" reaches every socket
// of the process open on the same group and port, whatever the interface. It is a real
// datagram transport (transport.Datagram), so that the socket layer's wiring for epgm, pgm
// and norm is tested without a network: messages are encoded as a stream cut into datagrams
// of at most MULTICAST_MAXTPDU bytes, a message may span several, and a receiver that misses
// one (Drop) loses the message under way whole and resynchronises on the next message start,
// as a PGM receiver does after unrecoverable loss.
//
// Unlike a network it never drops by itself: a sender waits for a receiver whose queue is
// full, so a test can count on every message it did not drop on purpose.
package memcast

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/transport"
)

// Scheme is the transport's scheme.
const Scheme = "memcast"

func init() { transport.Register(Scheme, Transport{}) }

// ErrDown is Open's error for the interface named "down": a transport that cannot open.
var ErrDown = errors.New("memcast: interface down")

// Transport is the memcast plug-in.
type Transport struct{}

// CheckAddr accepts libzmq's multicast form, iface;group:port.
func (Transport) CheckAddr(addr string) error {
	_, err := transport.ParseMulticast(addr)
	return err
}

// Open joins the group of addr as a sender or a receiver.
func (Transport) Open(addr string, c *transport.Config, send bool) (transport.Engine, error) {
	a, err := transport.ParseMulticast(addr)
	if err != nil {
		return nil, err
	}
	if a.Iface == "down" {
		return nil, ErrDown
	}
	g := group(a.Group.String() + ":" + itoa(a.Port))
	if send {
		tpdu := max(c.Multicast.MaxTPDU, headerLen+minPayload)
		return &sender{g: g, tpdu: tpdu, done: make(chan struct{})}, nil
	}
	r := &receiver{g: g, ch: make(chan []byte, queueLen), done: make(chan struct{})}
	r.dec.max = c.MaxMsgSize
	g.mu.Lock()
	g.recvs[r] = struct{}{}
	g.mu.Unlock()
	return r, nil
}

const queueLen = 256 // datagrams a receiver holds before its senders wait

// bus holds the groups by "group:port".
var bus struct {
	mu     sync.Mutex
	groups map[string]*grp
}

type grp struct {
	mu    sync.Mutex
	recvs map[*receiver]struct{}
	drop  int // drop every drop-th datagram sent (0: none)
	left  int // datagrams the loss still applies to
	sent  int
}

func group(key string) *grp {
	bus.mu.Lock()
	defer bus.mu.Unlock()
	if bus.groups == nil {
		bus.groups = map[string]*grp{}
	}
	g := bus.groups[key]
	if g == nil {
		g = &grp{recvs: map[*receiver]struct{}{}}
		bus.groups[key] = g
	}
	return g
}

// Drop makes the group at "group:port" lose every n-th of the next count datagrams sent to
// it, for every receiver; n = 0 stops the loss. The loss ends after count datagrams, not at a
// time: a sender's engine sends after its socket's Send returns, so a test that stopped the
// loss after its sends could stop it before any datagram went.
func Drop(groupPort string, n, count int) {
	g := group(groupPort)
	g.mu.Lock()
	g.drop, g.left, g.sent = n, count, 0
	g.mu.Unlock()
}

// send hands d to every receiver of the group, waiting for room, unless the loss takes it.
func (g *grp) send(d []byte, done <-chan struct{}) {
	g.mu.Lock()
	lost := false
	if g.drop > 0 && g.left > 0 {
		g.left--
		g.sent++
		lost = g.sent%g.drop == 0
	}
	rs := make([]*receiver, 0, len(g.recvs))
	for r := range g.recvs {
		rs = append(rs, r)
	}
	g.mu.Unlock()
	if lost {
		return
	}
	for _, r := range rs {
		select {
		case r.ch <- d:
		case <-r.done:
		case <-done:
			return
		}
	}
}

// sender encodes what its socket queues into datagrams.
type sender struct {
	g    *grp
	tpdu int
	enc  encoder
	busy atomic.Bool
	done chan struct{}
	once sync.Once
}

func (s *sender) Run(l transport.Link) error {
	var batch []pipeMsg
	for {
		select {
		case <-l.Out.Wake():
		case <-s.done:
			return nil
		}
		for more := true; more; {
			s.busy.Store(true) // before the drain: LINGER must not see the queue empty and us idle
			batch, more = l.Out.Drain(batch[:0], 64<<10)
			for _, m := range batch {
				s.enc.message(m, s.tpdu, s.emit)
			}
			s.enc.flush(s.emit)
			clear(batch)
			s.busy.Store(false)
			l.Idle()
			select {
			case <-s.done:
				return nil
			default:
			}
		}
	}
}

func (s *sender) emit(d []byte) { s.g.send(d, s.done) }

func (s *sender) Busy() bool { return s.busy.Load() }

func (s *sender) Close() error {
	s.once.Do(func() { close(s.done) })
	return nil
}

// receiver decodes the group's datagrams into messages for its socket.
type receiver struct {
	g    *grp
	ch   chan []byte
	dec  decoder
	done chan struct{}
	once sync.Once
}

func (r *receiver) Run(l transport.Link) error {
	for {
		select {
		case d := <-r.ch:
			for _, m := range r.dec.datagram(d) {
				for !l.In.TryDeliver(m) {
					select {
					case <-l.Space:
					case <-r.done:
						return nil
					}
				}
			}
		case <-r.done:
			return nil
		}
	}
}

func (r *receiver) Busy() bool { return false }

func (r *receiver) Close() error {
	r.once.Do(func() {
		r.g.mu.Lock()
		delete(r.g.recvs, r)
		r.g.mu.Unlock()
		close(r.done)
	})
	return nil
}
