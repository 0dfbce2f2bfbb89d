//go:build !linux

package pgm

import (
	"errors"
	"net/netip"
	"time"
)

type mcastConn struct{}

func openConn(bool, Endpoint, Config) (*mcastConn, error) {
	return nil, errors.New("pgm: epgm:// and pgm:// are implemented on Linux only")
}

func (*mcastConn) read([]byte) ([]byte, netip.Addr, error) {
	return nil, netip.Addr{}, errors.ErrUnsupported
}
func (*mcastConn) sendGroup([]byte) error          { return errors.ErrUnsupported }
func (*mcastConn) sendTo([]byte, netip.Addr) error { return errors.ErrUnsupported }
func (*mcastConn) setReadDeadline(time.Time) error { return errors.ErrUnsupported }
func (*mcastConn) close() error                    { return nil }
func (*mcastConn) ipHeader() int                   { return 0 }
