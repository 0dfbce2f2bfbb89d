package pipe

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRingMatchesSliceQueue runs random pushes, pops and emptyings on a ring and on a plain
// slice queue and compares them after every step: the ring wraps around its storage and grows
// while wrapped.
func TestRingMatchesSliceQueue(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var r ring[int]
		var want []int
		for step := range 5000 {
			switch op := rng.IntN(10); {
			case op < 5:
				r.push(step)
				want = append(want, step)
			case op < 9 && len(want) > 0:
				if got := r.pop(); got != want[0] {
					t.Fatalf("seed %d step %d: pop %d, want %d", seed, step, got, want[0])
				}
				want = want[1:]
			case op == 9 && rng.IntN(20) == 0:
				if got := popAll(&r); !slices.Equal(got, want) {
					t.Fatalf("seed %d step %d: emptied %v, want %v", seed, step, got, want)
				}
				want = want[:0]
			}
			if r.len() != len(want) {
				t.Fatalf("seed %d step %d: len %d, want %d", seed, step, r.len(), len(want))
			}
		}
		if got := popAll(&r); !slices.Equal(got, want) {
			t.Fatalf("seed %d: emptied %v, want %v", seed, got, want)
		}
	}
}

// popAll pops every element, oldest first.
func popAll[T any](r *ring[T]) []T {
	var all []T
	for r.len() > 0 {
		all = append(all, r.pop())
	}
	return all
}

func BenchmarkRingPushPop(b *testing.B) {
	var r ring[Msg]
	m := Msg{[]byte("x")}
	for range 100 {
		r.push(m)
	}
	for b.Loop() {
		r.push(m)
		r.pop()
	}
}
