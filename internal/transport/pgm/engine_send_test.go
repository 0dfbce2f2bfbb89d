package pgm

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// fakeConn counts what a SendEngine sends; nothing comes upstream.
type fakeConn struct {
	mu     sync.Mutex
	odata  int
	closed chan struct{}
	once   sync.Once
}

func newFakeConn() *fakeConn { return &fakeConn{closed: make(chan struct{})} }

func (c *fakeConn) read([]byte) ([]byte, netip.Addr, error) {
	<-c.closed
	return nil, netip.Addr{}, net.ErrClosed
}

func (c *fakeConn) sendGroup(b []byte) error {
	var p Packet
	if Parse(b, &p) == nil && p.Type == TypeODATA {
		c.mu.Lock()
		c.odata++
		c.mu.Unlock()
	}
	return nil
}

func (c *fakeConn) sendTo([]byte, netip.Addr) error { return nil }
func (c *fakeConn) setReadDeadline(time.Time) error { return nil }
func (c *fakeConn) close() error                    { c.once.Do(func() { close(c.closed) }); return nil }
func (c *fakeConn) ipHeader() int                   { return 28 }

func (c *fakeConn) sent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.odata
}

// TestSendEngineDrainsFullQueue: a source whose rate allows everything sends all that its
// queue holds at once, however much more than one backlog (maxBacklog APDUs) that is. The
// queue wakes its writer only when a message comes into an empty queue, so an engine that
// stops taking with messages left must look again by itself, not wait for its next SPM.
func TestSendEngineDrainsFullQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeConn()
		cfg := Config{Rate: 10_000_000, RecoveryIvl: time.Second, Hops: 1, MaxTPDU: 1500, MaxMsgSize: -1}
		ep := Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Group: netip.MustParseAddr("239.192.1.1"), Port: 5555}
		e, err := newSendEngine(c, ep, cfg)
		if err != nil {
			t.Fatal(err)
		}
		q := pipe.NewOutQueue(0, nil)
		const n, size = 100, 8192 // about 600 APDUs, many backlogs
		payload := make([]byte, size)
		for range n {
			if !q.TryPush(pipe.Msg{payload}) {
				t.Fatal("queue refused a message")
			}
		}
		done := make(chan error, 1)
		go func() { done <- e.Run(transport.Link{Out: q}) }()
		synctest.Wait() // everything the engine does without a timer firing
		want := n * size / e.pk.max
		if got := c.sent(); got < want {
			t.Errorf("sent %d ODATA at once, want at least the %d the queue's messages fill", got, want)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestSendEngineFeedsWireThroughStall: a producer at its HWM (1000 messages of 100 B, under a
// millisecond at 1 Gbit/s) that then stalls for 2.5 ms, as a goroutine waiting for the
// scheduler on a busy 2-core machine does, leaves the wire fed at RATE from what the engine
// took ahead of the rate limiter: the lost time would otherwise be lost RATE.
func TestSendEngineFeedsWireThroughStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeConn()
		const kbit = 1_000_000
		cfg := Config{Rate: kbit, RecoveryIvl: time.Second, Hops: 1, MaxTPDU: 1500, MaxMsgSize: -1}
		ep := Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Group: netip.MustParseAddr("239.192.1.1"), Port: 5555}
		e, err := newSendEngine(c, ep, cfg)
		if err != nil {
			t.Fatal(err)
		}
		space := make(chan struct{}, 1)
		q := pipe.NewOutQueue(1000, func() {
			select {
			case space <- struct{}{}:
			default:
			}
		})
		done := make(chan error, 1)
		go func() { done <- e.Run(transport.Link{Out: q}) }()
		payload := make([]byte, 100)
		for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
			if !q.TryPush(pipe.Msg{payload}) {
				<-space
			}
		}
		for q.TryPush(pipe.Msg{payload}) { // at the HWM when the stall starts
		}
		before := c.sent()
		const stall = 2500 * time.Microsecond
		time.Sleep(stall)
		got := c.sent() - before
		// Less the batch the engine may still be waiting for when the stall ends.
		want := int(stall.Seconds()*kbit*1000/8/float64(cfg.MaxTPDU)) - wakeBatch
		if got < want {
			t.Errorf("%d ODATA in a %v stall of the producer, want at least %d", got, stall, want)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
