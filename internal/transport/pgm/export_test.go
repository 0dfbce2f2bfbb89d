package pgm

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
)

// Watcher is a plain socket of ours on a group in a namespace, for tests to see what goes
// over the wire: how many ODATA, the last one's sequence number, the SPMs with OPT_FIN.
type Watcher struct {
	c       *mcastConn
	mu      sync.Mutex
	odata   int
	last    uint32
	fin     *Packet
	changed chan struct{}
	done    chan struct{}
}

// Watch opens a Watcher in ns on 239.192.1.1:5555 for scheme ("epgm": a UDP socket on the
// port; "pgm": a raw IP protocol 113 socket), closed when t ends.
func Watch(t *testing.T, ns netnstest.NS, scheme string) *Watcher {
	t.Helper()
	w := &Watcher{changed: make(chan struct{}, 1), done: make(chan struct{})}
	err := ns.Do(func() (err error) {
		w.c, err = openConn(scheme == "pgm", Endpoint{Addr: ns.Addr, Group: netip.MustParseAddr("239.192.1.1"), Port: 5555},
			Config{Hops: 1, RcvBuf: 16 << 20})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	go w.run()
	t.Cleanup(func() { w.c.close(); <-w.done })
	return w
}

func (w *Watcher) run() {
	defer close(w.done)
	buf := make([]byte, 65536)
	var p Packet
	for {
		b, _, err := w.c.read(buf)
		if err != nil {
			return
		}
		if Parse(b, &p) != nil {
			continue
		}
		w.mu.Lock()
		switch {
		case p.Type == TypeODATA:
			w.odata++
			w.last = p.Sqn
		case p.Type == TypeSPM && p.Options.Fin && w.fin == nil:
			fin := p
			fin.Options.NakList = nil
			w.fin = &fin
		}
		w.mu.Unlock()
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
}

func (w *Watcher) wait(t *testing.T, what string, ok func() bool) {
	t.Helper()
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		w.mu.Lock()
		done := ok()
		w.mu.Unlock()
		if done {
			return
		}
		select {
		case <-w.changed:
		case <-timer.C:
			t.Fatalf("no %s on the wire in a minute", what)
		}
	}
}

// WaitODATA waits until n ODATA packets have gone by.
func (w *Watcher) WaitODATA(t *testing.T, n int) {
	w.wait(t, "ODATA", func() bool { return w.odata >= n })
}

// WaitFIN waits for an SPM with OPT_FIN and returns it.
func (w *Watcher) WaitFIN(t *testing.T) Packet {
	w.wait(t, "OPT_FIN", func() bool { return w.fin != nil })
	w.mu.Lock()
	defer w.mu.Unlock()
	return *w.fin
}

// LastODATA is the sequence number of the last ODATA seen.
func (w *Watcher) LastODATA() uint32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}
