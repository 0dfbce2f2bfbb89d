package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Socks is SOCKS_PROXY with SOCKS_USERNAME and SOCKS_PASSWORD: tcp connections go through a
// SOCKS5 proxy (RFC 1928), authenticating with a username and password (RFC 1929) when one is
// set, as libzmq's do. The proxy resolves host names itself.
type Socks struct {
	Proxy              string // "host:port", "" for none
	Username, Password string
}

// ErrSocks is a SOCKS5 proxy refusing us, or not speaking SOCKS5.
var ErrSocks = errors.New("zmq: SOCKS5 proxy")

// socks5 asks the proxy at the other end of c to connect to host:port; ctx bounds the exchange.
func (s Socks) socks5(ctx context.Context, c net.Conn, host string, port int) error {
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if stop() {
			_ = c.SetDeadline(time.Time{})
		}
	}()
	err := s.exchange(c, host, port)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (s Socks) exchange(c net.Conn, host string, port int) error {
	method := byte(0x00) // no authentication
	if s.Username != "" {
		method = 0x02 // username and password, as libzmq: offered alone when set
	}
	if _, err := c.Write([]byte{5, 1, method}); err != nil {
		return err
	}
	var b [2]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return fmt.Errorf("%w: %w", ErrSocks, err)
	}
	if b[0] != 5 || b[1] != method {
		return fmt.Errorf("%w: refused authentication method %d (reply %d %d)", ErrSocks, method, b[0], b[1])
	}
	if method == 0x02 {
		if err := s.login(c); err != nil {
			return err
		}
	}
	req := []byte{5, 1, 0} // CONNECT
	ip := net.ParseIP(host)
	switch {
	case ip.To4() != nil:
		req = append(append(req, 1), ip.To4()...)
	case ip != nil:
		req = append(append(req, 4), ip.To16()...)
	case len(host) > 255:
		return fmt.Errorf("%w: host name %q longer than 255 bytes", ErrSocks, host)
	default:
		req = append(append(req, 3, byte(len(host))), host...)
	}
	req = append(req, byte(port>>8), byte(port))
	if _, err := c.Write(req); err != nil {
		return err
	}
	var r [4]byte
	if _, err := io.ReadFull(c, r[:]); err != nil {
		return fmt.Errorf("%w: %w", ErrSocks, err)
	}
	if r[0] != 5 {
		return fmt.Errorf("%w: reply version %d", ErrSocks, r[0])
	}
	if r[1] != 0 {
		return fmt.Errorf("%w: cannot connect to %s (reply %d)", ErrSocks, net.JoinHostPort(host, strconv.Itoa(port)), r[1])
	}
	// The bound address that follows means nothing to us; skip it to reach the peer's bytes.
	var n int
	switch r[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	case 3:
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return fmt.Errorf("%w: %w", ErrSocks, err)
		}
		n = int(l[0])
	default:
		return fmt.Errorf("%w: reply address type %d", ErrSocks, r[3])
	}
	if _, err := io.ReadFull(c, make([]byte, n+2)); err != nil {
		return fmt.Errorf("%w: %w", ErrSocks, err)
	}
	return nil
}

// login is RFC 1929's username and password exchange.
func (s Socks) login(c net.Conn) error {
	if len(s.Username) > 255 || len(s.Password) > 255 {
		return fmt.Errorf("%w: username or password longer than 255 bytes", ErrSocks)
	}
	m := append([]byte{1, byte(len(s.Username))}, s.Username...)
	m = append(append(m, byte(len(s.Password))), s.Password...)
	if _, err := c.Write(m); err != nil {
		return err
	}
	var b [2]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return fmt.Errorf("%w: %w", ErrSocks, err)
	}
	if b[1] != 0 {
		return fmt.Errorf("%w: username and password refused (status %d)", ErrSocks, b[1])
	}
	return nil
}
