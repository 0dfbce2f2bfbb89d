package trust_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// The idle-peers test's child: it opens the connections, so the parent holds the ROUTER's
// side alone.
const (
	envPeersAddr = "PUREZMQ_TRUST_PEERS_ADDR"
	envPeersN    = "PUREZMQ_TRUST_PEERS_N"
)

const idlePeers = 10000

// TestMemboundRouterIdlePeers: a ROUTER with 10,000 quiet peers, each after its handshake and
// one message, costs each of them a quiet connection and no more (doc.go: about connQuietHeap
// of heap and connQuietRSS resident). The peers are raw connections in a child process.
func TestMemboundRouterIdlePeers(t *testing.T) {
	raiseFileLimit(t, idlePeers+1024)
	router := newSocket(t, zmq.ROUTER)
	addr := bindTCP(t, router)
	base := measure(t)
	cmd, stdin, stdout := startTest(t, "TestMemboundPeersChild", envPeersAddr+"="+addr, envPeersN+"="+strconv.Itoa(idlePeers))
	defer func() {
		stdin.Close() // the child closes its connections and exits
		if err := cmd.Wait(); err != nil {
			t.Errorf("the peers' process: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 4*waitLong)
	defer cancel()
	for i := range idlePeers {
		if _, err := router.Recv(ctx); err != nil {
			t.Fatalf("message %d of %d: %v", i, idlePeers, err)
		}
	}
	if line, err := stdout.ReadString('\n'); line != "ready\n" {
		t.Fatalf("the peers' process: %q, %v", line, err)
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

// TestMemboundPeersChild is the idle peers' process; run by itself it does nothing. Each
// connection sends its greeting, READY as a DEALER and one message, then stays quiet until the
// parent closes stdin.
func TestMemboundPeersChild(t *testing.T) {
	addr := os.Getenv(envPeersAddr)
	if addr == "" {
		return
	}
	n, _ := strconv.Atoi(os.Getenv(envPeersN))
	hello := zmtp.AppendFrame(greetReady("DEALER"), 0, []byte("hi"))
	conns := make([]net.Conn, 0, n)
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
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	os.Exit(0)
}
