package pipe

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// fill delivers n messages named tag0, tag1, … on p and fails unless all are taken.
func fill(t *testing.T, p *Pipe, tag string, n int) {
	t.Helper()
	for i := range n {
		if !p.TryDeliver(msg(fmt.Sprint(tag, i))) {
			t.Fatalf("%s: message %d of %d refused", tag, i, n)
		}
	}
}

// popWait pops the next message, waiting for one as a receiver does.
func popWait(ib *Inbox) Msg {
	for {
		if _, m, _, ok := ib.Pop(); ok {
			return m
		}
		if ib.BeginWait() {
			<-ib.Wake()
			ib.EndWait()
		}
	}
}

// popFrom pops until a message of want comes, failing on an empty inbox.
func popFrom(t *testing.T, ib *Inbox, want *Pipe) Msg {
	t.Helper()
	for {
		p, m, _, ok := ib.Pop()
		if !ok {
			t.Fatal("inbox empty")
		}
		if p == want {
			return m
		}
	}
}

func TestAbandonedMessagesBoundCredit(t *testing.T) {
	const hwm = 10
	ib := NewInbox()
	var woken atomic.Int32
	live := New(ib, hwm, func() { woken.Add(1) })
	gone1, gone2 := New(ib, hwm, nil), New(ib, hwm, nil)

	fill(t, gone1, "g1-", hwm-1)
	ib.Abandon(gone1)
	if !New(ib, hwm, nil).TryDeliver(msg("before")) {
		t.Fatal("refused while departed peers left less than their allowance")
	}
	fill(t, gone2, "g2-", hwm-1)
	ib.Abandon(gone2) // 18 left: over the allowance of 10
	if live.TryDeliver(msg("during")) || live.HasCredit() {
		t.Fatal("credit given while departed peers left more than their allowance")
	}
	other := New(ib, hwm, nil) // a connection that comes now gets none either
	if other.TryDeliver(msg("new")) {
		t.Fatal("a new pipe got credit while departed peers left more than their allowance")
	}
	unlimited := New(ib, 0, nil)
	if !unlimited.TryDeliver(msg("free")) {
		t.Fatal("a pipe without an HWM was refused")
	}

	// Read down to half the allowance (5 left): only then are the producers woken, once.
	// (A starved pipe with messages of its own may also be woken as they are read, to find
	// itself refused again; live has none.)
	took := 0
	for ib.left > lowWater(hwm) {
		p, _, _, ok := ib.Pop()
		if !ok {
			t.Fatal("inbox empty with messages left")
		}
		if p == gone1 || p == gone2 {
			took++
		}
		if ib.left > lowWater(hwm) && woken.Load() != 0 {
			t.Fatalf("producer woken with %d departed messages left", ib.left)
		}
	}
	if took != 2*(hwm-1)-lowWater(hwm) {
		t.Fatalf("took %d departed messages, want %d", took, 2*(hwm-1)-lowWater(hwm))
	}
	if woken.Load() != 1 {
		t.Fatalf("producer woken %d times, want once", woken.Load())
	}
	if !live.TryDeliver(msg("after")) || !other.TryDeliver(msg("new")) {
		t.Fatal("credit not given back once departed messages were read down")
	}
}

func TestAbandonCountsOnce(t *testing.T) {
	const hwm = 4
	ib := NewInbox()
	gone := New(ib, hwm, nil)
	fill(t, gone, "g", 3)
	ib.Abandon(gone)
	ib.Abandon(gone)
	if ib.left != 3 || gone.left != 3 {
		t.Fatalf("left %d (pipe %d) after abandoning twice, want 3", ib.left, gone.left)
	}
	for range 3 {
		popFrom(t, ib, gone)
	}
	if ib.left != 0 || gone.left != 0 || ib.leftFull.Load() {
		t.Fatalf("left %d (pipe %d, full %v) after reading all", ib.left, gone.left, ib.leftFull.Load())
	}
}

