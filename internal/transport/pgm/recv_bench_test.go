package pgm

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// odataStream is n messages of size bytes as one source's ODATA packets, in order.
func odataStream(tb testing.TB, n, size int) [][]byte {
	tsi := TSI{GSI: GSI{1, 2, 3, 4, 5, 6}, Sport: 4242}
	var pkts [][]byte
	pk := newPacker(1500-28-headerLen-8, func(apdu []byte) {
		p := Packet{SrcPort: tsi.Sport, DstPort: 5555, Type: TypeODATA, GSI: tsi.GSI, Sqn: uint32(len(pkts)), Data: apdu}
		b, err := p.Append(nil)
		if err != nil {
			tb.Fatal(err)
		}
		pkts = append(pkts, b)
	})
	body := make([]byte, size)
	for range n {
		pk.add([][]byte{body})
	}
	pk.flush()
	return pkts
}

// receiveAll feeds pkts, parsed as the engine does, to a new Receiver; it returns the
// messages delivered.
func receiveAll(pkts [][]byte, order []int) int {
	got := 0
	r := NewReceiver(ReceiverConfig{Dport: 5555, Group: netip.MustParseAddr("239.192.1.1"), MaxMsgSize: -1},
		func([][]byte) { got++ })
	from := netip.MustParseAddr("10.77.0.1")
	now := time.Unix(1000, 0)
	var p Packet
	for _, i := range order {
		if Parse(pkts[i], &p) == nil {
			r.Handle(now, &p, from, func(Outbound) {})
		}
	}
	return got
}

// swapped is the order of n packets with each pair after the first exchanged: every other one
// comes early (the first defines where the receiver joins).
func swapped(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	for i := 1; i+1 < n; i += 2 {
		o[i], o[i+1] = o[i+1], o[i]
	}
	return o
}

// BenchmarkReceive is the receiving state machine's cost per message, from parsed packets to
// delivered messages, in order and with every other packet early (-benchmem: allocations).
func BenchmarkReceive(b *testing.B) {
	const n = 10000
	for _, size := range []int{100, 8192} {
		pkts := odataStream(b, n, size)
		order := make([]int, len(pkts))
		for i := range order {
			order[i] = i
		}
		for name, o := range map[string][]int{"in-order": order, "reordered": swapped(len(pkts))} {
			b.Run(fmt.Sprintf("%dB/%s", size, name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if got := receiveAll(pkts, o); got != n {
						b.Fatalf("delivered %d of %d", got, n)
					}
				}
				b.ReportMetric(float64(testing.AllocsPerRun(1, func() { receiveAll(pkts, o) }))/n, "allocs/msg")
			})
		}
	}
}
