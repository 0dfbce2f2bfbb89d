package norm

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// testReceiver is a receiver fed datagrams by the test (handle, timers) rather than read from
// its socket, which only takes the feedback it sends (loopback).
func testReceiver(t *testing.T) (*receiver, *pipe.Inbox) {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &session{conn: conn, node: 1, dest: conn.LocalAddr().(*net.UDPAddr).AddrPort()}
	r := newReceiver(s, &transport.Config{MaxMsgSize: -1, Multicast: transport.DefaultMulticast})
	ib := pipe.NewInbox()
	r.l = transport.Link{In: pipe.New(ib, 0, nil)}
	return r, ib
}

// segment is a datagram of sender id's stream: the i-th segment of its block 0 (source
// symbol i of blockLen per block after it), holding data at stream offset off.
func segment(id NodeID, i int, off uint32, msgStart uint16, data []byte) []byte {
	d := Data{Header: Header{Seq: uint16(i), Source: id},
		ObjectHeader: ObjectHeader{Flags: FlagStream, FecID: FecRS8},
		ID:           PayloadID{Block: uint32(i / blockLen), Symbol: uint16(i % blockLen)},
		Exts:         []Ext{FTI{Size: sendFTISize, Segment: segSize, NData: blockLen}.Ext(FecRS8)},
		Payload:      Stream{MsgStart: msgStart, Offset: off, Data: data}.Append(nil)}
	return d.Append(nil)
}

// heldSum is what the senders' streams hold, counted stream by stream.
func heldSum(r *receiver) int {
	n := 0
	for _, sn := range r.senders {
		n += sn.st.bytes
	}
	return n
}

// Any host that can send to the group can claim to be any number of senders, each with data
// beyond a gap for the receiver to hold. A receiver tracks at most maxSenders and holds at most
// maxHeldAll bytes for all of them, forgets the silent ones after senderExpiry, and a sender
// it had before the flood goes on delivering. Before these bounds this flood left 356 senders
// tracked for good and 23.5 MiB held until their gaps' RECOVERY_IVL ran out, and every sender
// more could hold 4 MiB more.
func TestSpoofedSendersBounded(t *testing.T) {
	r, ib := testReceiver(t)
	from := netip.MustParseAddrPort("127.0.0.1:9")
	now := time.Now()
	hello := appendFrame(nil, true, false, []byte("hello"))
	feed := func(b []byte) {
		t.Helper()
		if !r.handle(b, from, now, now) {
			t.Fatal("the receiver stopped")
		}
	}
	want := func(body string) {
		t.Helper()
		_, m, _, ok := ib.Pop()
		if !ok || len(m) != 1 || string(m[0]) != body {
			t.Fatalf("delivered %q (%v), want %q", m, ok, body)
		}
	}
	// A genuine sender, there first.
	const genuine = NodeID(7)
	feed(segment(genuine, 0, 0, 1, hello))
	want("hello")

	// The flood: 100 more senders than tracked, each with 50 segments after a gap of one.
	const extra, per = 100, 50
	seg := make([]byte, segSize-16)
	for k := range maxSenders + extra {
		id := NodeID(1000 + k)
		for i := 1; i <= per; i++ {
			feed(segment(id, i, uint32(i*len(seg)), 0, seg))
		}
	}
	if n := len(r.senders); n != maxSenders {
		t.Errorf("%d senders tracked, want %d", n, maxSenders)
	}
	if want := uint64((extra + 1) * per); r.refused != want { // the genuine one took a place
		t.Errorf("%d datagrams refused, want %d", r.refused, want)
	}
	if r.held > maxHeldAll || r.held != heldSum(r) {
		t.Errorf("%d bytes held (the streams count %d), want at most %d", r.held, heldSum(r), maxHeldAll)
	}
	t.Logf("%d senders, %d bytes held, %d datagrams refused", len(r.senders), r.held, r.refused)

	// The genuine sender goes on; a new one waits for a place.
	feed(segment(genuine, 1, uint32(len(hello)), 1, appendFrame(nil, true, false, []byte("again"))))
	want("again")
	const late = NodeID(8)
	feed(segment(late, 0, 0, 1, hello))
	if _, m, _, ok := ib.Pop(); ok {
		t.Fatalf("a sender beyond maxSenders delivered %q", m)
	}

	// The spoofed senders fall silent: forgotten, with what they held; the genuine one,
	// heard since, stays; the late one gets its place.
	now = now.Add(senderExpiry)
	feed(segment(genuine, 2, uint32(2*len(hello)), 1, appendFrame(nil, true, false, []byte("still"))))
	want("still")
	if !r.timers(now.Add(time.Millisecond)) {
		t.Fatal("the receiver stopped")
	}
	if len(r.senders) != 1 || r.senders[genuine] == nil || r.held != 0 {
		t.Fatalf("after expiry: %d senders (genuine kept: %v), %d bytes held; want the genuine one alone, nothing held",
			len(r.senders), r.senders[genuine] != nil, r.held)
	}
	feed(segment(late, 0, 0, 1, hello))
	want("hello")
}

// One sender's stream holds at most maxHeld (past it, it gives up its own gap), and the
// receiver's count of what all hold follows its every change.
func TestHeldAccounting(t *testing.T) {
	r, _ := testReceiver(t)
	from := netip.MustParseAddrPort("127.0.0.1:9")
	now := time.Now()
	seg := make([]byte, segSize-16)
	for i := 1; i <= 2*maxHeld/len(seg); i++ {
		if !r.handle(segment(9, i, uint32(i*len(seg)), 0, seg), from, now, now) {
			t.Fatal("the receiver stopped")
		}
		if r.held != heldSum(r) || r.held > maxHeld+len(seg) {
			t.Fatalf("segment %d: %d bytes held, the stream counts %d (at most %d)", i, r.held, heldSum(r), maxHeld)
		}
	}
}
