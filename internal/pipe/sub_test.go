package pipe

import "testing"

func TestConflate(t *testing.T) {
	ib := NewInbox()
	p := New(ib, 1, nil)
	p.SetConflate()
	for _, s := range []string{"a", "b"} {
		if !p.TryDeliver(Msg{[]byte(s)}) {
			t.Fatalf("TryDeliver(%s) refused", s)
		}
	}
	if n := p.DeliverBatch([]Msg{{[]byte("c")}, {[]byte("d")}}); n != 2 {
		t.Fatalf("DeliverBatch took %d of 2", n)
	}
	if ib.Len() != 1 {
		t.Fatalf("%d queued, want 1", ib.Len())
	}
	if _, m, _ := ib.Pop(); string(m[0]) != "d" {
		t.Fatalf("popped %q, want the newest", m[0])
	}
}

func TestHasRoom(t *testing.T) {
	woke := 0
	q := NewOutQueue(1, func() { woke++ })
	p := New(NewInbox(), 0, nil)
	if p.HasRoom() {
		t.Fatal("a pipe with no way out has room")
	}
	p.SetOut(q)
	if !p.HasRoom() || !p.TryPush(Msg{[]byte("x")}) || p.HasRoom() {
		t.Fatal("HasRoom does not follow the HWM")
	}
	q.DrainAll(nil)
	if woke != 1 || !p.HasRoom() {
		t.Fatalf("draining after a full HasRoom woke %d times", woke)
	}
	c := New(NewInbox(), 1, nil)
	if !c.HasCredit() || !c.TryDeliver(Msg{}) || c.HasCredit() {
		t.Fatal("HasCredit does not follow the HWM")
	}
}
