package trust_test

import (
	"hash/fnv"
	"math/rand/v2"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

// open sets up every lane: connected, receivers running, no traffic yet.
func (sk *soak) open() {
	keys, err := newSoakKeys()
	if err != nil {
		sk.t.Fatal(err)
	}
	for _, f := range soakFamilies {
		for _, w := range soakWires {
			h := fnv.New64a()
			h.Write([]byte(f.name + "/" + w.name))
			key := mix(sk.seed ^ h.Sum64())
			l := &lane{
				sk: sk, idx: len(sk.lanes), fam: f, w: w, name: f.name + " " + w.name, keys: keys,
				codec: profiled(key, soakProfile), bev: newEvents(), cev: newEvents(), stopping: make(chan struct{}),
			}
			sk.lanes = append(sk.lanes, l)
			if err := l.open(); err != nil {
				sk.fail("%s: setting up: %v", l.name, err)
				return
			}
		}
	}
}

// run starts the traffic and the fault schedules, samples the process every -trust.soaksample
// and watches that every lane moves, for d or until a failure; then it stops the faults and
// waits for each relay's last one to be lifted and its stream to resume.
func (sk *soak) run(d time.Duration) {
	stopFaults := make(chan struct{})
	done := make(chan struct{})
	faulting := 0
	for _, l := range sk.lanes {
		l.fam.traffic(l)
		if l.relay != nil {
			faulting++
			rng := rand.New(rand.NewPCG(sk.seed, uint64(l.idx)))
			sk.spawn(l.name+" faults", func() {
				defer func() { done <- struct{}{} }()
				l.schedule(rng, stopFaults)
			})
		}
	}
	sk.watch(d)
	close(stopFaults)
	for range faulting {
		<-done // each schedule's waits are bounded
	}
	for _, l := range sk.lanes {
		if l.relay != nil {
			l.relay.Normal(faultnet.Both)
		}
	}
}

// watch samples the process and checks that every lane's last receiver keeps receiving, until
// d has passed or the run fails.
func (sk *soak) watch(d time.Duration) {
	end := time.Now().Add(d)
	nextSample := time.Now().Add(*soakSample)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	last := make([]int, len(sk.lanes))
	moved := make([]time.Time, len(sk.lanes))
	for i := range moved {
		moved[i] = time.Now()
	}
	for time.Now().Before(end) {
		select {
		case <-tick.C:
		case <-sk.ctx.Done():
			return
		}
		for i, l := range sk.lanes {
			if p := l.progress(); p != last[i] {
				last[i], moved[i] = p, time.Now()
			} else if time.Since(moved[i]) > stallBound {
				sk.hang("%s: nothing received for %v (last faults: %s)", l.name, stallBound, l.faults.recent())
				return
			}
		}
		if time.Now().After(nextSample) {
			nextSample = nextSample.Add(*soakSample)
			if u, err := readUsage(); err == nil {
				sk.mark("traffic", u)
			}
		}
	}
}

// drain stops the senders: each finishes with fins until one arrives (a lazy pirate with its
// last request answered).
func (sk *soak) drain() {
	done := make(chan struct{})
	go func() {
		for _, l := range sk.lanes {
			close(l.stopping)
			l.sending.Wait()
		}
		close(done)
	}()
	tm := time.NewTimer(drainBound + time.Minute) // each fin loop is bounded by drainBound
	defer tm.Stop()
	select {
	case <-done:
	case <-tm.C:
		sk.hang("the senders did not finish within %v of the traffic's end", drainBound)
		<-done // the failure ended every wait
	}
}

// close ends every lane: its goroutines first (each wait is bounded, and the run's context
// ends them), then its sockets, monitors and relay.
func (sk *soak) close() {
	sk.mu.Lock()
	closed := sk.closed
	sk.closed = true
	sk.mu.Unlock()
	if closed {
		return
	}
	for _, l := range sk.lanes {
		select {
		case <-l.stopping:
		default:
			close(l.stopping)
		}
	}
	sk.cancel()
	sk.wg.Wait()
	for _, l := range sk.lanes {
		// The monitors stop first: closing one side would show the other a disconnect.
		l.bev.stop()
		l.cev.stop()
		for _, s := range []*zmq.Socket{l.conn, l.bound} {
			if s != nil {
				s.Close()
			}
		}
		if l.relay != nil {
			l.relay.Close()
		}
	}
}
