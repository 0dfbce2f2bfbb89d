package wirefuzz_test

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestHostileInputsHeap plays many hostile inputs, one connection after another, against one
// socket of each kind, and checks that its heap comes back: what a hostile connection costs
// must go with it. The inputs are the seeds' plans mutated at random (a fixed seed, so a run is
// repeatable). The heap is sampled after each input of a window early on and of one at the
// end, and the smallest of each compared: what a socket holds for a while (a buffer kept for
// reuse, its good peer's connection grown for a burst) comes and goes, a leak only grows.
func TestHostileInputsHeap(t *testing.T) {
	const (
		warm   = 20
		window = 15
		inputs = 150
		// A leaked connection costs 21 KiB or more; 1.5 MiB over the 135 inputs between the
		// windows is 11 KiB each.
		slack = 3 << 19
	)
	for _, tc := range []struct {
		typ  zmq.Type
		mech mech
	}{
		{zmq.PULL, mechNull}, {zmq.ROUTER, mechNull}, {zmq.XPUB, mechNull}, {zmq.REP, mechNull},
		{zmq.SUB, mechCurve}, {zmq.DEALER, mechPlain},
	} {
		t.Run(tc.typ.String()+"-"+tc.mech.String(), func(t *testing.T) {
			st := setup{side: bound, mech: tc.mech, typ: tc.typ, server: true, maxMsg: -1}
			fx := newFixture(t, st)
			plans := mutatedPlans(tc.mech, warm+inputs)
			// The first ones send the biggest bodies the plans can, so that the buffers the
			// socket keeps for reuse (bounded apart, doc.go) are there before the first window.
			primer := cat(honest(tc.mech, tc.typ, 0)[2:], msg(0x80+20), msg(0x80+19), msg(0x80+18), msg(0x80+17),
				[]byte{8 | 1<<4, 0, 0, 0x80 + 20, 'p'})
			plans[0], plans[1] = primer, primer
			first, last := uint64(1<<63), uint64(1<<63)
			for i, plan := range plans {
				fx.runHostile(&src{b: plan})
				fx.col.take()
				switch {
				case i >= warm && i < warm+window:
					first = min(first, liveHeap())
				case i >= len(plans)-window:
					last = min(last, liveHeap())
				}
			}
			grew := int64(last) - int64(first)
			t.Logf("%v %v: live heap %+d KiB over %d hostile connections", tc.typ, tc.mech, grew>>10, inputs-window)
			if grew > slack {
				t.Errorf("the live heap grew %d KiB over %d hostile connections, more than %d KiB", grew>>10, inputs-window, slack>>10)
			}
		})
	}
}

// liveHeap is the heap in use once the sockets' buffer pools have let go of what nobody asks
// for: a pool keeps buffers for reuse (bounded, ≤ 16 MiB a socket) until two collection cycles
// pass without a request (internal/pipe/idle.go), ticked by finalizers. Measured after one
// collection, a window whose inputs all happened to take a buffer showed the pool's buffer (a
// 2 MiB body) as growth that the other window did not: a flaky failure under load. So the heap
// is read after three cycles, each waited for until its finalizers have run.
func liveHeap() uint64 {
	for range 3 {
		collected := make(chan struct{})
		runtime.SetFinalizer(&struct{ p *int }{new(int)}, func(*struct{ p *int }) { close(collected) })
		runtime.GC()
		select {
		case <-collected: // this cycle's finalizers are running: the pools' ticks with them
		case <-time.After(10 * time.Second):
		}
		runtime.Gosched()
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// mutatedPlans returns n hostile plans (what follows the setup bytes): the seeds', each with a
// few bytes flipped, inserted or cut.
func mutatedPlans(m mech, n int) [][]byte {
	var seedPlans [][]byte
	for _, b := range seeds(m) {
		seedPlans = append(seedPlans, b[2:])
	}
	r := rand.New(rand.NewPCG(1, uint64(m)))
	out := make([][]byte, n)
	for i := range out {
		p := append([]byte(nil), seedPlans[r.IntN(len(seedPlans))]...)
		for range r.IntN(4) {
			if len(p) == 0 {
				break
			}
			switch j := r.IntN(len(p)); r.IntN(3) {
			case 0:
				p[j] ^= byte(1 + r.IntN(255))
			case 1:
				p = append(p[:j], append([]byte{byte(r.IntN(256))}, p[j:]...)...)
			default:
				p = append(p[:j], p[j+1:]...)
			}
		}
		out[i] = p
	}
	return out
}
