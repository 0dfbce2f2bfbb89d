package compare

import (
	"fmt"
	"os"
	"testing"

	"github.com/purezmq/zmq/bench/peer"
	"go.uber.org/goleak"
)

// testPeerEnv makes this test binary cmd/peer (see peerScript): the real runs need the peer
// without building it.
const testPeerEnv = "COMPARE_TEST_PEER"

func TestMain(m *testing.M) {
	if os.Getenv(testPeerEnv) == "1" {
		if err := peer.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
