package peer

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	zmq "github.com/purezmq/zmq"
)

// pull is pull_fair: a PULL receives Count/Peers messages (rounded down) from each sender of a
// push_fair, each sender's whole and in order, clocked from the first message to the last;
// fairness is taken when half of all had come: the fewest any sender had delivered over the
// most.
func (m *many) pull(stderr io.Writer, res *ManyResult) error {
	total := m.c.Count / m.c.Peers * m.c.Peers
	s, err := m.open(zmq.PULL, true)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stderr, "ready")
	next := make([]uint64, m.c.Peers)
	var start time.Time
	for i := range total {
		msg, err := s.Recv(m.ctx)
		if err != nil {
			return m.wrap(fmt.Sprintf("after %d of %d messages", i, total), err)
		}
		if i == 0 {
			start = time.Now()
		}
		m.progress.Add(1)
		if len(msg.Frames) != 1 {
			return fmt.Errorf("peer: message %d has %d frames", i, len(msg.Frames))
		}
		idx, seq, err := m.unstamp(msg.Frames[0], i%1024 == 0)
		if err != nil {
			return fmt.Errorf("peer: message %d: %w", i, err)
		}
		if idx >= m.c.Peers || seq != next[idx] {
			return fmt.Errorf("peer: from sender %d message %d (lost, repeated, reordered or %w)", idx, seq, errCorrupt)
		}
		next[idx]++
		if i+1 == total/2 {
			res.FairnessPct = ratioPct(slices.Min(next), slices.Max(next))
		}
	}
	elapsed := time.Since(start)
	res.Count = total
	res.ElapsedS = elapsed.Seconds()
	res.MsgsPerS = float64(total-1) / elapsed.Seconds()
	return nil
}

// pusher is one sender of push_fair: a PUSH, or a plain connection (GoNet).
type pusher interface {
	// send sends sender i's message seq.
	send(i int, seq uint64) error
	// flush sends what send left buffered.
	flush() error
	close()
}

// pushers is push_fair: Peers senders (PUSH sockets, or plain connections with GoNet), each in
// its own goroutine, connect, wait until every connection's handshake is done (so fairness is
// not how fast connections come up), then each sends Count/Peers messages as fast as it can;
// with Hold they stay open until its EOF.
func (m *many) pushers() error {
	per := m.c.Count / m.c.Peers
	var connected sync.WaitGroup
	connected.Add(m.c.Peers)
	begin := make(chan struct{})
	go func() {
		connected.Wait()
		close(begin)
	}()
	sent := make(chan struct{})
	var sentAll sync.WaitGroup
	sentAll.Add(m.c.Peers)
	go func() {
		sentAll.Wait()
		close(sent)
	}()
	var holdErr error
	held := make(chan struct{})
	go func() {
		<-sent
		// Waiting for the hold's end is no stall.
		m.idle.Store(true)
		holdErr = hold(m.c.Hold)
		close(held)
	}()
	err := m.each(func(i int) error {
		isConnected, isSent := sync.OnceFunc(connected.Done), sync.OnceFunc(sentAll.Done)
		defer isConnected()
		defer isSent()
		p, err := m.connectPusher(i)
		if err != nil {
			return err
		}
		defer p.close()
		isConnected()
		select {
		case <-begin:
		case <-m.ctx.Done():
			return m.wrap(fmt.Sprintf("sender %d waiting for the others", i), m.ctx.Err())
		}
		for k := range per {
			if err := p.send(i, uint64(k)); err != nil {
				return m.wrap(fmt.Sprintf("sender %d", i), err)
			}
			if k%256 == 0 {
				m.progress.Add(1) // not every message: a counter all senders write is contended
			}
		}
		if err := p.flush(); err != nil {
			return m.wrap(fmt.Sprintf("sender %d", i), err)
		}
		isSent()
		// Every sender stays open until the hold ends (the context's close then waits until
		// each has written all, as LINGER says).
		select {
		case <-m.ctx.Done():
			return m.wrap(fmt.Sprintf("sender %d holding", i), m.ctx.Err())
		case <-held:
			return nil
		}
	})
	if err != nil {
		return err
	}
	<-held
	return holdErr
}

// connectPusher opens sender i, its connection up.
func (m *many) connectPusher(i int) (pusher, error) {
	if m.c.Impl == GoNet {
		return m.dialPusher()
	}
	s, err := m.zc.NewSocket(zmq.PUSH)
	if err != nil {
		return nil, err
	}
	if err := m.connectHandshaken(s, i); err != nil {
		s.Close()
		return nil, err
	}
	return pushSocket{m, s}, nil
}

// pushSocket is a PUSH sender of push_fair: a new payload per message, the library's once
// sent.
type pushSocket struct {
	m *many
	s *zmq.Socket
}

func (p pushSocket) send(i int, seq uint64) error {
	return p.s.Send(p.m.ctx, zmq.Msg{Frames: [][]byte{p.m.stamped(i, seq)}})
}

func (p pushSocket) flush() error { return nil } // the socket writes on its own

func (p pushSocket) close() { p.s.Close() }

// connectHandshaken connects s and waits until its connection's handshake is done.
func (m *many) connectHandshaken(s *zmq.Socket, i int) error {
	events, stop := s.Monitor(zmq.EventHandshakeSucceeded)
	defer stop()
	if err := s.Connect(m.c.Endpoint); err != nil {
		return fmt.Errorf("peer: %s %s: %w", s.Type(), m.c.Endpoint, err)
	}
	select {
	case <-events:
		return nil
	case <-m.ctx.Done():
		return m.wrap(fmt.Sprintf("sender %d's handshake", i), m.ctx.Err())
	}
}
