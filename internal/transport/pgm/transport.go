package pgm

import (
	"github.com/purezmq/zmq/internal/transport"
)

// The schemes, as libzmq names them: PGM in UDP, and PGM over IP (protocol 113).
const (
	SchemeEPGM = "epgm"
	SchemePGM  = "pgm"
)

func init() {
	transport.Register(SchemeEPGM, Transport{Raw: false})
	transport.Register(SchemePGM, Transport{Raw: true})
}

// Transport is the epgm (Raw false) or pgm plug-in: a transport.Datagram.
type Transport struct{ Raw bool }

// CheckAddr accepts libzmq's "iface;group:port".
func (Transport) CheckAddr(addr string) error {
	_, err := transport.ParseMulticast(addr)
	return err
}

// Open opens a source (send) or a receiver on addr with the socket's options.
func (t Transport) Open(addr string, c *transport.Config, send bool) (transport.Engine, error) {
	a, err := transport.ParseMulticast(addr)
	if err != nil {
		return nil, err
	}
	ifi, ip, err := a.Interface()
	if err != nil {
		return nil, err
	}
	ep := Endpoint{Iface: ifi, Addr: ip, Group: a.Group, Port: a.Port}
	m := c.Multicast
	cfg := Config{Rate: m.Rate, RecoveryIvl: m.RecoveryIvl, Hops: m.Hops, Loop: m.Loop, MaxTPDU: m.MaxTPDU,
		MaxMsgSize: c.MaxMsgSize, SndBuf: c.Buffers.Send, RcvBuf: c.Buffers.Recv}
	if send {
		return OpenSender(t.Raw, ep, cfg)
	}
	return OpenReceiver(t.Raw, ep, cfg)
}
