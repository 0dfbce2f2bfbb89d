package pipe

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestInboxFairQueueing drives an Inbox with pipes that refill at random, in batches of random
// size within their credit, and checks every Pop against a model of fair queueing: the pipe
// served is the one that has waited longest in line, where a pipe takes its place at the back
// when it gains a first message and again each time it is served and still has more. A batch
// arriving on a pipe already in line leaves its place alone, so a pipe that refills in big
// batches (a connection's reader delivering a 64 KiB read at once) never jumps the queue.
// Messages of each pipe come out in order, none is lost, and no pipe holds more than its credit,
// nor refuses a message with more than a release step of its credit free.
func TestInboxFairQueueing(t *testing.T) {
	cases := []struct {
		name         string
		pipes, hwm   int
		maxBatch     int
		deliverEvery int // one refill for every this many pops, on average
	}{
		{"backlogged", 8, 16, 16, 1},
		{"sparse", 8, 16, 4, 4},
		{"many pipes big batches", 100, 1000, 1000, 50},
		{"credit released in steps", 4, 256, 64, 2},
		{"unlimited credit", 5, 0, 40, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.pipes)))
			ib := NewInbox()
			pipes := make([]*Pipe, tc.pipes)
			index := map[*Pipe]int{}
			sent := make([]uint32, tc.pipes) // next sequence number to deliver
			got := make([]uint32, tc.pipes)  // next sequence number expected out
			place := make([]int, tc.pipes)   // when the pipe last took its place at the back
			queued := make([]int, tc.pipes)  // the model's count of its queued messages
			freed := make([]int, tc.pipes)   // onSpace calls
			freedAll := 0
			for i := range pipes {
				pipes[i] = New(ib, tc.hwm, func() { freed[i]++; freedAll++ })
				index[pipes[i]] = i
			}
			now := 0
			deliver := func(i int) {
				var batch []Msg
				for range 1 + rng.IntN(tc.maxBatch) {
					b := make([]byte, 4)
					binary.BigEndian.PutUint32(b, sent[i]+uint32(len(batch)))
					batch = append(batch, Msg{b})
				}
				n := pipes[i].DeliverBatch(batch)
				// Credit comes back every releaseStep messages taken: the producer may see up to
				// one step less than there is, never more.
				lag := int(releaseStep(int64(tc.hwm))) - 1
				if tc.hwm > 0 && (n > min(len(batch), tc.hwm-queued[i]) || n < min(len(batch), tc.hwm-queued[i]-lag)) {
					t.Fatalf("pipe %d with %d of %d queued took %d of a batch of %d (credit may lag by %d)", i, queued[i], tc.hwm, n, len(batch), lag)
				}
				if n > 0 && queued[i] == 0 {
					place[i] = now
				}
				sent[i] += uint32(n)
				queued[i] += n
				now++
			}
			for i := range pipes {
				deliver(i)
			}
			for pops := 0; pops < 20000; pops++ {
				if rng.IntN(tc.deliverEvery) == 0 {
					deliver(rng.IntN(tc.pipes))
				}
				before := freedAll
				p, m, freedNow, ok := ib.Pop()
				if freedNow != (freedAll > before) {
					t.Fatalf("pop %d reported freed %v, its producers were woken %d times", pops, freedNow, freedAll-before)
				}
				if !ok {
					for i := range pipes {
						if queued[i] > 0 {
							t.Fatalf("Pop found the inbox empty while pipe %d has %d queued", i, queued[i])
						}
					}
					deliver(rng.IntN(tc.pipes))
					continue
				}
				i := index[p]
				for j := range pipes {
					if j != i && queued[j] > 0 && place[j] < place[i] {
						t.Fatalf("pop %d served pipe %d (in line since %d) before pipe %d (in line since %d)", pops, i, place[i], j, place[j])
					}
				}
				if seq := binary.BigEndian.Uint32(m[0]); seq != got[i] {
					t.Fatalf("pipe %d gave message %d, want %d", i, seq, got[i])
				}
				got[i]++
				queued[i]--
				if queued[i] > 0 {
					place[i] = now
				}
				now++
			}
			for i := range pipes {
				if tc.hwm > 0 && sent[i] > got[i]+uint32(tc.hwm) {
					t.Fatalf("pipe %d: %d delivered, %d popped, more than its credit %d apart", i, sent[i], got[i], tc.hwm)
				}
				if ib.Drop(pipes[i]) != queued[i] {
					t.Fatalf("pipe %d: Drop disagrees with the model's %d queued", i, queued[i])
				}
			}
			if ib.Len() != 0 {
				t.Fatalf("%d messages left after every pipe's were dropped", ib.Len())
			}
			if tc.hwm > 0 && tc.deliverEvery == 1 {
				blocked := 0
				for i := range pipes {
					blocked += freed[i]
				}
				if blocked == 0 {
					t.Fatal("no pipe ever ran out of credit and was freed: the case does not test credit")
				}
			}
		})
	}
}
