package pgm

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
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
	rc, err := uc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	c := &mcastConn{udp: uc, rc: rc}
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

// TestSendBatch: one sendGroupBatch delivers every packet, in order and whole, to the address
// its headers name (the port in network byte order); a batch longer than the headers goes in
// several system calls. Loopback UDP stands in for the group.
func TestSendBatch(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := tx.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	c := &mcastConn{udp: tx, rc: rc, out: newMmsgs(maxBatch)}
	defer c.close()
	c.out.setAddr(rx.LocalAddr().(*net.UDPAddr).AddrPort())
	var want [][]byte
	for i := range maxBatch + 3 {
		want = append(want, bytes.Repeat([]byte{byte(i)}, 1+i*7))
	}
	if err := c.sendGroupBatch(want); err != nil {
		t.Fatal(err)
	}
	// A bound, not a wait: a datagram sent elsewhere would otherwise hang the test.
	if err := rx.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2048)
	for i, w := range want {
		n, from, err := rx.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf[:n], w) || from != tx.LocalAddr().(*net.UDPAddr).AddrPort() {
			t.Fatalf("datagram %d: %d bytes from %v, want %d bytes from %v", i, n, from, len(w), tx.LocalAddr())
		}
	}
}
