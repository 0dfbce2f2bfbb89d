package pgm

import (
	"net/netip"
	"testing"
	"time"
)

// heldSum is what the receiver's peers hold early, counted peer by peer.
func heldSum(r *Receiver) int {
	n := 0
	for _, pr := range r.peers {
		for _, b := range pr.held {
			if b != nil {
				n++
			}
		}
	}
	return n
}

// Any host that can send to the group can claim to be any number of sources. A receiver
// tracks at most maxPeers; packets of more are refused until tracked ones fall silent for
// PeerExpiry and are forgotten, and a source it had before the flood goes on delivering.
// Before the bound this flood left 356 sources tracked, each with what it held, for five
// minutes after each one's last packet.
func TestSpoofedSourcesBounded(t *testing.T) {
	var got []string
	r := NewReceiver(ReceiverConfig{Dport: 5555, Group: netip.MustParseAddr("239.192.1.1"), MaxMsgSize: -1},
		func(m [][]byte) { got = append(got, string(m[0])) })
	from := netip.MustParseAddr("127.0.0.1")
	now := time.Unix(1000, 0)
	packet := func(gsi byte, port uint16, sqn uint32, body string) {
		t.Helper()
		var apdus [][]byte
		pk := newPacker(1400, func(apdu []byte) { apdus = append(apdus, apdu) })
		pk.add([][]byte{[]byte(body)})
		pk.flush()
		b, err := (&Packet{SrcPort: port, DstPort: 5555, Type: TypeODATA, GSI: GSI{gsi, 2, 3, 4, 5, 6}, Sqn: sqn, Data: apdus[0]}).Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		var p Packet
		if err := Parse(b, &p); err != nil {
			t.Fatal(err)
		}
		r.Handle(now, &p, from, func(Outbound) {})
	}
	want := func(bodies ...string) {
		t.Helper()
		if len(got) != len(bodies) {
			t.Fatalf("delivered %q, want %q", got, bodies)
		}
		for i := range bodies {
			if got[i] != bodies[i] {
				t.Fatalf("delivered %q, want %q", got, bodies)
			}
		}
		got = got[:0]
	}
	packet(1, 1, 100, "genuine")
	want("genuine")

	// The flood: 100 more sources than tracked, each with a packet after a gap it holds.
	const extra = 100
	for k := range maxPeers + extra {
		packet(9, uint16(1000+k), 10, "first")
		packet(9, uint16(1000+k), 12, "early") // 11 is missing: held
	}
	firsts := make([]string, maxPeers-1) // the genuine source took a place
	for i := range firsts {
		firsts[i] = "first"
	}
	want(firsts...)
	if n := len(r.peers); n != maxPeers {
		t.Errorf("%d sources tracked, want %d", n, maxPeers)
	}
	if want := uint64(2 * (extra + 1)); r.Stats.Refused != want { // the genuine one took a place
		t.Errorf("%d packets refused, want %d", r.Stats.Refused, want)
	}

	packet(1, 1, 101, "again")
	want("again")
	packet(2, 1, 5, "late")
	want()

	// The spoofed sources fall silent; the genuine one, heard since, stays.
	now = now.Add(r.cfg.PeerExpiry)
	packet(1, 1, 102, "still")
	want("still")
	r.Poll(now.Add(time.Millisecond), func(Outbound) {})
	if len(r.peers) != 1 {
		t.Fatalf("%d sources tracked after the others' expiry, want the genuine one", len(r.peers))
	}
	packet(2, 1, 5, "late")
	want("late")
}

// Spoofed sources that each send packets after a loss make a receiver hold them, waiting for a
// repair; all of them together hold at most heldMax packets (the peer holding the most gives up
// its first gap), where each alone would hold a receive window: 256 windows. The count follows
// the peers' holdings through every change.
func TestSpoofedSourcesHoldBounded(t *testing.T) {
	r := NewReceiver(ReceiverConfig{Dport: 5555, Group: netip.MustParseAddr("239.192.1.1"), MaxMsgSize: -1,
		RxwSqns: 4096}, func([][]byte) {})
	from := netip.MustParseAddr("127.0.0.1")
	now := time.Unix(1000, 0)
	tpdu := make([]byte, 1400)
	var p Packet
	send := func(port uint16, sqn uint32) {
		b, err := (&Packet{SrcPort: port, DstPort: 5555, Type: TypeODATA, GSI: GSI{9, 2, 3, 4, 5, 6}, Sqn: sqn, Trail: 1, Data: tpdu}).Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := Parse(b, &p); err != nil {
			t.Fatal(err)
		}
		r.Handle(now, &p, from, func(Outbound) {})
	}
	most := 0
	for k := range 16 {
		port := uint16(2000 + k)
		send(port, 10)
		for sqn := uint32(12); sqn < 12+2000; sqn++ { // 11 is lost: the rest is held
			send(port, sqn)
			if sqn%97 == 0 && r.held != heldSum(r) { // now and then: the sum takes a while
				t.Fatalf("source %d, packet %d: the receiver counts %d held, its peers %d", k, sqn, r.held, heldSum(r))
			}
			most = max(most, r.held)
		}
	}
	if r.held != heldSum(r) {
		t.Fatalf("the receiver counts %d held, its peers %d", r.held, heldSum(r))
	}
	if most > r.heldMax {
		t.Errorf("%d packets held at most, want at most %d", most, r.heldMax)
	}
	t.Logf("16 sources × 2,000 packets after a loss: at most %d held (bound %d; alone, each could hold %d)", most, r.heldMax, r.cfg.RxwSqns)
	r.Poll(now.Add(r.cfg.PeerExpiry), func(Outbound) {})
	if len(r.peers) != 0 || r.held != 0 {
		t.Fatalf("after expiry: %d peers, %d packets held, want none", len(r.peers), r.held)
	}
}
