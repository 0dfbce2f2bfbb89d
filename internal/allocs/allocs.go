// Package allocs counts heap allocations, for tests that want none in a steady state.
// testing.AllocsPerRun reports the mean per call rounded down, so an allocation every few calls
// passes as none; Count gives the total, in which the runtime's own odd allocation shows too, so
// a test allows a few.
package allocs

import "runtime"

// Count returns the heap allocations made while f is called n times, after a collection so
// that one does not start during the count.
func Count(n int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}
