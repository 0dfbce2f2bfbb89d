package rpctest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// serverEnv names the Go server a test binary started with it serves as (serveProcess).
const serverEnv = "RPCTEST_GO_SERVER"

// serveProcess is the main of a Go server process: a goServer named name that prints its events
// as JSON lines, as the Python server does (ready, started, note, ended), until stdin closes.
func serveProcess(name string) int {
	g, err := newGoServer(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	emit := func(v map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		_ = out.Encode(v) // the test reading this is gone: nothing to tell
	}
	emit(map[string]any{"event": "ready", "endpoint": g.srv.Endpoint()})
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case m := <-g.startCh:
				emit(map[string]any{"event": "started", "method": m})
			case err := <-g.endCh:
				emit(map[string]any{"event": "ended", "reason": err.Error()})
			case a := <-g.noteCh:
				emit(map[string]any{"event": "note", "args": a})
			case <-stop:
				return
			}
		}
	}()
	_, _ = io.Copy(io.Discard, os.Stdin)
	err = g.stop()
	close(stop)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Stop:", err)
		return 1
	}
	return 0
}

// startGoProcess runs this test binary as a Go server process named name, and returns it with
// its endpoint.
func startGoProcess(t *testing.T, name string) (*script, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	// Under -race, the race runtime waits a second at exit for late reports: not needed here.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), serverEnv+"="+name, "GORACE="+race)
	s := startProcess(t, "go server "+name, cmd)
	return s, s.event(t, "ready", 0).Endpoint
}
