package netnstest

import "testing"

// ReadPastGap reads numbered messages with recv after a cut in a multicast stream whose last
// message read was prev: numbers must only rise (whole messages, in order, never repeated); it
// returns once at least one gap has been seen and then inRow consecutive numbers came, and
// fails t if that takes more than limit messages. Repairs racing the source's trail as it
// sweeps past the cut may leave more than one gap; it returns how many.
func ReadPastGap(t testing.TB, recv func() int, prev, inRow, limit int) (gaps int) {
	t.Helper()
	run := 0
	for k := 0; gaps == 0 || run < inRow; k++ {
		if k > limit {
			t.Fatalf("%d gaps and a run of %d in %d messages", gaps, run, k)
		}
		i := recv()
		if i <= prev {
			t.Fatalf("message #%d after #%d", i, prev)
		}
		run++
		if i != prev+1 {
			gaps, run = gaps+1, 0
		}
		prev = i
	}
	return gaps
}
