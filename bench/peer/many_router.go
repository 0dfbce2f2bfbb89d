package peer

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// dealerWarmup is the untimed round trips each DEALER makes first, so its connection is up
// before the clock starts.
const dealerWarmup = 5

// routerEcho sends every [routing id, body] back as it came, until each of the Peers clients
// sent its end marker (an empty body, not answered).
func (m *many) routerEcho(stderr io.Writer, res *ManyResult) error {
	s, err := m.open(zmq.ROUTER, true)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stderr, "ready")
	for ended := 0; ended < m.c.Peers; {
		msg, err := s.Recv(m.ctx)
		if err != nil {
			return m.wrap("router recv", err)
		}
		m.progress.Add(1)
		if len(msg.Frames) != 2 {
			return fmt.Errorf("peer: a request of %d frames with the routing id, want 2", len(msg.Frames))
		}
		switch len(msg.Frames[1]) {
		case 0:
			ended++
			continue
		case m.c.Size:
		default:
			return fmt.Errorf("peer: a request has %d bytes, want %d", len(msg.Frames[1]), m.c.Size)
		}
		if err := s.Send(m.ctx, msg); err != nil {
			return m.wrap("router send", err)
		}
		res.Echoed++
	}
	return nil
}

// tripper is one client of the ROUTER echo cell: a DEALER, or a plain connection (GoNet).
type tripper interface {
	// trip makes client i's round trip seq and returns its time.
	trip(i int, seq uint64) (time.Duration, error)
	// end tells the server this client is done.
	end() error
	// close lets the client go (again, after end, is fine).
	close()
}

// dealers runs Peers clients (DEALERs, or plain connections with GoNet), each making
// sequential round trips from its own goroutine. After dealerWarmup round trips each they
// start together; the timed window ends at the Count-th round trip completed in all, every
// client running until then.
func (m *many) dealers(stderr io.Writer, res *ManyResult) error {
	fmt.Fprintln(stderr, "ready")
	var (
		total      atomic.Int64 // round trips completed in the window, or past it
		rtt        = make([]time.Duration, m.c.Count)
		done       = make([]int, m.c.Peers)
		start, end time.Time
		ready      sync.WaitGroup
		begin      = make(chan struct{})
	)
	ready.Add(m.c.Peers)
	go func() {
		ready.Wait()
		start = time.Now()
		close(begin)
	}()
	err := m.each(func(i int) error {
		// Every client counts itself ready once, failed or not, so that the start never waits
		// for one that is gone (the failure stops the others).
		isReady := sync.OnceFunc(ready.Done)
		defer isReady()
		c, err := m.dial()
		if err != nil {
			return err
		}
		defer c.close()
		seq := uint64(0)
		for ; seq < dealerWarmup; seq++ {
			if _, err := c.trip(i, seq); err != nil {
				return err
			}
		}
		isReady()
		select {
		case <-begin:
		case <-m.ctx.Done():
			return m.wrap(fmt.Sprintf("client %d waiting for the others", i), m.ctx.Err())
		}
		mine := 0 // stored at the end: neighbouring clients' counters would share cache lines
		for ; ; seq++ {
			d, err := c.trip(i, seq)
			if err != nil {
				return err
			}
			k := total.Add(1) - 1
			if k >= int64(m.c.Count) {
				break
			}
			rtt[k] = d
			mine++
			if k == int64(m.c.Count)-1 {
				end = time.Now()
				break
			}
		}
		done[i] = mine
		return c.end()
	})
	if err != nil {
		return err
	}
	slices.Sort(rtt)
	lo, hi := slices.Min(done), slices.Max(done)
	elapsed := end.Sub(start)
	res.ElapsedS = elapsed.Seconds()
	res.RTTPerS = float64(m.c.Count) / elapsed.Seconds()
	res.P50US = float64(percentile(rtt, 50)) / 1e3
	res.P99US = float64(percentile(rtt, 99)) / 1e3
	res.MinDone, res.MaxDone = &lo, hi
	res.FairnessPct = ratioPct(lo, hi)
	return nil
}

// dial opens a client of the ROUTER echo cell.
func (m *many) dial() (tripper, error) {
	if m.c.Impl == GoNet {
		return m.dialNet()
	}
	s, err := m.open(zmq.DEALER, false)
	if err != nil {
		return nil, err
	}
	return dealer{m, s}, nil
}

// dealer is a DEALER client of the ROUTER echo cell.
type dealer struct {
	m *many
	s *zmq.Socket
}

func (d dealer) trip(i int, seq uint64) (time.Duration, error) {
	m := d.m
	b := m.stamped(i, seq)
	t0 := time.Now()
	if err := d.s.Send(m.ctx, zmq.Msg{Frames: [][]byte{b}}); err != nil {
		return 0, m.wrap(fmt.Sprintf("client %d send", i), err)
	}
	msg, err := d.s.Recv(m.ctx)
	if err != nil {
		return 0, m.wrap(fmt.Sprintf("client %d recv", i), err)
	}
	dt := time.Since(t0)
	if len(msg.Frames) != 1 {
		return 0, fmt.Errorf("peer: client %d: a reply of %d frames", i, len(msg.Frames))
	}
	return dt, m.checkReply(msg.Frames[0], i, seq)
}

// end sends the end marker: the router_echo exits after one from every client.
func (d dealer) end() error {
	if err := d.s.Send(d.m.ctx, zmq.Msg{Frames: [][]byte{{}}}); err != nil {
		return d.m.wrap("end marker", err)
	}
	return nil
}

func (d dealer) close() { d.s.Close() }

var errMisrouted = errors.New("a reply of another request")

// checkReply counts a reply received and checks it is client i's request seq, whole.
func (m *many) checkReply(b []byte, i int, seq uint64) error {
	m.progress.Add(1)
	gi, gs, err := m.unstamp(b, seq%1024 == 0)
	if err != nil {
		return fmt.Errorf("peer: client %d: %w", i, err)
	}
	if gi != i || gs != seq {
		return fmt.Errorf("peer: client %d: %w: client %d's request %d for its request %d", i, errMisrouted, gi, gs, seq)
	}
	return nil
}
