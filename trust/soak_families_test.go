package trust_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

// family is a socket pattern as a soak lane runs it: the bound and connect types, the streams
// and receivers it sets up before the traffic, and the senders it starts with it.
type family struct {
	name        string
	bound, conn zmq.Type
	busy        faultnet.Direction // the directions the traffic crosses the relay (Up: towards bound)
	setup       func(l *lane)
	traffic     func(l *lane)
}

// rule is what a stream of a lane may lose (TestSoakFaults says each in full).
type rule int

const (
	ruleExact       rule = iota // control lanes: everything, in order, once
	ruleReliable                // a gap per connection that broke, at most; order per connection
	ruleLossy                   // any loss (PUB, ROUTER's echoes); order per connection
	ruleAtLeastOnce             // REP under retries: every request, some twice; order per connection
	ruleAnswered                // REQ under retries: every reply once, in order
)

func (r rule) String() string {
	return [...]string{"exact", "reliable", "lossy", "at-least-once", "answered"}[r]
}

var soakFamilies = []family{
	{
		name: "PUSH-PULL", bound: zmq.PULL, conn: zmq.PUSH, busy: faultnet.Up,
		setup: func(l *lane) {
			data := l.stream("PUSH→PULL", ruleReliable, false)
			l.final = data.ta
			l.receive(l.bound, data, 0, nil)
		},
		traffic: func(l *lane) { l.sendData(l.conn, l.streams[0]) },
	},
	{
		name: "PUB-SUB", bound: zmq.PUB, conn: zmq.SUB, busy: faultnet.Down,
		setup: func(l *lane) {
			data := l.stream("PUB→SUB", ruleLossy, true)
			l.final = data.ta
			l.receive(l.conn, data, 0, nil)
		},
		traffic: func(l *lane) { l.sendData(l.bound, l.streams[0]) },
	},
	{
		name: "DEALER-ROUTER", bound: zmq.ROUTER, conn: zmq.DEALER, busy: faultnet.Both,
		setup: func(l *lane) {
			reqs, echoes := l.stream("DEALER→ROUTER", ruleReliable, false), l.stream("ROUTER→DEALER echoes", ruleLossy, true)
			l.final = echoes.ta
			l.receive(l.bound, reqs, 1, l.echoTo(l.bound, echoes, 1))
			l.receive(l.conn, echoes, 0, nil)
		},
		traffic: func(l *lane) { l.sendData(l.conn, l.streams[0]) },
	},
	{
		name: "REQ-REP", bound: zmq.REP, conn: zmq.REQ, busy: faultnet.Both,
		setup: func(l *lane) {
			reqs, replies := l.stream("REQ→REP", ruleAtLeastOnce, false), l.stream("REP→REQ replies", ruleAnswered, true)
			l.final = replies.ta
			l.receive(l.bound, reqs, 0, l.echoTo(l.bound, replies, 0))
		},
		traffic: func(l *lane) { l.pirate(l.streams[0], l.streams[1]) },
	},
	{
		name: "PAIR", bound: zmq.PAIR, conn: zmq.PAIR, busy: faultnet.Both,
		setup: func(l *lane) {
			reqs, echoes := l.stream("PAIR→PAIR", ruleReliable, false), l.stream("PAIR←PAIR echoes", ruleReliable, true)
			l.final = echoes.ta
			l.receive(l.bound, reqs, 0, l.echoTo(l.bound, echoes, 0))
			l.receive(l.conn, echoes, 0, nil)
		},
		traffic: func(l *lane) { l.sendData(l.conn, l.streams[0]) },
	},
}

// sendData sends ls's data messages on s, paced on the lane's last receiver, until the lane
// stops; then fins until one arrives.
func (l *lane) sendData(s *zmq.Socket, ls *laneStream) {
	l.sending.Add(1)
	l.sk.spawn(l.name, func() {
		defer l.sending.Done()
		for seq := int64(0); !l.stopped(); seq++ {
			if !l.pace(seq) || !l.ration(seq) {
				return
			}
			if !l.send(s, zmq.NewMsg(l.codec.msg(dataStream, seq)...), fmt.Sprintf("%s seq %d", ls.name, seq)) {
				return
			}
			ls.sentSeq(seq)
		}
		l.fin(s)
	})
}

