//go:build race

package trust_test

// raceEnabled: the race detector's own bookkeeping grows with every goroutine started and is
// never given back, so resident memory is no measure of the library under -race.
const raceEnabled = true
