package socket

import (
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
)

// TestXPubManualToggleForgetsDeparted: a peer's requests made under XPUB_MANUAL are kept (to
// report as unsubscriptions when it goes), and so are subscriptions it made before; a peer
// that goes after XPUB_MANUAL was switched, either way, leaves nothing of its own in either.
func TestXPubManualToggleForgetsDeparted(t *testing.T) {
	for _, startManual := range []bool{true, false} {
		o := DefaultOptions()
		o.XPubManual = startManual
		x := newXPub(&o, false)
		ib := pipe.NewInbox()
		p := pipe.New(ib, 0, nil)
		p.Encodes = true
		x.attach(p)
		if _, _, err := x.intercept(p, pipe.Msg{[]byte("\x01before")}, nil); err != nil {
			t.Fatal(err)
		}
		if startManual {
			x.last = p
			if err := x.appSubscribe([]byte("granted"), true); err != nil {
				t.Fatal(err)
			}
		}
		o.XPubManual = !startManual
		x.configure(&o)
		if _, _, err := x.intercept(p, pipe.Msg{[]byte("\x01after")}, nil); err != nil {
			t.Fatal(err)
		}
		x.detach(p)
		for _, tr := range []struct {
			name string
			t    *trie
		}{{"subscriptions", &x.subs}, {"requests", &x.asked}} {
			for _, topic := range []string{"before", "granted", "after"} {
				if tr.t.has([]byte(topic), p) {
					t.Errorf("manual %v then %v: the departed peer's %q is still in %s", startManual, !startManual, topic, tr.name)
				}
			}
		}
	}
}
