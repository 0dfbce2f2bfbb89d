package pipe

import "testing"

func TestConflate(t *testing.T) {
	ib := NewInbox()
	p := New(ib, 1, nil)
	p.SetConflate(true)
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
	if _, m, _, _ := ib.Pop(); string(m[0]) != "d" {
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

// TestOutQueueConflate: a conflating queue keeps only the newest message the writer has not
// taken, never refuses one for the HWM, and keeps a protocol message pushed to the front.
func TestOutQueueConflate(t *testing.T) {
	tests := []struct {
		name  string
		probe bool
		want  []string
	}{
		{"plain", false, []string{"9"}},
		{"probe first", true, []string{"", "9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := NewOutQueue(2, nil)
			q.SetConflate()
			if tc.probe {
				q.PushFront(Msg{{}})
			}
			for i := range 10 {
				if !q.TryPush(Msg{[]byte{'0' + byte(i)}}) {
					t.Fatalf("push %d refused", i)
				}
				if !q.HasRoom() {
					t.Fatalf("no room after push %d", i)
				}
			}
			got := q.DrainAll(nil)
			if len(got) != len(tc.want) {
				t.Fatalf("drained %q, want %q", got, tc.want)
			}
			for i, w := range tc.want {
				if string(got[i][0]) != w {
					t.Fatalf("drained %q, want %q", got, tc.want)
				}
			}
			// Taken by the writer: the next message is queued beside nothing.
			q.TryPush(Msg{[]byte("a")})
			q.TryPush(Msg{[]byte("b")})
			if got := q.DrainAll(nil); len(got) != 1 || string(got[0][0]) != "b" {
				t.Fatalf("after a drain: %q, want [b]", got)
			}
		})
	}
}
