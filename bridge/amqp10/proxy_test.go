package amqp10

import (
	"io"
	"net"
	"sync"
	"testing"
)

// proxy forwards loopback TCP connections to the broker so a test can cut them while the
// broker stays up; unlike conformance.Proxy it can also hold the broker's answers back, so a
// confirm is surely pending when the connection dies.
type proxy struct {
	ln     net.Listener
	target string
	hold   sync.RWMutex // write-locked: the broker's bytes wait before reaching the client
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.kill()
		p.wg.Wait()
	})
	return p
}

// url is the broker's URL through the proxy.
func (p *proxy) url() string { return "amqp://guest:guest@" + p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			io.Copy(up, c)
			up.Close()
		}()
		go func() {
			defer p.wg.Done()
			p.copyHeld(c, up)
			c.Close()
		}()
	}
}

// copyHeld copies the broker's bytes to the client, waiting while they are held.
func (p *proxy) copyHeld(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.hold.RLock()
			_, werr := dst.Write(buf[:n])
			p.hold.RUnlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// kill cuts every connection made so far.
func (p *proxy) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
