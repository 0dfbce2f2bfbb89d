// Package connmem measures resident memory per connection: one ROUTER process accepting N
// DEALERs spread over several processes, each DEALER sending one message so every connection
// is known to be up. It runs the same roles for purezmq (in this binary) and libzmq (c/connmem).
package connmem

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	zmq "github.com/purezmq/zmq"
)

// RSS returns this process's resident memory in KiB, after returning freed memory to the
// operating system so that only live memory counts.
func RSS() (int64, error) {
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("connmem: no VmRSS in /proc/self/status")
}

// Report is one JSON line a peer prints.
type Report struct {
	Phase string `json:"phase"` // "before" or "after"
	RSSKB int64  `json:"rss_kb"`
}

func report(w io.Writer, phase string) error {
	kb, err := RSS()
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(Report{Phase: phase, RSSKB: kb})
}

// RunRouter binds a ROUTER, reports, receives one message from each of n peers, reports again
// and waits for EOF on in.
func RunRouter(endpoint string, n int, in io.Reader, out io.Writer) error {
	zc := zmq.NewContext()
	defer zc.Close()
	r, err := zc.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	if err := r.Bind(endpoint); err != nil {
		return err
	}
	if err := report(out, "before"); err != nil {
		return err
	}
	for range n {
		if _, err := r.Recv(context.Background()); err != nil {
			return err
		}
	}
	if err := report(out, "after"); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, in)
	return err
}

// RunDealers opens n DEALERs, each connecting and sending one message, reports after a line
// arrives on in, and waits for EOF.
func RunDealers(endpoint string, n int, in io.Reader, out io.Writer) error {
	zc := zmq.NewContext()
	defer zc.Close()
	if err := report(out, "before"); err != nil {
		return err
	}
	for range n {
		d, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
		if err != nil {
			return err
		}
		if err := d.Connect(endpoint); err != nil {
			return err
		}
		if err := d.Send(context.Background(), zmq.NewMsgString("hello")); err != nil {
			return err
		}
	}
	br := bufio.NewReader(in)
	if _, err := br.ReadString('\n'); err != nil {
		return err
	}
	if err := report(out, "after"); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, br)
	return err
}