func TestAbandonWithoutHWMCountsNothing(t *testing.T) {
	ib := NewInbox()
	gone := New(ib, 0, nil)
	fill(t, gone, "g", 50)
	ib.Abandon(gone)
	live := New(ib, 1, nil)
	if ib.left != 0 || !live.TryDeliver(msg("x")) {
		t.Fatalf("left %d after abandoning an unlimited pipe; credit refused", ib.left)
	}
}

func TestAbandonCountsConflatedMessage(t *testing.T) {
	ib := NewInbox()
	gone := New(ib, 1, nil)
	gone.SetConflate(true)
	gone.TryDeliver(msg("old"))
	gone.TryDeliver(msg("newest"))
	ib.Abandon(gone)
	if ib.left != 1 {
		t.Fatalf("left %d after abandoning a conflating pipe with one message, want 1", ib.left)
	}
	if m := popFrom(t, ib, gone); string(m[0]) != "newest" || ib.left != 0 || ib.leftFull.Load() {
		t.Fatalf("took %q, left %d, full %v", m, ib.left, ib.leftFull.Load())
	}
}

func TestDropAbandonedWakes(t *testing.T) {
	const hwm = 2
	ib := NewInbox()
	var woken atomic.Int32
	live := New(ib, hwm, func() { woken.Add(1) })
	gone := New(ib, hwm, nil)
	fill(t, gone, "g", hwm)
	ib.Abandon(gone)
	if live.TryDeliver(msg("x")) {
		t.Fatal("credit given over the allowance")
	}
	if n := ib.Drop(gone); n != hwm {
		t.Fatalf("Drop removed %d, want %d", n, hwm)
	}
	if woken.Load() != 1 || ib.left != 0 || !live.TryDeliver(msg("x")) {
		t.Fatalf("after Drop: woken %d, left %d", woken.Load(), ib.left)
	}
}

// TestStarvedLineForgetsDeparted: pipes whose peers went while they waited leave the line
// before it grows, so peers that come, are held off and go cost it nothing lasting.
func TestStarvedLineForgetsDeparted(t *testing.T) {
	ib := NewInbox()
	gone := New(ib, 1, nil)
	fill(t, gone, "g", 1)
	ib.Abandon(gone)
	for i := range 1000 {
		p := New(ib, 1, func() {})
		if p.TryDeliver(msg(fmt.Sprint(i))) {
			t.Fatal("credit given over the allowance")
		}
		ib.Abandon(p) // held off and gone, with nothing queued
	}
	if len(ib.starved) > 2 {
		t.Fatalf("%d pipes in line, whose peers have all gone", len(ib.starved))
	}
}

// TestAbandonUnderLoad: producers deliver while peers come and go and a receiver reads; every
// message arrives once, and no producer is left waiting for credit that came back.
func TestAbandonUnderLoad(t *testing.T) {
	const (
		hwm     = 8
		live    = 4
		each    = 2000
		departs = 200
	)
	ib := NewInbox()
	var wg sync.WaitGroup
	for i := range live {
		space := NewWake()
		p := New(ib, hwm, func() { Signal(space) })
		wg.Go(func() {
			for n := 0; n < each; {
				if p.TryDeliver(msg(fmt.Sprintf("L%d-%d", i, n))) {
					n++
					continue
				}
				<-space
			}
		})
	}
	wg.Go(func() {
		for d := range departs {
			p := New(ib, hwm, nil)
			// A departing peer's producer is its connection's reader, which waits for credit
			// like the others; here it gives up instead and leaves what it queued.
			for n := range hwm / 2 {
				if !p.TryDeliver(msg(fmt.Sprintf("D%d-%d", d, n))) {
					break
				}
			}
			ib.Abandon(p)
		}
	})
	got := map[string]bool{}
	for seen := 0; seen < live*each; {
		m := popWait(ib)
		if got[string(m[0])] {
			t.Fatalf("%s twice", m[0])
		}
		got[string(m[0])] = true
		if m[0][0] == 'L' {
			seen++
		}
	}
	wg.Wait()
	for {
		if _, _, _, ok := ib.Pop(); !ok {
			break
		}
	}
	if ib.left != 0 || ib.leftFull.Load() {
		t.Fatalf("%d departed messages counted (full %v) after all were read", ib.left, ib.leftFull.Load())
	}
}
