package connmem

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake stands in for a peer: the router grows by 1000 KiB, each dealer process by 500 KiB.
func fake(ctx context.Context, role, endpoint string, n int) *exec.Cmd {
	script := map[string]string{
		"router":  `echo '{"phase":"before","rss_kb":1000}'; echo '{"phase":"after","rss_kb":2000}'; cat >/dev/null`,
		"dealers": `echo '{"phase":"before","rss_kb":100}'; read x; echo '{"phase":"after","rss_kb":600}'; cat >/dev/null`,
	}[role]
	return exec.CommandContext(ctx, "sh", "-c", script)
}

func TestMeasure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := Measure(ctx, "fake", fake, "tcp://127.0.0.1:1", 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.RouterKB != 1000 || r.DealersKB != 1000 || r.RouterPerKB != 10 || r.DealerPerKB != 10 {
		t.Fatalf("result %+v", r)
	}
	table := Table([]Result{{Impl: "libzmq", Conns: 100, RouterPerKB: 5, DealerPerKB: 5}, r})
	if !strings.Contains(table, "| fake | 100 | 10.0 | 10.0 | 2.00× |") {
		t.Fatalf("table:\n%s", table)
	}
}

func TestMeasureReportsABrokenPeer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	broken := func(ctx context.Context, role, endpoint string, n int) *exec.Cmd {
		return exec.CommandContext(ctx, "sh", "-c", "echo not-json")
	}
	if _, err := Measure(ctx, "broken", broken, "tcp://127.0.0.1:1", 10, 1); err == nil {
		t.Fatal("a peer printing garbage was accepted")
	}
}

func TestRolesOverRealSockets(t *testing.T) {
	ep := "tcp://127.0.0.1:" + strconv.Itoa(freePort(t))
	routerIn, routerStdin := io.Pipe()
	routerStdout, routerOut := io.Pipe()
	dealersIn, dealersStdin := io.Pipe()
	done := make(chan error, 2)
	go func() { done <- RunRouter(ep, 5, routerIn, routerOut) }()
	var dealersOut bytes.Buffer
	go func() { done <- RunDealers(ep, 5, dealersIn, &dealersOut) }()
	sc := bufio.NewScanner(routerStdout)
	for _, phase := range []string{"before", "after"} { // "after": all five messages arrived
		if !sc.Scan() || !strings.Contains(sc.Text(), phase) {
			t.Fatalf("router printed %q, want the %q report", sc.Text(), phase)
		}
	}
	io.WriteString(dealersStdin, "report\n")
	dealersStdin.Close()
	routerStdin.Close()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(dealersOut.String(), "rss_kb"); n != 2 {
		t.Fatalf("dealers printed %q, want two reports", dealersOut.String())
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
