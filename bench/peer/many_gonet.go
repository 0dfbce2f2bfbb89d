package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// GoNet is the floor of the ROUTER echo cell: the same round trips, measured the same way,
// with no messaging library at all. The server is what a Go programmer writes with the
// standard library alone, a goroutine per accepted connection reading each request of -size
// bytes and writing it back; each client a plain connection, a request written and its reply
// read in full. What the two Go runtimes' schedulers make of the cell's processes, this
// shows without purezmq; it is no ZeroMQ peer and talks to nothing but itself.
const GoNet = "gonet"

// goNetRoles are the roles GoNet plays.
var goNetRoles = map[string]bool{RouterEcho: true, DealerRT: true}

// netAddr is the net package's network and address for a tcp:// or ipc:// endpoint.
func netAddr(endpoint string) (network, addr string, err error) {
	switch {
	case strings.HasPrefix(endpoint, "tcp://"):
		return "tcp", strings.TrimPrefix(endpoint, "tcp://"), nil
	case strings.HasPrefix(endpoint, "ipc://"):
		return "unix", strings.TrimPrefix(endpoint, "ipc://"), nil
	}
	return "", "", fmt.Errorf("peer: %s takes tcp:// or ipc:// endpoints, not %q", GoNet, endpoint)
}

// echoNet is router_echo for GoNet: it accepts Peers connections and echoes each request on
// its own goroutine until the client closes its connection (its end marker).
func (m *many) echoNet(stderr io.Writer, res *ManyResult) error {
	network, addr, err := netAddr(m.c.Endpoint)
	if err != nil {
		return err
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return fmt.Errorf("peer: %s listen %s: %w", GoNet, m.c.Endpoint, err)
	}
	defer l.Close()
	stop := context.AfterFunc(m.ctx, func() { l.Close() })
	defer stop()
	fmt.Fprintln(stderr, "ready")
	var echoed atomic.Int64
	err = m.each(func(int) error {
		c, err := l.Accept()
		if err != nil {
			return m.wrap("accept", err)
		}
		defer c.Close()
		stop := context.AfterFunc(m.ctx, func() { c.Close() })
		defer stop()
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

// dialNet opens a GoNet client.
func (m *many) dialNet() (tripper, error) {
	network, addr, err := netAddr(m.c.Endpoint)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(m.ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("peer: %s dial %s: %w", GoNet, m.c.Endpoint, err)
	}
	return &netClient{m: m, c: c, stop: context.AfterFunc(m.ctx, func() { c.Close() }), reply: make([]byte, m.c.Size)}, nil
}

// netClient is a GoNet client: a connection, closed when the run is cancelled.
type netClient struct {
	m     *many
	c     net.Conn
	stop  func() bool
	reply []byte
	once  sync.Once
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

func (n *netClient) close() {
	n.once.Do(func() {
		n.stop()
		n.c.Close()
	})
}
