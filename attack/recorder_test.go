package attack_test

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
)

// recorder is an eavesdropper on the path: a tcp relay to target that keeps every byte the
// client sent, as a passive attacker recording the wire would.
type recorder struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	sent  bytes.Buffer
	conns []net.Conn
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln}
	r.wg.Add(1)
	go r.serve(target)
	t.Cleanup(r.close)
	return r
}

// endpoint is where the client connects instead of the server.
func (r *recorder) endpoint() string { return "tcp://" + r.ln.Addr().String() }

func (r *recorder) serve(target string) {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		r.mu.Lock()
		r.conns = append(r.conns, c, s)
		r.mu.Unlock()
		r.wg.Add(2)
		go func() { defer r.wg.Done(); io.Copy(s, io.TeeReader(c, r)); s.Close() }()
		go func() { defer r.wg.Done(); io.Copy(c, s); c.Close() }()
	}
}

func (r *recorder) close() {
	r.ln.Close()
	r.mu.Lock()
	for _, c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent.Write(b)
}

// recorded returns a copy of everything the client sent so far.
func (r *recorder) recorded() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.sent.Bytes())
}
