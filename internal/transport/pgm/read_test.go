package pgm

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/net/ipv4"
)

// TestRawReaderSkipsHeader: a raw socket's datagrams come with their IPv4 header, which the
// reader skips, whatever its length, taking the source address from it; what is not an IPv4
// datagram is passed over. A datagram socket pair stands in for the raw socket.
func TestRawReaderSkipsHeader(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := os.NewFile(uintptr(fds[0]), "w")
	defer w.Close()
	f := os.NewFile(uintptr(fds[1]), "r")
	fc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	rc, err := fc.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	r := &rawReader{rc: rc}
	r.fn = r.read

	ipv4 := func(ihl int, src [4]byte, payload string) []byte {
		h := make([]byte, ihl)
		h[0] = 0x40 | byte(ihl/4)
		copy(h[12:], src[:])
		return append(h, payload...)
	}
	for _, d := range [][]byte{
		{0x45, 0, 0}, // shorter than a header
		append([]byte{0x60}, make([]byte, 40)...), // IPv6
		ipv4(20, [4]byte{10, 0, 0, 1}, "first"),
		{0x41, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 9, 0, 0, 0, 0}, // IHL below 20
		ipv4(24, [4]byte{10, 0, 0, 2}, "options"),
	} {
		if _, err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1500)
	for _, want := range []struct {
		payload string
		from    netip.Addr
	}{
		{"first", netip.MustParseAddr("10.0.0.1")},
		{"options", netip.MustParseAddr("10.0.0.2")},
	} {
		b, from, err := r.next(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, []byte(want.payload)) || from != want.from {
			t.Fatalf("read %q from %v, want %q from %v", b, from, want.payload, want.from)
		}
	}
	w.Close()
	fc.Close()
	if _, _, err := r.next(buf); err == nil {
		t.Fatal("a read on a closed socket succeeded")
	}
}

// TestReadBatch: one read takes every datagram the socket holds, up to the room given, each
// with its source; the next read takes the rest. Loopback UDP stands in for the group.
func TestReadBatch(t *testing.T) {
	uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c := &mcastConn{udp: uc, pc: ipv4.NewPacketConn(uc)}
	defer c.close()
	w, err := net.DialUDP("udp4", nil, uc.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	want := []string{"one", "two", "three"}
	for _, s := range want {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	src := w.LocalAddr().(*net.UDPAddr).AddrPort().Addr()
	var got []string
	into := make([]inPacket, 2)
	for len(got) < len(want) {
		n, err := c.readBatch(into)
		if err != nil {
			t.Fatal(err)
		}
		if n < 1 || n > len(into) {
			t.Fatalf("read %d packets into room for %d", n, len(into))
		}
		for _, p := range into[:n] {
			if p.from != src {
				t.Fatalf("packet from %v, want %v", p.from, src)
			}
			got = append(got, string(p.b))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read %q, want %q", got, want)
	}
}
