package faultnet

import (
	"bytes"
	"errors"
	"io"
	"math/bits"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

var dirs = []struct {
	name string
	dir  Direction
}{{"up", Up}, {"down", Down}}

// Lower bounds only: a loaded machine may be slower, never faster, than the fault allows.
func TestDelayHoldsBytes(t *testing.T) {
	for _, d := range dirs {
		t.Run(d.name, func(t *testing.T) {
			r, tg := newRelay(t)
			p := dial(t, r, tg)
			const delay = 100 * time.Millisecond
			r.Delay(d.dir, delay)
			from, to := p.ends(d.dir)
			start := time.Now()
			if _, err := from.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			readN(t, to, 1)
			if el := time.Since(start); el < delay {
				t.Fatalf("a byte crossed a %v delay in %v", delay, el)
			}
			// The other direction is not delayed: nothing to assert about its speed, but it
			// must still work, and the delay must lift.
			back, there := p.ends(Both &^ d.dir)
			if _, err := back.Write([]byte("y")); err != nil {
				t.Fatal(err)
			}
			readN(t, there, 1)
			r.Normal(d.dir)
			if _, err := from.Write([]byte("z")); err != nil {
				t.Fatal(err)
			}
			if got := readN(t, to, 1); got[0] != 'z' {
				t.Fatalf("got %q after the delay lifted", got)
			}
		})
	}
}

func TestThrottleLimitsTheRate(t *testing.T) {
	r, tg := newRelay(t)
	p := dial(t, r, tg)
	const rate, n = 200_000, 40_000
	r.Throttle(Up, rate)
	data := randomBytes(3, n)
	start := time.Now()
	w := write(p.client, data)
	got := readN(t, p.server, n)
	el := time.Since(start)
	if _, err := w(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("a throttle altered bytes")
	}
	// The first slice goes at once, so n bytes need (n - slice) / rate at least.
	if least := time.Duration(n-rate/100) * time.Second / rate; el < least {
		t.Fatalf("%d bytes at %d B/s took %v, less than %v", n, rate, el, least)
	}
}

// Cut forwards exactly n more bytes, then ends the stream cleanly on both sides; connections
// made while it is armed are cut too, and Normal disarms it.
func TestCutAfterExactlyNBytes(t *testing.T) {
	for _, d := range dirs {
		t.Run(d.name, func(t *testing.T) {
			r, tg := newRelay(t)
			p := dial(t, r, tg)
			from, to := p.ends(d.dir)
			before := randomBytes(4, 1000)
			if _, err := from.Write(before); err != nil {
				t.Fatal(err)
			}
			readN(t, to, len(before)) // these are forwarded already: "more" counts from here
			const n = 777
			r.Cut(d.dir, n)
			data := randomBytes(5, 5000)
			from.Write(data) // may fail once the cut is through
			got, err := readAll(t, to)
			if !bytes.Equal(got, data[:n]) || !errors.Is(err, io.EOF) {
				t.Fatalf("read %d bytes then %v; want the first %d then EOF", len(got), err, n)
			}
			readAll(t, from) // the sending side is closed too: fails unless its stream ends
			// Armed still: a new connection is cut after n bytes of its own.
			p2 := dial(t, r, tg)
			from, to = p2.ends(d.dir)
			from.Write(data)
			if got, _ := readAll(t, to); !bytes.Equal(got, data[:n]) {
				t.Fatalf("a new connection forwarded %d bytes; want %d", len(got), n)
			}
			r.Normal(d.dir)
			p3 := dial(t, r, tg)
			from, to = p3.ends(d.dir)
			w := write(from, data)
			if got := readN(t, to, len(data)); !bytes.Equal(got, data) {
				t.Fatal("bytes altered after Normal")
			}
			if _, err := w(); err != nil {
				t.Fatal(err)
			}
			if st := r.Stats(); st.Cuts != 2 || st.Resets != 0 {
				t.Fatalf("Cuts %d, Resets %d; want 2, 0", st.Cuts, st.Resets)
			}
		})
	}
}

func TestResetSendsRST(t *testing.T) {
	r, tg := newRelay(t)
	p := dial(t, r, tg)
	r.Reset(Both, 0) // at once, though the connection is idle
	for _, c := range []net.Conn{p.client, p.server} {
		if _, err := readAll(t, c); !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("read ended with %v; want ECONNRESET", err)
		}
	}
	if st := r.Stats(); st.Resets != 1 || st.Cuts != 0 {
		t.Fatalf("Resets %d, Cuts %d; want 1, 0", st.Resets, st.Cuts)
	}
	// After n bytes: the target gets at most those (a reset may lose what was in flight).
	r.Normal(Both)
	r.Reset(Up, 10)
	p = dial(t, r, tg)
	p.client.Write(randomBytes(6, 100))
	if got, err := readAll(t, p.server); len(got) > 10 || !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read %d bytes then %v; want at most 10, then ECONNRESET", len(got), err)
	}
}

