//go:build !linux

package transport

import (
	"errors"
	"net"
	"syscall"
)

// sockopts: BINDTODEVICE exists on Linux only; elsewhere it is refused rather than ignored,
// since traffic would leave by another interface. TOS, TCP_MAXRT and BACKLOG have no effect.
func (o TCPOptions) sockopts(string, syscall.RawConn) error {
	if o.BindToDevice != "" {
		return errors.New("zmq: BINDTODEVICE is supported on Linux only")
	}
	return nil
}

func (o TCPOptions) connected(*net.TCPConn) {}

func (o TCPOptions) listened(net.Listener) {}
