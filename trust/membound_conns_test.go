package trust_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// The idle-peers test's child: it opens the connections, so the parent holds the ROUTER's
// side alone.
const (
	envPeersAddr = "PUREZMQ_TRUST_PEERS_ADDR"
)

const (
	idlePeers = 10000
	peerBatch = 500 // well under the listen backlog (net.core.somaxconn, 4096 by default)
)

// TestMemboundRouterIdlePeers: a ROUTER with 10,000 quiet peers, each after its handshake and
// one message, costs each of them a quiet connection and no more (doc.go: about connQuietHeap
// of heap and connQuietRSS resident). The peers are raw connections in a child process.
func TestMemboundRouterIdlePeers(t *testing.T) {
	raiseFileLimit(t, idlePeers+1024)
	router := newSocket(t, zmq.ROUTER)
	failures := watchFailures(router)
	addr := bindTCP(t, router)
	base := measure(t)
	cmd, stdin, stdout := startTest(t, "TestMemboundPeersChild", envPeersAddr+"="+addr)
	defer func() {
		stdin.Close() // the child closes its connections and exits
		if err := cmd.Wait(); err != nil {
			t.Errorf("the peers' process: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 4*waitLong)
	defer cancel()
	// The child connects peerBatch peers at a time, and the next batch only once this side has
	// their messages: never more connections waiting to be accepted than the listen backlog
	// holds, however loaded the machine (an overflowing backlog drops the peers' packets, and
	// a peer whose greeting the kernel retransmits after HANDSHAKE_IVL is rightly dropped).
	for done := 0; done < idlePeers; done += peerBatch {
		if _, err := fmt.Fprintln(stdin, peerBatch); err != nil {
			t.Fatal(err)
		}
		if line, err := stdout.ReadString('\n'); line != "connected\n" {
			t.Fatalf("the peers' process: %q, %v", line, err)
		}
		for i := range peerBatch {
			if _, err := router.Recv(ctx); err != nil {
				t.Fatalf("message %d of %d: %v; the ROUTER's failures: %v", done+i, idlePeers, err, failures())
			}
		}
	}
	got := measure(t)
	heap, rss := (got.heap-base.heap)/idlePeers, (got.rss-base.rss)/idlePeers
	t.Logf("ROUTER with %d idle peers: heap +%s (%.1f KiB each), RSS +%s (%.1f KiB each), %d goroutines; stated per quiet connection: %d KiB heap, %d KiB resident",
		idlePeers, mib(got.heap-base.heap), float64(heap)/1024, mib(got.rss-base.rss), float64(rss)/1024, got.goroutines-base.goroutines, connQuietHeap>>10, connQuietRSS>>10)
	if !within(got.heap-base.heap, idlePeers*connQuietHeap) {
		t.Errorf("heap grew %.1f KiB per connection, over %d KiB × %.2f (+%s in all)", float64(heap)/1024, connQuietHeap>>10, tolFactor, mib(tolSlack))
	}
	if !raceEnabled && !within(got.rss-base.rss, idlePeers*connQuietRSS) {
		t.Errorf("RSS grew %.1f KiB per connection, over %d KiB × %.2f (+%s in all)", float64(rss)/1024, connQuietRSS>>10, tolFactor, mib(tolSlack))
	}
}

// watchFailures keeps s's handshake and accept failures for a failing test to report.
func watchFailures(s *zmq.Socket) func() []string {
	ch, stop := s.Monitor(zmq.EventHandshakeFailedNoDetail | zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth | zmq.EventAcceptFailed)
	var mu sync.Mutex
	var seen []string
	go func() {
		for e := range ch {
			mu.Lock()
			seen = append(seen, e.String())
			mu.Unlock()
		}
	}()
	return func() []string {
		stop()
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// raiseFileLimit makes room for n descriptors, or skips the test.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("RLIMIT_NOFILE: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	old := lim
	lim.Cur = min(n, lim.Max)
	if lim.Cur < n {
		lim.Max, lim.Cur = n, n // only a privileged process may raise the hard limit
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("needs %d file descriptors; the limit is %d (hard %d) and cannot be raised: %v", n, old.Cur, old.Max, err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// TestMemboundPeersChild is the idle peers' process; run by itself it does nothing. For each
// number read on stdin it connects that many peers, each sending its greeting, READY as a
// DEALER and one message, then says "connected"; they stay quiet until stdin closes.
func TestMemboundPeersChild(t *testing.T) {
	addr := os.Getenv(envPeersAddr)
	if addr == "" {
		return
	}
	hello := zmtp.AppendFrame(greetReady("DEALER"), 0, []byte("hi"))
	var conns []net.Conn
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() { // a number of peers to connect; EOF: close them all
		n, err := strconv.Atoi(in.Text())
		if err != nil {
			fmt.Fprintf(os.Stderr, "peers: %q: %v\n", in.Text(), err)
			os.Exit(2)
		}
		for range n {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				_, err = c.Write(hello)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "peer %d: %v\n", len(conns), err)
				os.Exit(2)
			}
			conns = append(conns, c)
		}
		fmt.Println("connected")
	}
	for _, c := range conns {
		c.Close()
	}
	os.Exit(0)
}
