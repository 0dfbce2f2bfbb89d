package transport

import (
	"context"
	"fmt"
	"net"

	"github.com/purezmq/zmq/internal/zerr"
)

// tcpTransport is tcp://host:port.
type tcpTransport struct{}

func (tcpTransport) CheckAddr(addr string) error {
	if _, _, err := splitHostPort(addr); err != nil {
		return fmt.Errorf("%w: %v", zerr.ErrEndpoint, err)
	}
	return nil
}

func (tcpTransport) Listen(addr string, c *Config) (net.Listener, string, error) {
	return ListenTCP(addr, c.TCP, c.Buffers)
}

func (tcpTransport) Accepted(nc net.Conn, c *Config) { Accepted(nc, c.TCP, c.Buffers) }

func (tcpTransport) CheckDial(addr string, c *Config) error { return CheckDialAddr(addr, c.TCP) }

func (tcpTransport) Dial(ctx context.Context, addr string, c *Config) (net.Conn, error) {
	return DialTCP(ctx, addr, c.TCP, c.Buffers)
}

func (tcpTransport) Aliases(addr string) []string { return ResolveTCP(addr) }

func (tcpTransport) DelaysConnect() bool { return true }

// ipcTransport is ipc://path, a unix-domain socket.
type ipcTransport struct{}

func (ipcTransport) CheckAddr(addr string) error {
	if addr == "" {
		return fmt.Errorf("%w: empty address", zerr.ErrEndpoint)
	}
	return nil
}

func (ipcTransport) Listen(addr string, _ *Config) (net.Listener, string, error) {
	return ListenIPC(addr)
}

// Accepted gives an accepted unix-domain connection the socket's buffers: it does not
// inherit them from the listener.
func (ipcTransport) Accepted(nc net.Conn, c *Config) { Accepted(nc, c.TCP, c.Buffers) }

func (ipcTransport) CheckDial(string, *Config) error { return nil }

func (ipcTransport) Dial(ctx context.Context, addr string, c *Config) (net.Conn, error) {
	return DialIPC(ctx, addr, c.Buffers)
}

func (ipcTransport) Aliases(string) []string { return nil }

func (ipcTransport) DelaysConnect() bool { return false }

// PeerName names a connection's far end as the monitor reports it: "tcp://host:port",
// "ipc://path", or "" for an unnamed unix-domain peer.
func PeerName(nc net.Conn) string {
	a := nc.RemoteAddr()
	if a == nil {
		return ""
	}
	switch a.Network() {
	case "tcp", "tcp4", "tcp6":
		return "tcp://" + a.String()
	case "unix":
		if a.String() == "" || a.String() == "@" {
			return ""
		}
		return "ipc://" + a.String()
	}
	return a.String()
}
