// Package allocs counts heap allocations, for tests that want none in a steady state.
// testing.AllocsPerRun reports the mean per call rounded down, so an allocation every few calls
// passes as none; Count gives the total, in which the runtime's own odd allocation shows too, so
// a test allows a few.
package allocs

import "runtime"

// Tries is how many times Count counts: it calls f Tries × n times.
const Tries = 3

// Count returns the heap allocations made while f is called n times, after a collection so
// that one does not start during the count: the fewest of three such counts. The runtime counts
// the whole process's allocations, so a goroutine of an earlier test still winding down adds to
// some counts (7 in 100 packets where none were made, in a shuffled -race run under load); an
// allocation that f makes adds to every one.
func Count(n int, f func()) uint64 {
	least := ^uint64(0)
	for range Tries {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range n {
			f()
		}
		runtime.ReadMemStats(&after)
		least = min(least, after.Mallocs-before.Mallocs)
	}
	return least
}
