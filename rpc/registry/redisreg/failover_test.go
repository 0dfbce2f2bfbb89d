package redisreg

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc/internal/redistest"
)

// childEnv, when set to a Redis address, makes TestChildServer a registering server process.
const childEnv = "REDISREG_CHILD_ADDR"

// TestChildServer is the server process of TestKilledServerExpires: it registers epA for one
// second, says so on stdout, and refreshes until it is killed.
func TestChildServer(t *testing.T) {
	addr := os.Getenv(childEnv)
	if addr == "" {
		t.Skip("only run as the child of TestKilledServerExpires")
	}
	r, err := New(Options{Addrs: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(context.Background(), key, epA, time.Second); err != nil {
		t.Fatal(err)
	}
	fmt.Println("registered")
	// Refreshing until SIGKILL; should the parent die first, its end of stdin closes.
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

func TestKilledServerExpires(t *testing.T) {
	s := redistest.Start(t)
	const ttl = time.Second
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildServer$")
	cmd.Env = append(os.Environ(), childEnv+"="+s.Addr())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "registered\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	r := open(t, s.Addr())
	ch, err := r.Watch(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, epA)
	// Refreshed, the member outlives its TTL: watch it for three.
	alive := time.NewTimer(3 * ttl)
	for watching := true; watching; {
		select {
		case got := <-ch:
			t.Fatalf("a refreshed member changed to %v", got)
		case <-alive.C:
			watching = false
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	kill := time.Now()
	cmd.Wait()
	killed = true
	waitFor(t, ch)
	if d := time.Since(kill); d > ttl+time.Second {
		t.Fatalf("killed server listed for %v, want at most TTL+1s = %v", d, ttl+time.Second)
	} else {
		t.Logf("killed server gone from Resolve %v after SIGKILL (TTL %v)", d.Round(time.Millisecond), ttl)
	}
}
