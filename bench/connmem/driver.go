package connmem

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
)

// Command makes the process for one role ("router" or "dealers") of one implementation.
type Command func(ctx context.Context, role, endpoint string, n int) *exec.Cmd

// Result is the resident memory one implementation needs per connection, on each side.
type Result struct {
	Impl         string  `json:"impl"`
	Conns        int     `json:"conns"`
	RouterKB     int64   `json:"router_rss_growth_kb"`
	DealersKB    int64   `json:"dealers_rss_growth_kb"`
	RouterPerKB  float64 `json:"router_kb_per_conn"`
	DealerPerKB  float64 `json:"dealer_kb_per_conn"`
	DealerProcs  int     `json:"dealer_procs"`
	RouterBefore int64   `json:"router_rss_before_kb"`
}

type proc struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Scanner
	label string
}

func start(ctx context.Context, mk Command, role, endpoint string, n int) (*proc, error) {
	cmd := mk(ctx, role, endpoint, n)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &proc{cmd: cmd, in: in, out: bufio.NewScanner(out), label: role}, nil
}

func (p *proc) expect(phase string) (int64, error) {
	if !p.out.Scan() {
		return 0, fmt.Errorf("connmem: %s ended before reporting %q (%v)", p.label, phase, p.out.Err())
	}
	var r Report
	if err := json.Unmarshal(p.out.Bytes(), &r); err != nil {
		return 0, fmt.Errorf("connmem: %s printed %q: %w", p.label, p.out.Text(), err)
	}
	if r.Phase != phase {
		return 0, fmt.Errorf("connmem: %s reported %q, want %q", p.label, r.Phase, phase)
	}
	return r.RSSKB, nil
}

// Measure connects n DEALERs, spread over procs processes, to one ROUTER process and returns
// how much each side's resident memory grew per connection.
func Measure(ctx context.Context, impl string, mk Command, endpoint string, n, procs int) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // kills whatever is still running on an error
	res := Result{Impl: impl, Conns: n, DealerProcs: procs}
	router, err := start(ctx, mk, "router", endpoint, n)
	if err != nil {
		return res, err
	}
	all := []*proc{router}
	defer func() {
		for _, p := range all {
			p.in.Close()
			_ = p.cmd.Wait()
		}
	}()
	if res.RouterBefore, err = router.expect("before"); err != nil {
		return res, err
	}
	var dealers []*proc
	var before []int64
	for i := range procs {
		share := n / procs
		if i == 0 {
			share += n % procs
		}
		d, err := start(ctx, mk, "dealers", endpoint, share)
		if err != nil {
			return res, err
		}
		all = append(all, d)
		dealers = append(dealers, d)
		kb, err := d.expect("before")
		if err != nil {
			return res, err
		}
		before = append(before, kb)
	}
	after, err := router.expect("after")
	if err != nil {
		return res, err
	}
	res.RouterKB = after - res.RouterBefore
	for i, d := range dealers {
		if _, err := io.WriteString(d.in, "report\n"); err != nil {
			return res, err
		}
		kb, err := d.expect("after")
		if err != nil {
			return res, err
		}
		res.DealersKB += kb - before[i]
	}
	res.RouterPerKB = float64(res.RouterKB) / float64(n)
	res.DealerPerKB = float64(res.DealersKB) / float64(n)
	return res, nil
}
