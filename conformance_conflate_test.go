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
		{zmq.PUB, zmq.SUB}, {zmq.PUSH, zmq.PULL}, {zmq.DEALER, zmq.DEALER}, {zmq.PAIR, zmq.PAIR},
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
