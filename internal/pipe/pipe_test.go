package pipe

import (
	"fmt"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func msg(s string) Msg { return Msg{[]byte(s)} }

func TestRingKeepsOrderAcrossGrowth(t *testing.T) {
	var r ring[int]
	next := 0
	for round := 0; round < 5; round++ {
		for i := 0; i < 37; i++ {
			r.push(round*100 + i)
		}
		for i := 0; i < 20; i++ {
			v := r.pop()
			if v/100 < next/100 || (v/100 == next/100 && v < next) {
				t.Fatalf("out of order: %d after %d", v, next)
			}
			next = v
		}
	}
	got := popAll(&r)
	if len(got) != 5*37-5*20 || r.len() != 0 {
		t.Fatalf("emptied %d, left %d", len(got), r.len())
	}
}

func TestInboxCreditPerPipe(t *testing.T) {
	ib := NewInbox()
	freed := 0
	a := New(ib, 2, func() { freed++ })
	b := New(ib, 0, nil)
	if !a.TryDeliver(msg("a1")) || !a.TryDeliver(msg("a2")) {
		t.Fatal("deliveries within the HWM failed")
	}
	if a.TryDeliver(msg("a3")) {
		t.Fatal("delivery past the HWM succeeded")
	}
	for i := 0; i < 100; i++ {
		if !b.TryDeliver(msg(fmt.Sprint("b", i))) {
			t.Fatal("an unlimited pipe refused a message")
		}
	}
	p, m, _, ok := ib.Pop()
	if !ok || p != a || string(m[0]) != "a1" {
		t.Fatalf("Pop = %v %q %v, want pipe a, a1", p == a, m, ok)
	}
	if freed != 1 {
		t.Fatalf("onSpace called %d times after credit freed, want 1", freed)
	}
	if !a.TryDeliver(msg("a3")) {
		t.Fatal("delivery after credit freed failed")
	}
	if n := ib.Drop(b); n != 100 {
		t.Fatalf("Drop removed %d, want 100", n)
	}
	if ib.Len() != 2 {
		t.Fatalf("Len = %d, want 2", ib.Len())
	}
}

func TestDeliverBatchStopsAtCredit(t *testing.T) {
	ib := NewInbox()
	p := New(ib, 3, nil)
	if n := p.DeliverBatch([]Msg{msg("1"), msg("2"), msg("3"), msg("4")}); n != 3 {
		t.Fatalf("DeliverBatch took %d, want 3", n)
	}
	p.Push(msg("forced"))
	if ib.Len() != 4 || !ib.Queued() {
		t.Fatalf("Len = %d, Queued %v; want 4, true", ib.Len(), ib.Queued())
	}
	for range 4 {
		ib.Pop()
	}
	if ib.Len() != 0 || ib.Queued() {
		t.Fatalf("after popping all: Len = %d, Queued %v", ib.Len(), ib.Queued())
	}
}

func TestOutQueueHWMAndWake(t *testing.T) {
	spaced := 0
	q := NewOutQueue(2, func() { spaced++ })
	if !q.TryPush(msg("1")) {
		t.Fatal("first push failed")
	}
	select {
	case <-q.Wake():
	default:
		t.Fatal("a push into an empty queue did not wake the writer")
	}
	q.TryPush(msg("2"))
	if q.TryPush(msg("3")) {
		t.Fatal("push past the HWM succeeded")
	}
	got := q.DrainAll(nil)
	if len(got) != 2 || spaced != 1 {
		t.Fatalf("Drain got %d messages, onSpace %d times; want 2 and 1", len(got), spaced)
	}
	q.PushFront(msg("control")) // ignores the HWM, goes first
	if got := q.DrainAll(nil); len(got) != 1 || string(got[0][0]) != "control" {
		t.Fatalf("after PushFront: %q", got)
	}
	q.Close()
	if q.TryPush(msg("late")) || q.Len() != 0 {
		t.Fatal("a closed queue accepted a message or kept its contents")
	}
}

func TestWaitRegistration(t *testing.T) {
	ib := NewInbox()
	if !ib.BeginWait() {
		t.Fatal("BeginWait on an empty inbox said not empty")
	}
	p := New(ib, 0, nil)
	p.TryDeliver(msg("x"))
	select {
	case <-ib.Wake():
	default:
		t.Fatal("a delivery did not wake the registered receiver")
	}
	ib.EndWait()
	if ib.BeginWait() {
		t.Fatal("BeginWait on a non-empty inbox registered a wait")
	}
}

func TestInboxRoundRobin(t *testing.T) {
	ib := NewInbox()
	a, b, c := New(ib, 0, nil), New(ib, 0, nil), New(ib, 0, nil)
	a.DeliverBatch([]Msg{msg("a1"), msg("a2"), msg("a3")})
	b.DeliverBatch([]Msg{msg("b1")})
	c.DeliverBatch([]Msg{msg("c1"), msg("c2")})
	var got string
	for {
		_, m, _, ok := ib.Pop()
		if !ok {
			break
		}
		got += string(m[0]) + " "
	}
	if want := "a1 b1 c1 a2 c2 a3 "; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}

// TestOutQueueDrainBudget: the writer takes one budget's worth at a time, and what it leaves
// still counts against the high-water mark (issue 10, defect 7: taking everything freed the
// HWM while the writer still held it all, so a stalled peer cost two queues' worth).
func TestOutQueueDrainBudget(t *testing.T) {
	q := NewOutQueue(4, nil)
	frame := make([]byte, 10<<10)
	for range 4 {
		if !q.TryPush(Msg{frame}) {
			t.Fatal("a push under the HWM failed")
		}
	}
	got, more := q.Drain(nil, 25<<10)
	if len(got) != 3 || !more || q.Len() != 1 {
		t.Fatalf("took %d, more %v, %d left; want 3 taken (a budget's worth), more, 1 left", len(got), more, q.Len())
	}
	for range 3 {
		if !q.TryPush(Msg{frame}) {
			t.Fatal("no room for what the writer took")
		}
	}
	if q.TryPush(Msg{frame}) {
		t.Fatal("a push past the HWM was accepted: what the writer left does not count")
	}
	if got, more := q.Drain(nil, 1); len(got) != 1 || !more {
		t.Fatalf("a budget of 1 byte took %d messages, want one", len(got))
	}
}

// A queue at its HWM refuses pushes without taking its lock (atHWM) until a drain takes
// messages, and then takes exactly as many as were drained, with onSpace called once per
// drain that followed a refusal, however many pushes were refused.
func TestOutQueueAtHWM(t *testing.T) {
	for _, c := range []struct {
		name   string
		budget int // bytes per drain: 1 takes one message, a lot takes all
		room   int // pushes that succeed after the drain
	}{{"one", 1, 1}, {"all", 1 << 20, 3}} {
		t.Run(c.name, func(t *testing.T) {
			spaced := 0
			q := NewOutQueue(3, func() { spaced++ })
			for i := range 3 {
				if !q.TryPush(msg(fmt.Sprint(i))) {
					t.Fatalf("push %d under the HWM failed", i)
				}
			}
			for range 5 {
				if q.TryPush(msg("over")) {
					t.Fatal("push at the HWM succeeded")
				}
			}
			if got, _ := q.Drain(nil, c.budget); len(got) != c.room || spaced != 1 {
				t.Fatalf("drained %d, onSpace %d times; want %d and 1", len(got), spaced, c.room)
			}
			for i := range c.room {
				if !q.TryPush(msg("again")) {
					t.Fatalf("push %d after the drain failed", i)
				}
			}
			if q.TryPush(msg("over")) || q.Len() != 3 {
				t.Fatalf("a full queue took a push; it holds %d", q.Len())
			}
			q.Drain(nil, 1)
			if spaced != 2 {
				t.Fatalf("onSpace %d times after the second refusal's drain, want 2", spaced)
			}
		})
	}
}

// TestBlockedWokenAtLowWater: a producer refused for credit is woken once its pipe has drained
// to the low-water mark, counted as it is then, not as the receiver last looked: a receiver
// that had seen only the first messages of a burst must not wake the producer into a queue
// still full.
func TestBlockedWokenAtLowWater(t *testing.T) {
	ib := NewInbox()
	woken := 0
	p := New(ib, 16, func() { woken++ })
	if n := p.DeliverBatch([]Msg{msg("0"), msg("1"), msg("2")}); n != 3 {
		t.Fatalf("took %d of 3", n)
	}
	ib.Pop() // the receiver has seen three published, taken one
	burst := make([]Msg, 15)
	for i := range burst {
		burst[i] = msg("b")
	}
	if n := p.DeliverBatch(burst); n != 14 {
		t.Fatalf("a pipe with 2 of 16 queued took %d of 15", n)
	}
	for queued := 16; queued > 0; queued-- {
		_, _, freed, ok := ib.Pop()
		if !ok {
			t.Fatalf("Pop found nothing with %d queued", queued)
		}
		left := queued - 1
		wantWoken := 0
		if left <= lowWater(16) {
			wantWoken = 1
		}
		if freed != (left == lowWater(16)) || woken != wantWoken {
			t.Fatalf("with %d left: freed %v, producer woken %d times; want freed only at %d left", left, freed, woken, lowWater(16))
		}
	}
}
