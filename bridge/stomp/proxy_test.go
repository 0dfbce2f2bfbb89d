package stomp

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// freezer forwards TCP connections to RabbitMQ and can make it go silent (Freeze: what the
// broker sends is dropped), as a hung broker or a dead network would. It counts the lone
// EOLs (idle heart-beats) each way.
type freezer struct {
	l        net.Listener
	target   string
	frozen   atomic.Bool
	up, down atomic.Int64 // heart-beats client → broker, broker → client
	beat     chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newFreezer(t *testing.T, target string) *freezer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{l: l, target: target, beat: make(chan struct{}, 1)}
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(func() {
		l.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *freezer) Addr() string { return f.l.Addr().String() }

func (f *freezer) Freeze() { f.frozen.Store(true) }

func (f *freezer) accept() {
	defer f.wg.Done()
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", f.target)
		if err != nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		f.conns = append(f.conns, c, up)
		f.mu.Unlock()
		f.wg.Add(2)
		go f.pipe(c, up, &f.up, false)
		go f.pipe(up, c, &f.down, true)
	}
}

func (f *freezer) pipe(src, dst net.Conn, beats *atomic.Int64, freezes bool) {
	defer f.wg.Done()
	defer dst.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if bytes.Equal(buf[:n], []byte("\n")) || bytes.Equal(buf[:n], []byte("\r\n")) {
			beats.Add(1)
			select {
			case f.beat <- struct{}{}:
			default:
			}
		}
		if freezes && f.frozen.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}
