package zmq_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestConflate: a receiver with CONFLATE that does not read keeps only the newest message.
func TestConflate(t *testing.T) {
	pairs := []struct{ sender, receiver zmq.Type }{
		{zmq.PUB, zmq.SUB}, {zmq.PUSH, zmq.PULL}, {zmq.DEALER, zmq.DEALER},
	}
	for _, pr := range pairs {
		t.Run(pr.receiver.String(), func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				snd := newSocket(t, pr.sender)
				rcv := newSocket(t, pr.receiver, zmq.WithConflate(true))
				if pr.receiver == zmq.SUB {
					subscribe(t, rcv, "")
				}
				link(t, tr, rcv, snd)
				if pr.receiver == zmq.SUB {
					syncSub(t, snd, rcv, "sync")
				}
				const n = 100
				for i := range n {
					sendString(t, snd, fmt.Sprintf("m%d", i))
				}
				// Messages still on the wire may arrive one by one; once the newest is read,
				// far fewer than n must have been.
				got, last := 0, -1
				for last != n-1 {
					m := recvSkip(t, rcv, "sync")
					i, err := strconv.Atoi(strings.TrimPrefix(string(m.Frames[0]), "m"))
					if err != nil || i <= last {
						t.Fatalf("received %s after m%d", fmtFrames(m.Frames), last)
					}
					last = i
					got++
				}
				if got > n/4 {
					t.Fatalf("received %d of %d messages: not conflated", got, n)
				}
				expectNoMsg(t, rcv, waitShort)
			})
		})
	}
}

// TestConflateSend: CONFLATE applies to the sending side too, as in libzmq: a sender that
// queued messages before its peer existed delivers only the newest, kept whole if multipart.
// PAIR ignores CONFLATE, as libzmq's does.
func TestConflateSend(t *testing.T) {
	tests := []struct {
		sender, receiver zmq.Type
		multipart        bool
		want             func(n int) []int // which of the n messages arrive
	}{
		{zmq.PUSH, zmq.PULL, false, newest},
		{zmq.PUSH, zmq.PULL, true, newest},
		{zmq.DEALER, zmq.DEALER, false, newest},
		{zmq.PAIR, zmq.PAIR, false, every},
	}
	for _, tc := range tests {
		name := tc.sender.String()
		if tc.multipart {
			name += "/multipart"
		}
		t.Run(name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				snd := newSocket(t, tc.sender, zmq.WithConflate(true))
				ep := tr.fixed(t)
				connect(t, snd, ep) // nothing bound yet: the messages queue
				const n = 10
				msg := func(i int) []string {
					if tc.multipart {
						return []string{fmt.Sprintf("m%d", i), "tail"}
					}
					return []string{fmt.Sprintf("m%d", i)}
				}
				for i := range n {
					sendString(t, snd, msg(i)...)
				}
				rcv := newSocket(t, tc.receiver)
				bind(t, rcv, ep)
				for _, i := range tc.want(n) {
					expectRecvString(t, rcv, msg(i)...)
				}
				expectNoMsg(t, rcv, waitShort)
			})
		})
	}
}

// TestConflatePubInproc: a PUB with CONFLATE keeps only the newest message for a subscriber
// that has not read (over inproc there is no wire in between to absorb the rest).
func TestConflatePubInproc(t *testing.T) {
	pub := newSocket(t, zmq.PUB, zmq.WithConflate(true))
	sub := newSocket(t, zmq.SUB)
	subscribe(t, sub, "")
	connect(t, sub, bind(t, pub, inprocName()))
	syncSub(t, pub, sub, "sync")
	for i := range 10 {
		sendString(t, pub, fmt.Sprintf("m%d", i))
	}
	expectRecvString(t, sub, "m9")
	expectNoMsg(t, sub, waitShort)
}

func newest(n int) []int { return []int{n - 1} }

func every(n int) []int {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	return all
}
