package netnstest

import (
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"
)

// Blackhole drops what its Match takes and nothing else, WaitDropped sees the drops, and
// lifting it lets the same packets through again.
func TestBlackhole(t *testing.T) {
	for _, c := range []struct {
		name string
		m    Match
		udp  bool // whether m takes the UDP datagrams (else the raw protocol 113 packets)
	}{
		{"udp", UDP(7000), true},
		{"pgm", PGM, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := NewPair(t)
			needNft(t)
			var udp, raw net.PacketConn
			if err := p.B.Do(func() (err error) {
				if udp, err = net.ListenPacket("udp4", p.B.Addr.String()+":7000"); err != nil {
					return err
				}
				raw, err = net.ListenPacket("ip4:113", p.B.Addr.String())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			defer udp.Close()
			defer raw.Close()
			for _, c := range []net.PacketConn{udp, raw} {
				c.SetReadDeadline(time.Now().Add(time.Minute)) // a bound, not a synchronisation
			}
			send := func(proto string, b []byte) {
				t.Helper()
				if err := p.A.Do(func() error {
					network, addr := "udp4", p.B.Addr.String()+":7000"
					if proto == "raw" {
						network, addr = "ip4:113", p.B.Addr.String()
					}
					c, err := net.Dial(network, addr)
					if err != nil {
						return err
					}
					defer c.Close()
					_, err = c.Write(b)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			hit, miss := "raw", "udp"
			hitConn, missConn := raw, udp
			if c.udp {
				hit, miss, hitConn, missConn = miss, hit, missConn, hitConn
			}
			lift := p.B.Blackhole(t, c.m)
			const n = 5
			for i := range n {
				send(hit, []byte{'h', byte(i)})
				send(miss, []byte{'m', byte(i)})
			}
			p.B.WaitDropped(t, "purezmq_hole", n)
			buf := make([]byte, 64)
			for i := range n {
				k, _, err := missConn.ReadFrom(buf)
				if err != nil || string(buf[:k]) != string([]byte{'m', byte(i)}) {
					t.Fatalf("%s packet %d not taken by %v: read %q, %v", miss, i, c.m, buf[:k], err)
				}
			}
			if _, dropped := p.B.counters(t, "purezmq_hole"); dropped != n {
				t.Fatalf("%v dropped %d packets, want the %d %s ones", c.m, dropped, n, hit)
			}
			lift()
			send(hit, []byte("after"))
			// The first to arrive is the one sent after the lift: the others were dropped.
			k, _, err := hitConn.ReadFrom(buf)
			if err != nil || string(buf[:k]) != "after" {
				t.Fatalf("%s after the lift: read %q, %v", hit, buf[:k], err)
			}
		})
	}
}

// fatalTB records a Fatalf and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// When traffic stops, WaitDropped fails at its deadline instead of hanging the run.
func TestWaitDroppedDeadline(t *testing.T) {
	p := NewPair(t)
	needNft(t)
	p.B.Blackhole(t, UDP(7000)) // nothing is ever sent to it
	defer func(d time.Duration) { waitTimeout = d }(waitTimeout)
	waitTimeout = 200 * time.Millisecond
	f := &fatalTB{TB: t}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.B.WaitDropped(f, "purezmq_hole", 1)
	}()
	<-done
	if f.msg == "" {
		t.Fatal("WaitDropped returned with nothing dropped")
	}
	if waited := time.Since(start); waited < waitTimeout {
		t.Fatalf("WaitDropped gave up after %v, before its %v deadline", waited, waitTimeout)
	}
	t.Logf("WaitDropped: %s", f.msg)
}
