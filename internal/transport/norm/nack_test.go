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

// nrlRepair is NRL's sender repair cycle as far as a receiver sees it (NormSession's NACK
// handling in NRL 1.5.9): a NACK while idle opens an aggregation of GRTT x (backoff+1), at whose
// end the repairs go out; for one GRTT after that (the hold-off) NACKs for what was passed are
// ignored; a NACK during an aggregation joins it.
type nrlRepair struct {
	grtt, aggregate time.Duration
	aggEnd, holdEnd time.Time // zero when none
}

// nack takes a NACK at now.
func (m *nrlRepair) nack(now time.Time) {
	if !m.aggEnd.IsZero() || now.Before(m.holdEnd) {
		return // joins the aggregation, or ignored in the hold-off
	}
	m.aggEnd = now.Add(m.aggregate)
}

// repairs reports whether repairs go out at now.
func (m *nrlRepair) repairs(now time.Time) bool {
	if m.aggEnd.IsZero() || now.Before(m.aggEnd) {
		return false
	}
	m.aggEnd, m.holdEnd = time.Time{}, now.Add(m.grtt)
	return true
}

// A repair lost on its way is asked for again soon after the sender's hold-off, before the
// sender's repair window (93 blocks behind its newest) moves past it: at a GRTT of 133 ms (seen
// after a sender stall) repeats every two GRTTs (250 ms) fell in the hold-off and asked 200 ms
// too late, and the sender squelched.
func TestNackRepeatAfterHoldoff(t *testing.T) {
	for _, grtt := range []time.Duration{3 * time.Millisecond, 20 * time.Millisecond, 57 * time.Millisecond, 133 * time.Millisecond, 181 * time.Millisecond, 500 * time.Millisecond} {
		const backoff = 4
		m := &nrlRepair{grtt: grtt, aggregate: grtt * (backoff + 1)}
		t0 := time.Unix(1000, 0)
		var n nackState
		n.seen(0, FecRS8, PayloadID{Block: 0, Symbol: 1}, 16, true, t0) // symbol 0 lost
		var sent []time.Time
		for now := t0; len(sent) < 2 && now.Before(t0.Add(time.Minute)); now = now.Add(time.Millisecond) {
			if m.repairs(now) {
				sent = append(sent, now) // the first is lost too
			}
			if n.due(now, grtt, backoff) {
				m.nack(now)
			}
		}
		if len(sent) < 2 {
			t.Fatalf("GRTT %v: %d repairs", grtt, len(sent))
		}
		// Hold-off, then at most one repeat interval, then a new aggregation.
		limit := grtt + max(grtt/2, minRepeat) + m.aggregate + time.Millisecond
		if d := sent[1].Sub(sent[0]); d > limit {
			t.Errorf("GRTT %v: the lost repair was sent again after %v, want at most %v", grtt, d, limit)
		}
	}
}

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
