package pipe

import "testing"

// woken reports whether the Inbox's Wake was signalled, and clears it.
func woken(ib *Inbox) bool {
	select {
	case <-ib.Wake():
		return true
	default:
		return false
	}
}

// TestDeliverOwnWakesOnlyForTheRest: messages a receiver read itself wake no other receiver;
// its Pop passes the baton when more are queued, and Nudge when it leaves them all.
func TestDeliverOwnWakesOnlyForTheRest(t *testing.T) {
	cases := []struct {
		name      string
		deliver   func(p *Pipe, ms []Msg) int
		n         int
		wokenOnDo bool // a waiting receiver is woken by the delivery
		wokenOnPp bool // ... by the reader's Pop that follows
	}{
		{"DeliverBatch one", (*Pipe).DeliverBatch, 1, true, false},
		{"DeliverOwn one", (*Pipe).DeliverOwn, 1, false, false},
		{"DeliverOwn three", (*Pipe).DeliverOwn, 3, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ib := NewInbox()
			p := New(ib, 0, nil)
			if !ib.BeginWait() { // another receiver waits
				t.Fatal("BeginWait on an empty Inbox")
			}
			ms := make([]Msg, tc.n)
			for i := range ms {
				ms[i] = msg("m")
			}
			if got := tc.deliver(p, ms); got != tc.n {
				t.Fatalf("delivered %d of %d", got, tc.n)
			}
			if got := woken(ib); got != tc.wokenOnDo {
				t.Fatalf("woken by the delivery: %v, want %v", got, tc.wokenOnDo)
			}
			if _, _, _, ok := ib.Pop(); !ok {
				t.Fatal("Pop found nothing")
			}
			if got := woken(ib); got != tc.wokenOnPp {
				t.Fatalf("woken by the reader's Pop: %v, want %v", got, tc.wokenOnPp)
			}
		})
	}
}

// TestNudge: a receiver that leaves what it read quietly wakes a waiting one, and only when
// something is queued.
func TestNudge(t *testing.T) {
	ib := NewInbox()
	p := New(ib, 0, nil)
	ib.BeginWait()
	ib.Nudge()
	if woken(ib) {
		t.Fatal("Nudge of an empty Inbox woke a receiver")
	}
	p.DeliverOwn([]Msg{msg("m")})
	ib.Nudge()
	if !woken(ib) {
		t.Fatal("Nudge with a message queued woke no receiver")
	}
}
