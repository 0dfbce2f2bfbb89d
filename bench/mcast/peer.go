// Package mcast is make bench-multicast: msg/s over epgm, pgm and norm between two network
// namespaces joined by a veth pair, purezmq against libzmq in the same run, each side a process
// of its own: c/mcast_pub.c and c/mcast_sub.c for libzmq, cmd/mcastpeer (this file) for purezmq.
//
// The peers' protocol: each says "ready" on stdout once connected. The SUB says "joined" at
// the first "ping" (a PGM or NORM receiver hears only what is sent after it joined the group),
// the PUB sends "ping" every 20 ms until a line comes on stdin, then size-byte messages for the
// given seconds (XPUB_NODROP: at its HWM it waits for the rate limiter instead of dropping),
// then "end". The SUB clocks the data messages from the first to the last, until "end" or an
// idle timeout. Each prints one JSON line (Result); the PUB stays open, repairing, until stdin
// closes.
package mcast

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Result is a peer's JSON line.
type Result struct {
	Impl     string  `json:"impl"`
	Role     string  `json:"role"`
	Sent     int64   `json:"sent,omitempty"`
	Received int64   `json:"received,omitempty"`
	Ended    bool    `json:"ended,omitempty"`
	Elapsed  float64 `json:"elapsed_s"`
	MsgsPerS float64 `json:"msgs_per_s,omitempty"`
	// CPUPerMsg is the process's CPU time (user and system, every thread) per message over
	// what was measured: the PUB's send loop, the SUB's span from the first message to the last
	// clock read.
	CPUPerMsg float64 `json:"cpu_us_per_msg,omitempty"`
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perMsg is d per message in µs, or 0 without messages.
func perMsg(d time.Duration, n int64) float64 {
	if n <= 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(n)
}

// Main runs "pub endpoint size seconds rate_kbits" or "sub endpoint size rate_kbits rcvbuf
// idle_ms", the arguments of the libzmq peers.
func Main(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: mcastpeer pub|sub ...")
	}
	nums := make([]int, 0, 4)
	for _, a := range args[min(2, len(args)):] {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			return fmt.Errorf("bad number %q", a)
		}
		nums = append(nums, n)
	}
	switch {
	case args[0] == "pub" && len(nums) == 3:
		return pub(args[1], nums[0], time.Duration(nums[1])*time.Second, nums[2], stdin, stdout)
	case args[0] == "sub" && len(nums) == 4:
		return sub(args[1], nums[0], nums[1], nums[2], time.Duration(nums[3])*time.Millisecond, stdout)
	}
	return errors.New("usage: mcastpeer pub endpoint size seconds rate_kbits | sub endpoint size rate_kbits rcvbuf idle_ms")
}

// pattern is the payload, as the libzmq peers': byte i is i mod 251.
func pattern(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

func emit(w io.Writer, r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func pub(ep string, size int, d time.Duration, rate int, stdin io.Reader, stdout io.Writer) error {
	// MULTICAST_LOOP off: libzmq's pgm never loops its packets back to the host (it ignores
	// the option), so a purezmq PUB with it on would do work libzmq's does not.
	s, err := zmq.NewSocket(zmq.PUB, zmq.WithRate(rate), zmq.WithXPubNoDrop(true), zmq.WithLinger(0),
		zmq.WithMulticastLoop(false))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Connect(ep); err != nil {
		return err
	}
	lines := make(chan bool)
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			lines <- true
		}
		close(lines)
	}()
	fmt.Fprintln(stdout, "ready")
	ctx := context.Background()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
		if err := s.Send(ctx, zmq.NewMsgString("ping")); err != nil {
			return err
		}
		select {
		case ok := <-lines:
			if !ok {
				return errors.New("stdin closed before go")
			}
			waiting = false
		case <-tick.C:
		}
	}
	pat := pattern(size)
	var sent int64
	cpu0 := cpuTime()
	start := time.Now()
	for end := start.Add(d); ; {
		// Each Send gets its own frame list; the payload is shared, never modified.
		if err := s.Send(ctx, zmq.Msg{Frames: [][]byte{pat}}); err != nil {
			return err
		}
		sent++
		if sent%64 == 0 && time.Now().After(end) {
			break
		}
	}
	elapsed := time.Since(start)
	if err := s.Send(ctx, zmq.NewMsgString("end")); err != nil {
		return err
	}
	r := Result{Impl: "purezmq", Role: "pub", Sent: sent, Elapsed: elapsed.Seconds(), CPUPerMsg: perMsg(cpuTime()-cpu0, sent)}
	if err := emit(stdout, r); err != nil {
		return err
	}
	for range lines { // repairing until the driver closes stdin
	}
	return nil
}

