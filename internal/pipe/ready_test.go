package pipe

import "testing"

func TestInboxWatch(t *testing.T) {
	ib := NewInbox()
	p := New(ib, 0, nil)
	n := 0
	notify := func() { n++ }
	p.TryDeliver(Msg{[]byte("a")})
	if n != 0 {
		t.Fatal("notified with nobody watching")
	}
	ib.Watch(notify)
	p.TryDeliver(Msg{[]byte("b")})
	p.DeliverBatch([]Msg{{[]byte("c")}, {[]byte("d")}})
	p.Push(Msg{[]byte("e")})
	if n != 3 {
		t.Fatalf("3 deliveries while watched notified %d times", n)
	}
	ib.Unwatch()
	p.TryDeliver(Msg{[]byte("f")})
	if n != 3 {
		t.Fatal("notified after Unwatch")
	}
}
