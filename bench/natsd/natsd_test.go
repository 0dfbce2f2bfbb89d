package natsd

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// The broker takes a request and its reply while up, and its port is closed once Stop returns.
func TestStartServesAndStops(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := s.ClientURL()
	nc, err := nats.Connect(url, nats.NoReconnect())
	if err != nil {
		Stop(s)
		t.Fatal(err)
	}
	sub, err := nc.Subscribe("t.echo", func(m *nats.Msg) { _ = m.Respond(append([]byte("re:"), m.Data...)) })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := nc.RequestWithContext(ctx, "t.echo", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Data) != "re:x" {
		t.Fatalf("reply %q, want re:x", m.Data)
	}
	_ = sub.Unsubscribe()
	nc.Close()
	addr := s.Addr().String()
	Stop(s)
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", addr)
	}
}

func TestStartRejectsBadAddress(t *testing.T) {
	for _, addr := range []string{"127.0.0.1", "127.0.0.1:port", ""} {
		if s, err := Start(addr); err == nil {
			Stop(s)
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	var ne *net.AddrError
	if _, err := Start("nohostport"); !errors.As(err, &ne) {
		t.Errorf("Start(nohostport): %v, want a *net.AddrError", err)
	}
}
