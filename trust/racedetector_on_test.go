//go:build race

package trust_test

import (
	"runtime"
	"unsafe"
)

// raceEnabled: the race detector's own bookkeeping grows with every goroutine started and is
// never given back, so resident memory is no measure of the library under -race.
const raceEnabled = true

// The content loops run uninstrumented (//go:norace), as the race detector would make them
// the checker's bottleneck; these tell it once per frame which memory they touched, so a frame
// the library still writes after handing it over is still a reported race.
func raceRead(b []byte) {
	if len(b) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&b[0]), len(b))
	}
}

func raceWrite(b []byte) {
	if len(b) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&b[0]), len(b))
	}
}
