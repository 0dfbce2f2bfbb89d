package pgm

import (
	"errors"
	"net/netip"
	"os"
	"testing"
)

// pgm:// without CAP_NET_RAW fails at once with an error that says so (it matches
// os.ErrPermission); as root the socket opens, so the check needs an unprivileged run.
func TestRawNeedsPermission(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may open raw sockets: this checks the error an unprivileged user gets")
	}
	_, err := openConn(true, Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Group: netip.MustParseAddr("239.192.1.1"), Port: 5555}, Config{Hops: 1})
	if !errors.Is(err, ErrRawPermission) || !errors.Is(err, os.ErrPermission) {
		t.Fatalf("got %v, want ErrRawPermission", err)
	}
}
