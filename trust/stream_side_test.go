package trust_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
)

// side is one socket of a session and the goroutine that drives it, the way an application
// does: one goroutine per socket, Recv and Send interleaved at random.
type side struct {
	s     *session
	idx   int
	name  string // A, B or J (the joiner)
	typ   zmq.Type
	sock  *zmq.Socket
	id    []byte // routing id
	probe bool   // sets PROBE_ROUTER
	out   []*flow
	in    []*flow
	wake  chan struct{}
	rng   *rand.Rand
	seen  map[*side]bool   // a ROUTER's peers whose routing id has arrived, so it can address them
	peers map[string]*side // by routing id

	awaiting bool          // REQ: a request is out
	holding  bool          // REP: a request is in
	answered bool          // the last call was a Recv: the next Send answers it (and may write directly)
	trigger  chan struct{} // B in a join session: closed when J is to connect
	bg       *bgPoller
	hist     history
}

func (sd *side) String() string { return fmt.Sprintf("%s (%v)", sd.name, sd.typ) }

func (s *session) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, *opTimeout)
}

// run drives the side until all its streams are complete or the session fails.
func (sd *side) run() {
	defer sd.stopPoller()
	if !sd.sync() {
		return
	}
	for !sd.done() {
		if sd.s.failed() {
			return
		}
		if sd.step() {
			sd.s.kick()
			continue
		}
		if !sd.wait() {
			return
		}
	}
	sd.hist.add("done")
}

// join is the joiner's goroutine: it connects once B has received enough of A's stream,
// streams like A, then leaves, which gives B back its only peer.
func (sd *side) join() {
	select {
	case <-sd.s.sides[1].trigger:
	case <-sd.s.ctx.Done():
		return
	}
	if err := sd.sock.Connect(sd.s.endpoint); err != nil {
		sd.s.fail("%v: Connect(%s): %v", sd, sd.s.endpoint, err)
		return
	}
	for _, st := range sd.out {
		st.linked.Store(true)
	}
	sd.hist.add("connect")
	sd.s.stats.joins.Add(1)
	sd.run()
	if sd.s.failed() {
		return
	}
	if sd.s.tr.name != "inproc" { // inproc reports no connection events
		sd.s.drops.Add(1)
	}
	sd.sock.Close()
	sd.hist.add("left")
	sd.s.kick()
}

func (sd *side) done() bool {
	for _, st := range sd.out {
		if !st.complete() {
			return false
		}
	}
	for _, st := range sd.in {
		if !st.complete() {
			return false
		}
	}
	return true
}

// wait waits for another side to do something.
func (sd *side) wait() bool {
	t := time.NewTimer(*opTimeout)
	defer t.Stop()
	select {
	case <-sd.wake:
		return true
	case <-sd.s.ctx.Done():
		return false
	case <-t.C:
		sd.s.hang("%v: nothing to do for %v yet not done; expecting %s", sd, *opTimeout, sd.expecting())
		return false
	}
}

// step does one thing the side may do now; false when there is nothing.
func (sd *side) step() bool {
	recv := sd.canRecv()
	out := sd.sendable()
	fin := sd.finDue()
	if !recv && out == nil && fin == nil {
		return false
	}
	if sd.s.cfg.bgPoll > 0 && len(sd.in) > 0 && sd.rng.IntN(1000) < sd.s.cfg.bgPoll {
		sd.togglePoller()
	}
	switch {
	case fin != nil && (!recv || sd.rng.IntN(2) == 0):
		sd.sendFin(fin)
	case recv && (out == nil || sd.rng.IntN(2) == 0 || !sd.answered && out.handover() && sd.rng.IntN(5) > 0):
		sd.recv()
	default:
		sd.send(out, sd.burst())
	}
	return true
}

// burst is how many messages to send back to back.
func (sd *side) burst() int {
	if sd.s.p.reqrep || sd.rng.IntN(3) == 0 {
		return 1
	}
	return 2 + sd.rng.IntN(7)
}

func (sd *side) canRecv() bool {
	switch {
	case sd.typ == zmq.REQ && !sd.awaiting, sd.typ == zmq.REP && sd.holding:
		return false
	}
	for _, st := range sd.in {
		if st.coming() > 0 {
			return true
		}
	}
	return false
}

// sendable picks a stream the side may send on now, or nil.
func (sd *side) sendable() *flow {
	switch {
	case sd.typ == zmq.REQ && sd.awaiting, sd.typ == zmq.REP && !sd.holding:
		return nil
	}
	var ok []*flow
	for _, st := range sd.out {
		if sd.typ == zmq.ROUTER && !sd.seen[st.to] {
			continue
		}
		if st.lossy && !isClosed(st.synced) {
			continue
		}
		if st.room(st.nextSize()) > 0 {
			ok = append(ok, st)
		}
	}
	if len(ok) == 0 {
		return nil
	}
	for _, st := range ok {
		if st.handover() {
			return st
		}
	}
	return ok[sd.rng.IntN(len(ok))]
}

// finDue is a lossy stream whose data is all sent and whose fin is to go (again), or nil: a
// fin PUB dropped was dropped at HWM, so messages were queued and their arrival says to resend.
func (sd *side) finDue() *flow {
	for _, st := range sd.out {
		if st.lossy && st.next == int64(st.total) && !st.finSeen.Load() &&
			(st.finSends == 0 || st.got.Load() > st.finGot) {
			return st
		}
	}
	return nil
}

// expecting says what the side waits for, for reports.
func (sd *side) expecting() string {
	var parts []string
	for _, st := range sd.in {
		parts = append(parts, fmt.Sprintf("s%d seq %d (%d on the way)", st.id, st.ack.Load(), st.coming()))
	}
	for _, st := range sd.out {
		parts = append(parts, fmt.Sprintf("s%d acks (sent %d, received %d)", st.id, st.sent.Load(), st.ack.Load()))
	}
	return strings.Join(parts, ", ")
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
