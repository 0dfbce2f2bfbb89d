// Package wirefuzz_test throws mutated ZMTP streams at live sockets over loopback tcp, in the
// spirit of libzmq's bind and connect fuzzers, with properties checked on every input: no panic,
// no hang (a well-behaved peer on another connection of the same socket is served within a
// bound, before and after the hostile one ends), and nothing delivered that the hostile peer did
// not put on the wire whole. Each input is a plan (input_test.go): the socket type and options,
// then the greeting, the mechanism's handshake and the traffic, each step honest or edited.
//
// One target per side and mechanism: FuzzBound* dial a bound socket, FuzzConnecting* listen for
// a socket that connects. `make fuzz` runs them for FUZZTIME each; `go test` runs their seed
// corpus (testdata/fuzz). TestHostileInputsHeap runs many generated inputs against one socket
// and checks that its heap comes back.
package wirefuzz_test

import (
	"flag"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		// A fuzzing worker gives up on an input after 10 s, without a word: a hang must be
		// reported before that, with what hung.
		patience = 4 * time.Second
	}
	goleak.VerifyTestMain(m)
}
