package compare

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/purezmq/zmq/bench/natsd"
	"github.com/purezmq/zmq/bench/peer"
	"github.com/purezmq/zmq/bench/rpcpeer"
	"go.uber.org/goleak"
)

// testPeerEnv makes this test binary cmd/peer (see peerScript), or cmd/rpcpeer or
// cmd/natsserver as it names them: the real runs need the peers without building them.
const testPeerEnv = "COMPARE_TEST_PEER"

func TestMain(m *testing.M) {
	var err error
	switch os.Getenv(testPeerEnv) {
	case "":
		goleak.VerifyTestMain(m)
		return
	case "1":
		err = peer.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	case rpcPeerBin:
		err = rpcpeer.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	case natsServerBin:
		err = natsd.Main(os.Args[1:], os.Stdin, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