// ration keeps the lane's sender under laneRate: without it the inproc lanes, which cost the
// least, would take the CPU the relay lanes need. false if the run ended meanwhile.
func (l *lane) ration(seq int64) bool {
	n := 0
	for _, size := range l.codec.sizes(dataStream, seq) {
		n += size
	}
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	l.next = l.next.Add(time.Duration(n) * time.Second / laneRate)
	if ahead := l.next.Sub(now); ahead > 20*time.Millisecond {
		return l.sk.sleep(ahead)
	}
	return true
}

// pace waits until the lane's last receiver is at most soakWindow messages behind seq: on a
// control lane for as long as it takes (beyond the window a PUB or an echoing ROUTER could
// drop, and a control lane may lose nothing), on a relay lane for at most trickle.
func (l *lane) pace(seq int64) bool {
	if seq < soakWindow {
		return true
	}
	caught := func(st *stream) bool { return st != nil && st.next > seq-soakWindow }
	if l.w.faulty {
		l.final.await(dataStream, caught, trickle)
		return l.sk.ctx.Err() == nil
	}
	if l.await(l.final, dataStream, caught, stallBound) {
		return true
	}
	if l.sk.ctx.Err() == nil {
		l.sk.hang("%s: the last receiver stuck %d messages behind for %v", l.name, soakWindow, stallBound)
	}
	return false
}

// fin sends fins until one reaches the lane's last receiver: every data message that will
// arrive has then arrived (each connection is in order, and the faults have stopped).
func (l *lane) fin(s *zmq.Socket) {
	deadline := time.Now().Add(drainBound)
	arrived := func(st *stream) bool { return st != nil }
	for k := int64(0); ; k++ {
		if !l.send(s, zmq.NewMsg(l.codec.msg(finStream, k)...), "a fin") {
			return
		}
		if l.await(l.final, finStream, arrived, 200*time.Millisecond) || l.sk.ctx.Err() != nil {
			return
		}
		if time.Now().After(deadline) {
			l.sk.hang("%s: no fin arrived within %v of the traffic's end (%d sent)", l.name, drainBound, k+1)
			return
		}
	}
}

// pirate is a lazy-pirate REQ client: each request is asked until answered, on a new socket
// after each wait in vain; it stops, with its last request answered, when the lane stops.
func (l *lane) pirate(reqs, replies *laneStream) {
	l.sending.Add(1)
	l.sk.spawn(l.name, func() {
		defer l.sending.Done()
		for seq := int64(0); !l.stopped(); seq++ {
			if !l.ration(seq) {
				return
			}
			reqs.sentSeq(seq)
			if !l.ask(seq, replies) {
				return
			}
		}
	})
}

// ask asks request seq until it is answered: on a relay lane it waits pirateWait for the reply,
// twice as long after each wait in vain (up to pirateMax), on a control lane stallBound.
func (l *lane) ask(seq int64, replies *laneStream) bool {
	wait := pirateWait
	if !l.w.faulty {
		wait = stallBound
	}
	start := time.Now()
	for {
		if l.conn == nil {
			if err := l.connect(); err != nil {
				l.sk.fail("%s: a new REQ: %v", l.name, err)
				return false
			}
		}
		if !l.send(l.conn, zmq.NewMsg(l.codec.msg(dataStream, seq)...), fmt.Sprintf("request %d", seq)) {
			return false
		}
		ctx, cancel := context.WithTimeout(l.sk.ctx, wait)
		m, err := l.conn.Recv(ctx)
		cancel()
		if err == nil {
			if h, err := parseHeader(m.Frames[0]); err == nil && (h.stream != dataStream || h.seq != seq) {
				l.sk.fail("%s: the reply to request %d is stream %d seq %d", l.name, seq, h.stream, h.seq)
				return false
			}
			if !l.take(replies, m.Frames) {
				return false
			}
			l.conn.Recycle(m)
			return true
		}
		switch {
		case l.sk.ctx.Err() != nil:
			return false
		case !errors.Is(err, context.DeadlineExceeded):
			l.sk.fail("%s: REQ Recv: %v", l.name, err)
			return false
		case !l.w.faulty || time.Since(start) > stallBound:
			l.sk.hang("%s: request %d unanswered for %v (%d retries in all)", l.name, seq, time.Since(start), l.retries.Load())
			return false
		}
		// Lazy pirate: give up on this socket, ask again on a new one.
		l.retries.Add(1)
		l.conn.Close()
		l.conn = nil
		wait = min(2*wait, pirateMax)
	}
}
