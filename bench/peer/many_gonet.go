package peer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// GoNet is the floor of the ROUTER echo and N PUSH → PULL cells: the same traffic, measured
// the same way, with no messaging library at all, as a Go programmer writes it with the
// standard library alone. The echo server is a goroutine per accepted connection reading each
// request of -size bytes and writing it back, each client a plain connection, a request
// written and its reply read in full; the receiver of N PUSH → PULL a goroutine per
// connection reading through a bufio.Reader, each sender a connection written through a
// bufio.Writer. What the two Go runtimes' schedulers make of the cell's processes, this shows
// without purezmq; it is no ZeroMQ peer and talks to nothing but itself.
const GoNet = "gonet"

// GoEpoll is a second floor of the ROUTER echo, its server only (its clients are GoNet's):
// one goroutine serving every connection through an epoll instance of its own, reading the
// ready ones in the order the kernel reports them and answering each at once, as libzmq's I/O
// thread does and as a Go program may with golang.org/x/sys/unix. Where GoNet shows what
// Go's scheduler makes of a goroutine per connection, GoEpoll shows what a server that does
// its own readiness takes off that (Linux only).
const GoEpoll = "goepoll"

// floorRoles are the roles each floor plays.
var floorRoles = map[string]map[string]bool{
	GoNet:   {RouterEcho: true, DealerRT: true, PullFair: true, PushFair: true},
	GoEpoll: {RouterEcho: true},
}

// isFloor reports whether impl is a floor that plays role.
func isFloor(impl, role string) bool { return floorRoles[impl][role] }

// netAddr is the net package's network and address for a tcp:// or ipc:// endpoint.
func netAddr(endpoint string) (network, addr string, err error) {
	switch {
	case strings.HasPrefix(endpoint, "tcp://"):
		return "tcp", strings.TrimPrefix(endpoint, "tcp://"), nil
	case strings.HasPrefix(endpoint, "ipc://"):
		return "unix", strings.TrimPrefix(endpoint, "ipc://"), nil
	}
	return "", "", fmt.Errorf("peer: the floors take tcp:// or ipc:// endpoints, not %q", endpoint)
}

// echoNet is router_echo for GoNet: it accepts Peers connections and echoes each request on
// its own goroutine until the client closes its connection (its end marker).
func (m *many) echoNet(stderr io.Writer, res *ManyResult) error {
	l, err := m.listenNet(stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	var echoed atomic.Int64
	err = m.each(func(int) error {
		c, err := m.acceptNet(l)
		if err != nil {
			return err
		}
		defer c.Close()
		b := make([]byte, m.c.Size)
		for {
			if _, err := io.ReadFull(c, b); err != nil {
				if errors.Is(err, io.EOF) {
					return nil // the client is done
				}
				return m.wrap("server read", err)
			}
			if _, err := c.Write(b); err != nil {
				return m.wrap("server write", err)
			}
			m.progress.Add(1)
			echoed.Add(1)
		}
	})
	res.Echoed = int(echoed.Load())
	return err
}

// The plain connections of GoNet: listened for, accepted and dialled on the run's endpoint,
// each closed when the run is cancelled (a peer failed or stalled) as a ZeroMQ socket's
// blocked calls return then.

// listenNet listens on the run's endpoint and says ready.
func (m *many) listenNet(stderr io.Writer) (net.Listener, error) {
	network, addr, err := netAddr(m.c.Endpoint)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("peer: %s listen %s: %w", GoNet, m.c.Endpoint, err)
	}
	fmt.Fprintln(stderr, "ready")
	m.closeOnCancel(l)
	return l, nil
}

// acceptNet accepts a connection on l.
func (m *many) acceptNet(l net.Listener) (net.Conn, error) {
	c, err := l.Accept()
	if err != nil {
		return nil, m.wrap("accept", err)
	}
	m.closeOnCancel(c)
	return c, nil
}

// dialNetConn dials the run's endpoint.
func (m *many) dialNetConn() (net.Conn, error) {
	network, addr, err := netAddr(m.c.Endpoint)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(m.ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("peer: %s dial %s: %w", GoNet, m.c.Endpoint, err)
	}
	m.closeOnCancel(c)
	return c, nil
}

// closeOnCancel closes c when the run is cancelled. The connection's own Close may come
// before or after: closing twice is harmless, and the run's context ends with the process.
func (m *many) closeOnCancel(c io.Closer) { context.AfterFunc(m.ctx, func() { c.Close() }) }

