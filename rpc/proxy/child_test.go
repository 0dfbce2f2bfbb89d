package proxy_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc/proxy"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// childEnv makes the test binary a proxy registered in the Redis registry it names (see
// childProxy), for the tests that kill a proxy's process.
const (
	childEnv  = "PUREZMQ_RPC_PROXY_TEST_REDIS"
	childWant = "PUREZMQ_RPC_PROXY_TEST_SERVERS"
)

// childProxy runs a proxy registered in the registry named by childEnv, prints its frontend
// and runs until its stdin closes or it is killed.
func childProxy() int {
	r, err := redisreg.Open(os.Getenv(childEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer r.Close()
	p, err := proxy.New(proxy.Config{Registry: r, TTL: 2 * time.Second, Heartbeat: 100 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(p.Frontend())
	// "ready" once the servers the test starts have announced themselves.
	want, _ := strconv.Atoi(os.Getenv(childWant))
	for p.Stats().Servers < want {
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return map[bool]int{true: 0, false: 1}[p.Close() == nil]
}

// startChildProxy starts a proxy process registered in the registry at url; it ends with the
// test.
func startChildProxy(t *testing.T, url string, servers int) (*childProc, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+url, childWant+"="+strconv.Itoa(servers))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatalf("proxy process ended: %v", lines.Err())
	}
	ep := lines.Text()
	if !strings.HasPrefix(ep, "tcp://") {
		t.Fatalf("proxy process said %q", ep)
	}
	return &childProc{Cmd: cmd, lines: lines}, ep
}

// childProc is a proxy process and its output.
type childProc struct {
	*exec.Cmd
	lines *bufio.Scanner
}

// waitChildReady waits for the child to say its servers are in.
func waitChildReady(t *testing.T, c *childProc) {
	t.Helper()
	if !c.lines.Scan() || c.lines.Text() != "ready" {
		t.Fatalf("proxy process: %q %v", c.lines.Text(), c.lines.Err())
	}
}
