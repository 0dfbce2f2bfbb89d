package pgm

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// A sender takes from its queue ahead of the rate limiter as many APDUs as hold
// maxBacklogBytes, at least minBacklog: the rest stays in the queue, under the socket's HWM.
// The backlog is what the wire is fed from while the producer's goroutine waits for the
// scheduler: 3 ms at 1 Gbit/s, where the queue's 1000 small messages (SNDHWM) last under one
// and a 2-core machine running both ends stalls a goroutine for longer.
const (
	maxBacklogBytes = 384 << 10
	minBacklog      = 64
)

// SendEngine is an open PGM source: the sockets, and the goroutines Run starts around a Sender.
type SendEngine struct {
	c    conn
	mu   sync.Mutex // guards st and pk: Run's loop and the upstream reader share them
	st   *Sender
	pk   *packer
	busy atomic.Bool
	// maxBacklog is how many APDUs the sender takes ahead of the rate limiter.
	maxBacklog int

	kick chan struct{}
	lifecycle
	readers sync.WaitGroup
}

// OpenSender opens a source on ep (epgm when raw is false, else pgm) with cfg.
func OpenSender(raw bool, ep Endpoint, cfg Config) (*SendEngine, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if !ep.Addr.IsValid() {
		a, err := localAddr(ep.Group, ep.Port)
		if err != nil {
			return nil, err
		}
		ep.Addr = a
	}
	c, err := openConn(raw, ep, cfg)
	if err != nil {
		return nil, err
	}
	return newSendEngine(c, ep, cfg)
}

// newSendEngine makes a source of c, which it closes on failure.
func newSendEngine(c conn, ep Endpoint, cfg Config) (*SendEngine, error) {
	sc := SenderConfig{Dport: uint16(ep.Port), NLA: ep.Addr, Group: ep.Group, MaxTPDU: cfg.MaxTPDU,
		IPHeader: c.ipHeader(), Rate: cfg.Rate, RecoveryIvl: cfg.RecoveryIvl}
	if sc.MaxTSDU() < 16 {
		c.close()
		return nil, fmt.Errorf("pgm: MULTICAST_MAXTPDU %d leaves no room for data", cfg.MaxTPDU)
	}
	var seed [8]byte
	rand.Read(seed[:])
	copy(sc.TSI.GSI[:], seed[:6])
	// A random data-source port, as OpenPGM picks when libzmq leaves it 0.
	for sc.TSI.Sport == 0 || sc.TSI.Sport == sc.Dport {
		rand.Read(seed[6:])
		sc.TSI.Sport = binary.BigEndian.Uint16(seed[6:])
	}
	e := &SendEngine{c: c, st: NewSender(sc, time.Now()), kick: make(chan struct{}, 1),
		maxBacklog: max(minBacklog, maxBacklogBytes/sc.MaxTSDU())}
	e.init()
	e.pk = newPacker(sc.MaxTSDU(), e.st.Queue)
	return e, nil
}

func (cfg *Config) check() error {
	if cfg.Rate <= 0 || cfg.RecoveryIvl <= 0 || cfg.MaxTPDU <= 0 || cfg.Hops < 0 || cfg.Hops > 255 {
		return fmt.Errorf("pgm: RATE %d, RECOVERY_IVL %v, MULTICAST_MAXTPDU %d, MULTICAST_HOPS %d: out of range",
			cfg.Rate, cfg.RecoveryIvl, cfg.MaxTPDU, cfg.Hops)
	}
	return nil
}

// Busy reports that APDUs taken from the queue still wait for the rate limiter.
func (e *SendEngine) Busy() bool { return e.busy.Load() }

// Stats returns the source's counters.
func (e *SendEngine) Stats() SenderStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.Stats
}

// Run sends what l.Out holds until Close.
func (e *SendEngine) Run(l transport.Link) error { return e.run(func() error { return e.loop(l) }) }

// loop is Run's body.
func (e *SendEngine) loop(l transport.Link) error {
	e.readers.Add(1)
	go e.readUpstream()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var msgs []pipe.Msg
	var sendErr error
	out := newOutBatch(e.c, e.st.cfg.MaxTPDU)
	send := out.add
	e.mu.Lock()
	e.st.SetScratch(out.scratch)
	e.mu.Unlock()
	for {
		// Busy before Drain: a lingering Close that found the queue empty must not also find
		// us idle while what we took is on its way into the backlog.
		e.busy.Store(true)
		e.mu.Lock()
		more := true // whether the queue holds more: unknown until a Drain says
		for e.st.Backlog() < e.maxBacklog {
			msgs, more = l.Out.Drain(msgs[:0], 64<<10)
			for i, m := range msgs {
				e.pk.add(m)
				msgs[i] = nil
			}
			if !more {
				break
			}
		}
		e.pk.flush()
		if more {
			e.st.More()
		}
		next := e.st.Poll(time.Now(), send)
		out.flush()
		if errors.Is(out.err, net.ErrClosed) {
			sendErr = out.err
		}
		out.err = nil // other failures (a full queue on the way out) are loss, which NAKs repair
		busy := e.st.Backlog() > 0
		// The queue wakes us only for a message into an empty queue: what it still holds,
		// with room in the backlog, is ours to take now, not at the next timer.
		again := more && e.st.Backlog() < e.maxBacklog
		e.mu.Unlock()
		e.busy.Store(busy)
		if !busy && l.Idle != nil {
			l.Idle()
		}
		if sendErr != nil {
			return sendErr
		}
		if again {
			select {
			case <-e.quit:
				return nil
			default:
				continue
			}
		}
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		select {
		case <-l.Out.Wake():
		case <-e.kick:
		case <-timer.C:
		case <-e.quit:
			return nil
		}
	}
}

// readUpstream takes the NAKs and SPMRs receivers send the source.
func (e *SendEngine) readUpstream() {
	defer e.readers.Done()
	buf := make([]byte, 64<<10)
	var p Packet
	for {
		b, _, err := e.c.read(buf)
		if err != nil {
			select {
			case <-e.quit:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		// The type before the checksum: with MULTICAST_LOOP on, this socket hears every
		// packet the source sends.
		if len(b) < headerLen || (Type(b[4]) != TypeNAK && Type(b[4]) != TypeSPMR) || Parse(b, &p) != nil {
			continue
		}
		e.mu.Lock()
		e.st.Handle(&p)
		e.mu.Unlock()
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// Close stops Run, drops what LINGER left unsent, says goodbye with OPT_FIN SPMs and closes
// the sockets.
func (e *SendEngine) Close() error {
	var err error
	e.once.Do(func() {
		close(e.quit)
		e.waitRun()
		e.mu.Lock()
		e.st.Discard()
		e.st.Close()
		e.st.Poll(time.Now(), func(b []byte) { _ = e.c.sendGroup(b) })
		e.mu.Unlock()
		e.busy.Store(false)
		err = e.c.close()
		e.readers.Wait()
	})
	return err
}