// dialNet opens a GoNet client.
func (m *many) dialNet() (tripper, error) {
	c, err := m.dialNetConn()
	if err != nil {
		return nil, err
	}
	return &netClient{m: m, c: c, reply: make([]byte, m.c.Size)}, nil
}

// netClient is a GoNet client: a connection.
type netClient struct {
	m     *many
	c     net.Conn
	reply []byte
}

func (n *netClient) trip(i int, seq uint64) (time.Duration, error) {
	m := n.m
	b := m.stamped(i, seq)
	t0 := time.Now()
	if _, err := n.c.Write(b); err != nil {
		return 0, m.wrap(fmt.Sprintf("client %d write", i), err)
	}
	if _, err := io.ReadFull(n.c, n.reply); err != nil {
		return 0, m.wrap(fmt.Sprintf("client %d read", i), err)
	}
	d := time.Since(t0)
	return d, m.checkReply(n.reply, i, seq)
}

// end closes the connection: the server's goroutine for it sees the end of the stream.
func (n *netClient) end() error {
	n.close()
	return nil
}

func (n *netClient) close() { n.c.Close() }

// dialPusher opens a GoNet sender of push_fair: a plain connection written through a
// bufio.Writer of 64 KiB, which batches as a ZeroMQ connection's writer does.
func (m *many) dialPusher() (pusher, error) {
	c, err := m.dialNetConn()
	if err != nil {
		return nil, err
	}
	return &netPusher{m: m, c: c, w: bufio.NewWriterSize(c, 64<<10), buf: make([]byte, m.c.Size)}, nil
}

// netPusher is a GoNet sender: each message stamped into one buffer and written to the
// connection's bufio.Writer.
type netPusher struct {
	m   *many
	c   net.Conn
	w   *bufio.Writer
	buf []byte
}

func (p *netPusher) send(i int, seq uint64) error {
	_, err := p.w.Write(p.m.stamp(p.buf, i, seq))
	return err
}

func (p *netPusher) flush() error { return p.w.Flush() }

func (p *netPusher) close() { p.c.Close() }

// pullNet is pull_fair for GoNet: it accepts Peers connections and reads each on its own
// goroutine through a bufio.Reader, checking that every sender's Count/Peers messages come
// whole and in order; its figures are pull_fair's, fairness taken by whichever goroutine reads
// the message that makes half of all.
func (m *many) pullNet(stderr io.Writer, res *ManyResult) error {
	l, err := m.listenNet(stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	per := m.c.Count / m.c.Peers
	total := int64(per * m.c.Peers)
	// A counter per sender, each on a cache line of its own: the readers write them as they go.
	type count struct {
		n atomic.Int64
		_ [56]byte
	}
	counts := make([]count, m.c.Peers)
	var (
		got        atomic.Int64
		start, end time.Time
	)
	err = m.each(func(int) error {
		c, err := m.acceptNet(l)
		if err != nil {
			return err
		}
		defer c.Close()
		r := bufio.NewReaderSize(c, 64<<10)
		b := make([]byte, m.c.Size)
		sender := -1
		for seq := range per {
			if _, err := io.ReadFull(r, b); err != nil {
				return m.wrap(fmt.Sprintf("after %d messages of a sender", seq), err)
			}
			idx, gs, err := m.unstamp(b, seq%1024 == 0)
			if err != nil {
				return fmt.Errorf("peer: %w", err)
			}
			if seq == 0 && idx < m.c.Peers {
				sender = idx
			}
			if idx != sender || gs != uint64(seq) {
				return fmt.Errorf("peer: from sender %d message %d on sender %d's connection, its message %d (lost, repeated, reordered or %w)", idx, gs, sender, seq, errCorrupt)
			}
			counts[sender].n.Add(1)
			k := got.Add(1)
			if k == 1 {
				start = time.Now()
			}
			if k == total/2 {
				lo, hi := counts[0].n.Load(), counts[0].n.Load()
				for i := range counts {
					lo, hi = min(lo, counts[i].n.Load()), max(hi, counts[i].n.Load())
				}
				res.FairnessPct = ratioPct(uint64(lo), uint64(hi))
			}
			if k == total {
				end = time.Now()
			}
			if seq%256 == 0 {
				m.progress.Add(1)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	elapsed := end.Sub(start)
	res.Count = int(total)
	res.ElapsedS = elapsed.Seconds()
	res.MsgsPerS = float64(total-1) / elapsed.Seconds()
	return nil
}