func sub(ep string, size, rate, rcvbuf int, idle time.Duration, stdout io.Writer) error {
	opts := []zmq.Option{zmq.WithRate(rate)}
	if rcvbuf > 0 {
		opts = append(opts, zmq.WithRecvBuffer(rcvbuf))
	}
	s, err := zmq.NewSocket(zmq.SUB, opts...)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Subscribe(nil); err != nil {
		return err
	}
	if err := s.Connect(ep); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ready")
	// The idle timeout is a watchdog, not a timer per Recv, which would cost what is measured.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(idle / 4)
		defer tick.Stop()
		last, since := int64(-1), time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				if n := seen.Load(); n != last {
					last, since = n, now
				} else if now.Sub(since) >= idle {
					cancel()
					return
				}
			}
		}
	}()
	pat := pattern(size)
	var got int64
	// The clock is read at the first data message, at every clockEvery-th and at "end", as the
	// C SUB does: a read a message cost the harness a tenth of a SUB's CPU at 1 Gbit/s of
	// 100-byte messages, on the cores the peers measured share. One clock (time.Since on a
	// base) where time.Now reads two.
	base := time.Now()
	var first, last time.Duration
	var upto int64 // data messages up to the last clock read
	var cpuFirst, cpuLast time.Duration
	joined, ended := false, false
	for !ended {
		m, err := s.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return err
		}
		seen.Add(1)
		if len(m.Frames) != 1 {
			return fmt.Errorf("message %d has %d frames, want 1", got, len(m.Frames))
		}
		f := m.Frames[0]
		switch {
		case string(f) == "ping":
			if !joined {
				fmt.Fprintln(stdout, "joined")
				joined = true
			}
		case string(f) == "end":
			if got > 0 {
				last, upto, cpuLast = time.Since(base), got, cpuTime()
			}
			ended = true
		default:
			if got%clockEvery == 0 {
				last, upto, cpuLast = time.Since(base), got+1, cpuTime()
				if got == 0 {
					first, cpuFirst = last, cpuLast
				}
			}
			if err := check(f, pat, got); err != nil {
				return err
			}
			got++
			s.Recycle(m)
		}
	}
	r := Result{Impl: "purezmq", Role: "sub", Received: got, Ended: ended, Elapsed: (last - first).Seconds()}
	if upto > 1 && r.Elapsed > 0 {
		r.MsgsPerS = float64(upto-1) / r.Elapsed // the first message only starts the clock
		r.CPUPerMsg = perMsg(cpuLast-cpuFirst, upto-1)
	}
	return emit(stdout, r)
}

// clockEvery is how often, in data messages, a SUB reads the clock between the first message
// and "end"; c/mcast_sub.c uses the same.
const clockEvery = 256

// check verifies message i as the libzmq peers do: its size, its first and last byte, and
// every byte of one in 1024.
func check(f, pat []byte, i int64) error {
	if len(f) != len(pat) {
		return fmt.Errorf("message %d has %d bytes, want %d", i, len(f), len(pat))
	}
	if len(f) == 0 {
		return nil
	}
	if f[0] != pat[0] || f[len(f)-1] != pat[len(pat)-1] || i%1024 == 0 && string(f) != string(pat) {
		return fmt.Errorf("message %d of %d bytes is corrupted", i, len(f))
	}
	return nil
}
