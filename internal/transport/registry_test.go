package transport

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/purezmq/zmq/internal/zerr"
)

// TestBuiltinKinds: tcp and ipc are streams, inproc the in-process kind, each registered once.
func TestBuiltinKinds(t *testing.T) {
	for scheme, want := range map[string]string{"tcp": "stream", "ipc": "stream", "inproc": "inproc"} {
		tr, ok := Lookup(scheme)
		if !ok {
			t.Fatalf("%s is not registered", scheme)
		}
		got := "other"
		switch tr.(type) {
		case Stream:
			got = "stream"
		case Inproc:
			got = "inproc"
		}
		if got != want {
			t.Errorf("%s is a %s transport, want %s", scheme, got, want)
		}
	}
	if !slices.IsSorted(Schemes()) || !slices.Contains(Schemes(), "tcp") {
		t.Errorf("Schemes() = %v", Schemes())
	}
	_, err := Parse("nope://x")
	if !errors.Is(err, zerr.ErrTransportNotSupported) || !strings.Contains(err.Error(), "tcp") {
		t.Errorf("Parse of an unknown scheme = %v, want ErrTransportNotSupported naming those there are", err)
	}
}

func TestRegisterRefuses(t *testing.T) {
	for _, tt := range []struct {
		scheme string
		t      Transport
	}{
		{"tcp", Inproc{}}, // taken
		{"", Inproc{}},
		{"a://b", Inproc{}},
		{"fresh", nil},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q, %v) did not panic", tt.scheme, tt.t)
				}
			}()
			Register(tt.scheme, tt.t)
		}()
	}
	if _, ok := Lookup("fresh"); ok {
		t.Error("a refused Register registered its scheme")
	}
}

func TestParseMulticast(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want MulticastAddr
	}{
		{"eth0;239.192.1.1:5555", MulticastAddr{"eth0", netip.MustParseAddr("239.192.1.1"), 5555}},
		{"10.77.0.1;239.192.1.1:1", MulticastAddr{"10.77.0.1", netip.MustParseAddr("239.192.1.1"), 1}},
		{"239.192.1.1:65535", MulticastAddr{"", netip.MustParseAddr("239.192.1.1"), 65535}},
		{";239.192.1.1:5555", MulticastAddr{"", netip.MustParseAddr("239.192.1.1"), 5555}},
		{"lo;[ff08::1]:5555", MulticastAddr{"lo", netip.MustParseAddr("ff08::1"), 5555}},
	} {
		got, err := ParseMulticast(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMulticast(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if err == nil && strings.TrimPrefix(tt.in, ";") != got.String() {
			t.Errorf("ParseMulticast(%q).String() = %q", tt.in, got.String())
		}
	}
	for _, in := range []string{
		"", "eth0", "eth0;", "eth0;239.192.1.1", "eth0;239.192.1.1:0", "eth0;239.192.1.1:65536",
		"eth0;239.192.1.1:x", "eth0;10.0.0.1:5555", "eth0;group:5555", "eth0;[ff02::1%lo]:5555",
		"eth0;239.192.1.1:5555;x",
	} {
		if _, err := ParseMulticast(in); !errors.Is(err, zerr.ErrEndpoint) {
			t.Errorf("ParseMulticast(%q) error = %v, want ErrEndpoint", in, err)
		}
	}
}

// TestMulticastInterface: the loopback interface by its name and by its address.
func TestMulticastInterface(t *testing.T) {
	lo := loopback(t)
	group := netip.MustParseAddr("239.192.1.1")
	for _, iface := range []string{lo.Name, "127.0.0.1"} {
		ifi, addr, err := MulticastAddr{Iface: iface, Group: group, Port: 1}.Interface()
		if err != nil || ifi == nil || ifi.Name != lo.Name || addr != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("Interface(%q) = %v, %v, %v; want %s, 127.0.0.1", iface, ifi, addr, err, lo.Name)
		}
	}
	if ifi, _, err := (MulticastAddr{Group: group, Port: 1}).Interface(); ifi != nil || err != nil {
		t.Errorf("Interface() with none named = %v, %v; want the system's choice (nil)", ifi, err)
	}
	for _, iface := range []string{"no-such-if0", "192.0.2.77"} {
		if _, _, err := (MulticastAddr{Iface: iface, Group: group, Port: 1}).Interface(); !errors.Is(err, zerr.ErrEndpoint) {
			t.Errorf("Interface(%q) error = %v, want ErrEndpoint", iface, err)
		}
	}
}

func loopback(t *testing.T) *net.Interface {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 {
			return &ifs[i]
		}
	}
	t.Skip("no loopback interface")
	return nil
}
