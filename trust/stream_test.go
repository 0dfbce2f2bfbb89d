package trust_test

import (
	"flag"
	"sync/atomic"
	"testing"
	"time"
)

// The randomised stream checker: every pattern over every transport, each for its share of
// -trust.streamtime, as a run of sessions with seeds -trust.seed, -trust.seed+1, ... A session
// links fresh sockets with buffers, HWMs, shapes, pollers and joiners its seed chooses, streams
// both ways where the pattern allows, and checks every byte, every sequence number, every
// connection event. A failure prints the session's seed; running that seed first replays the
// same choices (the timing, of course, is the machine's).
var (
	seedFlag   = flag.Uint64("trust.seed", 1, "seed of the stream checker's first session of each case; session k uses seed+k")
	streamTime = flag.Duration("trust.streamtime", 20*time.Second, "time the stream checker spends over all its cases (make soak gives it 10m)")
	opTimeout  = flag.Duration("trust.optimeout", 20*time.Second, "how long a Send, Recv or Poll may block before the stream checker calls it a hang")
)

type stats struct {
	sessions, sent, messages, bytes, lost atomic.Int64
	pipelined                             atomic.Int64 // bursts of two or more sends right after a Recv
	handovers                             atomic.Int64 // ... that began with a handover pair (stream.handover)
	joins, polls, pollers                 atomic.Int64
}

func TestStream(t *testing.T) {
	share := *streamTime / time.Duration(len(transports)*len(patterns))
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			for _, p := range patterns {
				t.Run(p.name, func(t *testing.T) { runCase(t, p, tr, share) })
			}
		})
	}
}

func runCase(t *testing.T, p pattern, tr transport, share time.Duration) {
	var st stats
	end := time.Now().Add(share)
	for k := uint64(0); k == 0 || time.Now().Before(end); k++ {
		seed := *seedFlag + k
		st.sessions.Add(1)
		if r := runSession(p, tr, seed, &st); r != "" {
			t.Fatalf("%s\nreproduce: go test -race ./trust -run '^TestStream$/^%s$/^%s$' -trust.seed=%d -v",
				r, tr.name, p.name, seed)
		}
	}
	t.Logf("%d sessions, %d messages sent, %d (%s) received, %d lost (PUB drops; sent and never received), %d pipelined bursts after a Recv "+
		"(%d beginning with a copied message then one sent by writev), %d joiners, %d Polls, %d background Pollers",
		st.sessions.Load(), st.sent.Load(), st.messages.Load(), kib(int(st.bytes.Load())), st.lost.Load(), st.pipelined.Load(),
		st.handovers.Load(), st.joins.Load(), st.polls.Load(), st.pollers.Load())
}
