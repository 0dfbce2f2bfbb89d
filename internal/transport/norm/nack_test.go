package norm

import (
	"reflect"
	"testing"
	"time"
)

func TestNackMissing(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var n nackState
	id := func(b uint32, s uint16) PayloadID { return PayloadID{Block: b, Symbol: s} }
	for s := uint16(0); s < 12; s++ {
		n.seen(0, FecRS8, id(0, s), 16, true, t0)
	}
	if n.due(t0, 10*time.Millisecond, 4) {
		t.Fatal("NACK due with nothing missing")
	}
	n.seen(0, FecRS8, id(0, 14), 16, true, t0)
	n.seen(0, FecRS8, id(1, 1), 16, true, t0) // FLUSH-like: high moves past block 0
	got := n.missing(100)
	want := []symPos{{0, 12}, {0, 13}, {0, 15}, {1, 0}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("missing %v, want %v", got, want)
	}
	if !n.due(t0.Add(maxBackoff), 10*time.Millisecond, 4) {
		t.Fatal("no NACK due after the longest back-off")
	}
	if n.due(t0.Add(maxBackoff+time.Millisecond), 10*time.Millisecond, 4) {
		t.Fatal("NACK due again before the repeat interval")
	}
	rs := n.requests(got)
	if len(rs) != 3 || rs[0].Form != FormRanges || rs[1].Form != FormItems || rs[2].Form != FormItems {
		t.Fatalf("requests %+v", rs)
	}
	for _, p := range got {
		n.seen(0, FecRS8, id(p.block, p.sym), 16, true, t0)
	}
	if m := n.missing(100); len(m) != 0 || !n.since.IsZero() {
		t.Fatalf("still missing %v", m)
	}
	// A FLUSH moves high without data; a squelch gives up what the sender cannot repair.
	n.seen(0, FecRS8, id(2, 3), 16, false, t0)
	if len(n.missing(100)) != 14+4 {
		t.Fatalf("after FLUSH missing %v", n.missing(100))
	}
	if !n.squelch(0, id(2, 0), t0) || len(n.missing(100)) != 4 || n.GaveUp != 14 {
		t.Fatalf("after SQUELCH missing %v, gave up %d", n.missing(100), n.GaveUp)
	}
	if !n.giveUp(t0.Add(time.Hour), time.Second) || len(n.missing(100)) != 0 {
		t.Fatalf("after giving up missing %v", n.missing(100))
	}
}

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
