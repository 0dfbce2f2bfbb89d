package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	zmq "github.com/purezmq/zmq"
)

// endMarker ends the fan-out stream; data messages are never one byte long.
var endMarker = []byte("E")

// publish is xpub_fan: an XPUB (XPUB_VERBOSER, to see each subscription and unsubscription)
// waits until Peers subscribers subscribed, then sends Count messages as fast as it can with
// the default SNDHWM, dropping at the HWM as PUB does: copies of one buffer it rewrites for
// each (SendCopy, as xpub_fan.c does with zmq_send), or with NewPayload a new payload each, the
// library's once sent (Send); then it sends the end marker every
// millisecond (any copy may be dropped) until every subscriber has unsubscribed, which a
// subscriber does once it has seen the marker.
func (m *many) publish(stderr io.Writer, res *ManyResult) error {
	s, err := m.open(zmq.XPUB, true, zmq.WithXPubVerboser(true))
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stderr, "ready")
	for n := 0; n < m.c.Peers; n++ {
		msg, err := s.Recv(m.ctx)
		if err != nil {
			return m.wrap(fmt.Sprintf("%d of %d subscribers subscribed", n, m.c.Peers), err)
		}
		m.progress.Add(1)
		if len(msg.Frames) != 1 || string(msg.Frames[0]) != "\x01" {
			return fmt.Errorf("peer: before the start, %v instead of a subscription to everything", msg)
		}
	}
	buf := make([]byte, len(m.pat))
	t0, c0 := time.Now(), cpuTime()
	for i := range m.c.Count {
		var err error
		if m.c.NewPayload {
			err = s.Send(m.ctx, zmq.Msg{Frames: [][]byte{m.stamped(0, uint64(i))}})
		} else {
			err = s.SendCopy(m.ctx, zmq.Msg{Frames: [][]byte{m.stamp(buf, 0, uint64(i))}})
		}
		if err != nil {
			return m.wrap("publish", err)
		}
		m.progress.Add(1)
	}
	t1, c1 := time.Now(), cpuTime()
	m.progress.Add(1)
	for n := 0; n < m.c.Peers; {
		if err := s.Send(m.ctx, zmq.Msg{Frames: [][]byte{endMarker}}); err != nil {
			return m.wrap("end marker", err)
		}
		// What came in the next millisecond: unsubscriptions count.
		for {
			wait, cancel := context.WithTimeout(m.ctx, time.Millisecond)
			msg, err := s.Recv(wait)
			cancel()
			if errors.Is(err, zmq.ErrAgain) {
				break
			}
			if err != nil {
				return m.wrap(fmt.Sprintf("%d of %d subscribers unsubscribed (saw the end)", n, m.c.Peers), err)
			}
			if len(msg.Frames) == 1 && string(msg.Frames[0]) == "\x00" {
				n++
				m.progress.Add(1)
			}
		}
	}
	c2 := cpuTime()
	per := float64(m.c.Count) * float64(m.c.Peers)
	res.ElapsedS = t1.Sub(t0).Seconds()
	res.SendPerS = float64(m.c.Count) / res.ElapsedS
	res.CPUNsPerMsgSub = float64(c1-c0) / per
	res.CPUNsPerMsgSubEnd = float64(c2-c0) / per
	return nil
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// subClockEvery is how often a subscriber reads the clock: at its first message, every
// subClockEvery-th and the end marker. A read per message was a fifth of a purezmq subscriber
// process's CPU (time.Now on this machine); sub_fan.c reads it as often.
const subClockEvery = 256

// subscribers is sub_fan: Peers SUBs, each in its own goroutine, subscribe to everything and
// receive until the end marker, then unsubscribe. Messages may be dropped at the publisher's
// HWM, never repeated, reordered or corrupted.
func (m *many) subscribers(stderr io.Writer, res *ManyResult) error {
	fmt.Fprintln(stderr, "ready")
	got := make([]int, m.c.Peers)
	firsts := make([]time.Time, m.c.Peers)
	lasts := make([]time.Time, m.c.Peers)
	err := m.each(func(i int) error {
		s, err := m.zc.NewSocket(zmq.SUB)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Subscribe(nil); err != nil {
			return err
		}
		if err := s.Connect(m.c.Endpoint); err != nil {
			return fmt.Errorf("peer: SUB %s: %w", m.c.Endpoint, err)
		}
		// Counted in locals, stored at the end: neighbouring subscribers' counters would share
		// cache lines.
		var (
			n           int
			next        uint64
			first, last time.Time
		)
		for {
			msg, err := s.Recv(m.ctx)
			if err != nil {
				return m.wrap(fmt.Sprintf("subscriber %d after %d messages", i, n), err)
			}
			if n%256 == 0 {
				m.progress.Add(1)
			}
			if len(msg.Frames) != 1 {
				return fmt.Errorf("peer: subscriber %d: a message of %d frames", i, len(msg.Frames))
			}
			if string(msg.Frames[0]) == string(endMarker) {
				if n > 0 {
					last = time.Now() // the marker follows its last message
				}
				break
			}
			idx, seq, err := m.unstamp(msg.Frames[0], n%1024 == 0)
			if err != nil {
				return fmt.Errorf("peer: subscriber %d: %w", i, err)
			}
			if idx != 0 || seq < next || seq >= uint64(m.c.Count) {
				return fmt.Errorf("peer: subscriber %d: message %d after %d (repeated, reordered or %w)", i, seq, next, errCorrupt)
			}
			next = seq + 1
			if n%subClockEvery == 0 {
				last = time.Now()
				if n == 0 {
					first = last
				}
			}
			n++
		}
		got[i], firsts[i], lasts[i] = n, first, last
		return s.Unsubscribe(nil)
	})
	if err != nil {
		return err
	}
	var from, to time.Time
	for i := range got {
		res.Delivered += got[i]
		if got[i] > 0 && (from.IsZero() || firsts[i].Before(from)) {
			from = firsts[i]
		}
		if lasts[i].After(to) {
			to = lasts[i]
		}
	}
	res.ElapsedS = to.Sub(from).Seconds()
	if res.ElapsedS > 0 {
		res.DeliveredPerS = float64(res.Delivered) / res.ElapsedS
	}
	drops := m.c.Count*m.c.Peers - res.Delivered
	res.Drops = &drops
	return nil
}
