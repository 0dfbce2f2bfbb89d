package pipe

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"
)

// TestInboxConcurrent runs producers and receivers on an Inbox at once, as sockets do: each
// pipe's producers deliver numbered messages (one at a time or in batches, waiting for onSpace
// when refused), receivers pop and wait on Wake when the Inbox is empty. Every message arrives
// once, each producer's in order when one receiver takes them, no pipe is ever found holding
// more than its credit, and nobody is left waiting: a lost wake-up of either side hangs the test
// until its deadline. Run it with -race: the queue's two sides share no lock.
func TestInboxConcurrent(t *testing.T) {
	cases := []struct {
		name      string
		pipes     int
		producers int // per pipe, serialized by the pipe's producer lock
		receivers int
		hwm       int
		batch     int // messages per delivery, at most
		perProd   int
	}{
		{"one to one", 1, 1, 1, 16, 1, 50000},
		{"one to one, batches across chunks", 1, 1, 1, 1000, 100, 100000},
		{"unlimited", 1, 1, 1, 0, 40, 50000},
		{"tiny credit", 2, 1, 1, 1, 1, 20000},
		{"many pipes", 16, 1, 1, 64, 8, 5000},
		{"two producers a pipe", 4, 2, 1, 32, 4, 10000},
		{"several receivers", 8, 1, 3, 16, 4, 10000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			ib := NewInbox()
			producers := tc.pipes * tc.producers
			next := make([]uint32, producers) // the next number expected from each producer
			seen := make([][]bool, producers)
			for i := range seen {
				seen[i] = make([]bool, tc.perProd)
			}
			var mu sync.Mutex // guards next and seen
			total := producers * tc.perProd
			got := 0
			done := make(chan struct{})

			var wg sync.WaitGroup
			for pi := range tc.pipes {
				spaces := make([]chan struct{}, tc.producers) // one each: onSpace wakes them all
				for k := range spaces {
					spaces[k] = NewWake()
				}
				p := New(ib, tc.hwm, func() {
					for _, c := range spaces {
						Signal(c)
					}
				})
				var pmu sync.Mutex // the producers of one pipe take turns
				for k := range tc.producers {
					id := pi*tc.producers + k
					space := spaces[k]
					wg.Go(func() {
						var batch []Msg
						for seq := 0; seq < tc.perProd; {
							batch = batch[:0]
							for n := 1 + (seq*7+id)%tc.batch; n > 0 && seq+len(batch) < tc.perProd; n-- {
								b := make([]byte, 8)
								binary.BigEndian.PutUint32(b, uint32(id))
								binary.BigEndian.PutUint32(b[4:], uint32(seq+len(batch)))
								batch = append(batch, Msg{b})
							}
							pmu.Lock() // keep each producer's numbers in order on the pipe
							var n int
							if len(batch) == 1 {
								if p.TryDeliver(batch[0]) {
									n = 1
								}
							} else {
								n = p.DeliverBatch(batch)
							}
							pmu.Unlock()
							seq += n
							if n < len(batch) {
								select {
								case <-space:
								case <-ctx.Done():
									t.Errorf("producer %d refused at %d of %d, never woken", id, seq, tc.perProd)
									return
								}
							}
						}
					})
				}
			}
			for range tc.receivers {
				wg.Go(func() {
					for {
						p, m, _, ok := ib.Pop()
						if !ok {
							if !ib.BeginWait() {
								continue
							}
							select {
							case <-ib.Wake():
							case <-done:
								ib.EndWait()
								return
							case <-ctx.Done():
								ib.EndWait()
								t.Errorf("receiver waiting with %d of %d received", got, total)
								return
							}
							ib.EndWait()
							continue
						}
						if tc.hwm > 0 {
							ib.mu.Lock()
							backlog := p.backlogLocked(true)
							ib.mu.Unlock()
							if backlog > tc.hwm {
								t.Errorf("a pipe holds %d, its credit is %d", backlog, tc.hwm)
							}
						}
						id := binary.BigEndian.Uint32(m[0])
						seq := binary.BigEndian.Uint32(m[0][4:])
						mu.Lock()
						if tc.receivers == 1 && seq != next[id] {
							t.Errorf("producer %d: got %d, want %d", id, seq, next[id])
						}
						next[id] = seq + 1
						if seen[id][seq] {
							t.Errorf("producer %d: %d arrived twice", id, seq)
						}
						seen[id][seq] = true
						got++
						if got == total {
							close(done)
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if got != total || ib.Len() != 0 || ib.Queued() {
				t.Fatalf("%d of %d received, %d left queued (Queued %v)", got, total, ib.Len(), ib.Queued())
			}
		})
	}
}

// TestConflateConcurrent: a conflating pipe fed while a receiver pops hands out ever newer
// messages and, once the producer stops, its last.
func TestConflateConcurrent(t *testing.T) {
	ib := NewInbox()
	p := New(ib, 1, nil)
	p.SetConflate(true)
	const n = 100000
	go func() {
		for i := range n {
			b := make([]byte, 4)
			binary.BigEndian.PutUint32(b, uint32(i))
			if !p.TryDeliver(Msg{b}) {
				t.Error("a conflating pipe refused a message")
			}
		}
	}()
	last := -1
	for last != n-1 {
		m := popWait(ib)
		i := int(binary.BigEndian.Uint32(m[0]))
		if i <= last {
			t.Fatalf("got %d after %d", i, last)
		}
		last = i
	}
}
