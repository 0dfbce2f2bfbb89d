package trust_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestTallyCounts: the tally's compact record (spans and run tails) against the plain one, the
// set and the whole arrival order, on random arrivals: in order, with gaps, with repeats, and
// split over several interleaved connections.
func TestTallyCounts(t *testing.T) {
	c := bounded(3, 1, 8)
	for round := range 300 {
		r := rand.New(rand.NewPCG(uint64(round), 1))
		ta := newTally(c)
		ta.repeats = true
		seen := map[int64]bool{}
		var order []int64
		dups := 0
		for range r.IntN(60) {
			seq := int64(r.IntN(80))
			if round%3 == 0 { // mostly in order, with gaps
				seq = int64(len(order) + r.IntN(3))
			}
			if err := ta.see(c.msg(1, seq)); err != nil {
				t.Fatal(err)
			}
			if seen[seq] {
				dups++
				continue
			}
			seen[seq] = true
			order = append(order, seq)
		}
		want := seqState{got: len(order), dups: dups, runs: fewestRuns(order)}
		sorted := slices.Sorted(maps.Keys(seen))
		for i := range sorted {
			want.next = sorted[i] + 1
			if i > 0 && sorted[i]-sorted[i-1] > 1 {
				want.gaps++
				want.missing += sorted[i] - sorted[i-1] - 1
			}
		}
		if got := ta.state(1); got != want {
			t.Fatalf("round %d, arrivals %v: %v (next %d); want %v (next %d)", round, order, got, got.next, want, want.next)
		}
		for seq := range int64(82) {
			if ta.has(1, seq) != seen[seq] {
				t.Fatalf("round %d: has(%d) = %v", round, seq, !seen[seq])
			}
		}
	}
}

// fewestRuns is the fewest increasing runs order splits into, counted the slow way: the
// longest strictly decreasing subsequence (Dilworth).
func fewestRuns(order []int64) int {
	var ends []int64 // ends[k]: the largest last element of a decreasing subsequence of length k+1
	for _, x := range order {
		neg := -x
		k := sort.Search(len(ends), func(i int) bool { return ends[i] >= neg })
		if k == len(ends) {
			ends = append(ends, neg)
		} else {
			ends[k] = neg
		}
	}
	return len(ends)
}