// A blackhole forwards nothing and closes nothing; it stops reading, so a sender stalls; when
// it lifts, every byte held arrives unaltered.
func TestBlackholeHoldsAndReleases(t *testing.T) {
	r, tg := newRelay(t, WithSocketBuffer(16<<10))
	p := dial(t, r, tg)
	p.client.(*net.TCPConn).SetWriteBuffer(16 << 10) // a stall after little, not 4 MiB
	r.Blackhole(Both)
	data := randomBytes(7, 1<<20)
	p.client.SetWriteDeadline(time.Now().Add(waitShort))
	n, err := p.client.Write(data)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("writing 1 MiB into a blackhole: %d bytes, %v; want a stall", n, err)
	}
	p.client.SetWriteDeadline(time.Time{})
	p.server.SetReadDeadline(time.Now().Add(waitShort))
	if m, err := p.server.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the target read %d bytes, %v through a blackhole", m, err)
	}
	if st := r.Stats(); st.Open != 1 || st.Up != 0 {
		t.Fatalf("stats %+v; want the connection open and nothing forwarded", st)
	}
	t.Logf("%d bytes written before the stall", n)
	r.Normal(Both)
	if got := readN(t, p.server, n); !bytes.Equal(got, data[:n]) {
		t.Fatal("bytes held by a blackhole arrived altered")
	}
}

func TestCorruptAtAnOffset(t *testing.T) {
	r, tg := newRelay(t)
	p := dial(t, r, tg)
	zeros := make([]byte, 1000)
	if _, err := p.client.Write(zeros[:500]); err != nil {
		t.Fatal(err)
	}
	readN(t, p.server, 500) // the offset counts from the command, not the connection's start
	r.Corrupt(Up, Corruption{Offset: 100, Length: 3, Mask: 0x80})
	if _, err := p.client.Write(zeros); err != nil {
		t.Fatal(err)
	}
	got := readN(t, p.server, len(zeros))
	for i, b := range got {
		want := byte(0)
		if i >= 100 && i < 103 {
			want = 0x80
		}
		if b != want {
			t.Fatalf("byte %d is %#x, want %#x", i, b, want)
		}
	}
	if c := r.Stats().Corrupted; c != 3 {
		t.Fatalf("Corrupted %d, want 3", c)
	}
}

// With a probability and no mask, each altered byte has one bit flipped, about the chance
// asked for, and the same seed alters the same bytes.
func TestCorruptWithAProbabilityIsSeeded(t *testing.T) {
	const n, prob = 100_000, 0.1
	run := func() []byte {
		r, tg := newRelay(t)
		p := dial(t, r, tg)
		r.Corrupt(Up, Corruption{Prob: prob, Seed: 42})
		w := write(p.client, make([]byte, n))
		got := readN(t, p.server, n)
		if _, err := w(); err != nil {
			t.Fatal(err)
		}
		altered := 0
		for _, b := range got {
			if b != 0 {
				altered++
				if bits.OnesCount8(b) != 1 {
					t.Fatalf("a byte became %#x; want one bit flipped", b)
				}
			}
		}
		if int64(altered) != r.Stats().Corrupted {
			t.Fatalf("%d bytes altered, Stats says %d", altered, r.Stats().Corrupted)
		}
		// 10,000 expected; the binomial's deviation is 95, so this cannot fail by chance.
		if altered < 9000 || altered > 11000 {
			t.Fatalf("%d of %d bytes altered at p=%v", altered, n, prob)
		}
		return got
	}
	if !bytes.Equal(run(), run()) {
		t.Fatal("the same seed altered different bytes")
	}
}

// A Limit spends the command: once it has altered that many bytes, on whatever connections,
// a new connection goes through clean.
func TestCorruptLimitSpendsIt(t *testing.T) {
	r, tg := newRelay(t)
	r.Corrupt(Up, Corruption{Mask: 0xff, Limit: 2})
	zeros := make([]byte, 100)
	for i, wantAltered := range []int{2, 0} {
		p := dial(t, r, tg)
		if _, err := p.client.Write(zeros); err != nil {
			t.Fatal(err)
		}
		altered := 0
		for _, b := range readN(t, p.server, len(zeros)) {
			if b != 0 {
				altered++
			}
		}
		if altered != wantAltered {
			t.Fatalf("connection %d: %d bytes altered, want %d", i, altered, wantAltered)
		}
	}
	if c := r.Stats().Corrupted; c != 2 {
		t.Fatalf("Corrupted %d, want 2", c)
	}
}
