package transport

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/purezmq/zmq/internal/zerr"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		scheme  string
		wantErr bool
	}{
		{"tcp://127.0.0.1:5555", "tcp", false},
		{"tcp://*:*", "tcp", false},
		{"tcp://[::1]:5555", "tcp", false},
		{"tcp://localhost:0", "tcp", false},
		{"ipc:///tmp/x.sock", "ipc", false},
		{"ipc://@abstract", "ipc", false},
		{"inproc://name", "inproc", false},
		{"tcp://:99999", "", true},
		{"tcp://127.0.0.1", "", true},
		{"tcp://:5555", "", true},
		{"tcp://127.0.0.1:-1", "", true},
		{"tcp://127.0.0.1:http", "", true},
		{"ipc://", "", true},
		{"inproc://", "", true},
		{"no-scheme", "", true},
		{"tcp://a;b:1", "", true},
	}
	for _, in := range []string{"foo://x", "pgm://eth0;239.1.1.1:5555", "://x"} {
		if _, err := Parse(in); !errors.Is(err, zerr.ErrTransportNotSupported) || errors.Is(err, zerr.ErrEndpoint) {
			t.Errorf("Parse(%q) error = %v, want ErrTransportNotSupported alone", in, err)
		}
	}
	for _, tt := range tests {
		ep, err := Parse(tt.in)
		if tt.wantErr {
			if !errors.Is(err, zerr.ErrEndpoint) {
				t.Errorf("Parse(%q) error = %v, want ErrEndpoint", tt.in, err)
			}
			continue
		}
		if err != nil || ep.Scheme != tt.scheme || ep.String() != tt.in {
			t.Errorf("Parse(%q) = %+v, %v", tt.in, ep, err)
		}
	}
}

func TestListenTCPResolvesWildcards(t *testing.T) {
	l, ep, err := ListenTCP("127.0.0.1:*", DefaultTCPOptions, OSBuffers)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.HasPrefix(ep, "tcp://127.0.0.1:") || strings.HasSuffix(ep, ":0") {
		t.Fatalf("endpoint %q does not name the bound port", ep)
	}
	_, _, err = ListenTCP(strings.TrimPrefix(ep, "tcp://"), DefaultTCPOptions, OSBuffers)
	if !errors.Is(err, zerr.ErrAddrInUse) {
		t.Fatalf("second bind: %v, want ErrAddrInUse", err)
	}
	if _, _, err := ListenTCP("nohost.invalid:1", DefaultTCPOptions, OSBuffers); !errors.Is(err, zerr.ErrEndpoint) {
		t.Fatalf("bind to an unresolvable host: %v, want ErrEndpoint", err)
	}
	if err := CheckDialAddr("127.0.0.1:*", DefaultTCPOptions); !errors.Is(err, zerr.ErrEndpoint) {
		t.Fatalf("connect to port *: %v, want ErrEndpoint", err)
	}
}

func TestListenIPCReplacesStaleFile(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	l, _, err := ListenIPC(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ListenIPC(path); !errors.Is(err, zerr.ErrAddrInUse) {
		t.Fatalf("bind to a live socket: %v, want ErrAddrInUse", err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close() // leaves a stale file behind, as a crashed process would
	l2, ep, err := ListenIPC(path)
	if err != nil {
		t.Fatalf("bind over a stale file: %v", err)
	}
	l2.Close()
	if ep != "ipc://"+path {
		t.Fatalf("endpoint %q", ep)
	}
	l3, ep, err := ListenIPC("*")
	if err != nil {
		t.Fatal(err)
	}
	l3.Close()
	if !strings.HasPrefix(ep, "ipc:///") {
		t.Fatalf("wildcard ipc endpoint %q", ep)
	}
}
