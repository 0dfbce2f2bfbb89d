package proxy_test

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
)

// The zmq binary's rpc-proxy, built and run as a process with a Redis registry: servers and
// clients find it there, calls pass, its metrics count them, and SIGTERM deregisters it and
// exits with 0.
func TestBuiltRPCProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the zmq binary")
	}
	reg, url := redisRegistry(t)
	bin := filepath.Join(t.TempDir(), "zmq")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race") // links the packages go test has already built
	}
	build := exec.Command("go", append(args, "github.com/purezmq/zmq/cmd/zmq")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "rpc-proxy", "--registry", url, "--metrics", "127.0.0.1:0", "--heartbeat", "100ms", "--ttl", "5s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	lines := bufio.NewScanner(stderr)
	said := map[string]string{}
	for len(said) < 3 && lines.Scan() {
		k, v, _ := strings.Cut(lines.Text(), " ")
		said[k] = strings.TrimPrefix(v, "at ")
	}
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
		exited <- cmd.Wait()
	}()
	if said["frontend"] == "" || said["metrics"] == "" {
		t.Fatalf("rpc-proxy said %v", said)
	}
	ctx := testCtx(t)
	if fronts, err := reg.Resolve(ctx, rpc.ProxyKey); err != nil || len(fronts) != 1 || fronts[0] != said["frontend"] {
		t.Fatalf("registered frontends %v %v, want %s", fronts, err, said["frontend"])
	}
	startServer(t, "a", nil, rpc.WithRegistry(reg), rpc.WithProxyDiscovery(), rpc.WithProxyHeartbeat(100*time.Millisecond, 3))
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery(), rpc.WithRetries(20))
	const n = 5
	for range n {
		var r echoReply
		if err := cl.Call(ctx, "echo", echoArgs{Text: "bin"}, &r); err != nil || r.Text != "bin" {
			t.Fatalf("call through the binary: %+v %v", r, err)
		}
	}
	// A reply is counted once sent: the caller may have it a moment before.
	var body string
	waitFor(t, "the replies in the metrics", func() bool {
		body = scrape(t, strings.TrimSuffix(said["metrics"], "/metrics"))
		return strings.Contains(body, `zmq_rpc_proxy_replies_total{status="OK"} 5`+"\n")
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	out := <-rest
	if err := <-exited; err != nil {
		t.Fatalf("rpc-proxy after SIGTERM: %v; said %q", err, out)
	}
	exited <- nil // for the cleanup
	if !strings.Contains(out, "rpc-proxy stopped") {
		t.Errorf("rpc-proxy said at the end: %q", out)
	}
	if fronts, err := reg.Resolve(ctx, rpc.ProxyKey); err != nil || len(fronts) != 0 {
		t.Errorf("frontends registered after the stop: %v %v", fronts, err)
	}
}
