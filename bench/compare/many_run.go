package compare

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// manyCommand is the command line of impl playing a many-peer role.
func (r *runner) manyCommand(impl, role, endpoint string, count, peers int) (string, []string) {
	if impl == "libzmq" {
		args := []string{endpoint, fmt.Sprint(manySize), fmt.Sprint(count), fmt.Sprint(peers)}
		if r.held(role) {
			args = append(args, "hold")
		}
		return filepath.Join(r.bin, role), args
	}
	args := []string{"-impl", impl, "-role", role, "-endpoint", endpoint, "-size", fmt.Sprint(manySize),
		"-count", fmt.Sprint(count), "-peers", fmt.Sprint(peers)}
	if r.held(role) {
		args = append(args, "-hold")
	}
	return filepath.Join(r.bin, "peer"), args
}

// wrap returns the command line that runs path with args as c asks: on the side-th of the
// runner's two processors when c is pinned (taskset sets the affinity before the program
// starts, so every thread it makes inherits it), with GOMAXPROCS in its environment when c sets
// Procs (env), else path and args as they are.
func (r *runner) wrap(c Contender, side int, path string, args []string) (string, []string, error) {
	if c.Procs > 0 {
		env, err := exec.LookPath("env")
		if err != nil {
			return "", nil, err
		}
		path, args = env, append([]string{fmt.Sprintf("GOMAXPROCS=%d", c.Procs), path}, args...)
	}
	if !c.Pinned {
		return path, args, nil
	}
	if r.pins == nil {
		return "", nil, errNoPins
	}
	return r.pins.taskset, append([]string{"-c", fmt.Sprint(r.pins.cpus[side]), path}, args...), nil
}

// ManyMeasurement is what one many-peer run gives: every metric of its kind.
type ManyMeasurement struct {
	Values  map[string]float64
	Elapsed time.Duration // the measured part, for calibration
}

// runMany measures contender c once on cell with count messages (or round trips). The
// measuring sides are the clients of the ROUTER echo, both sides of the fan-out and the PULL of
// N PUSH → PULL; grace is how long a measuring side may still run after a partner exited on
// its own (see run).
func (r *runner) runMany(ctx context.Context, cell ManyCell, c Contender, count int, grace time.Duration) (ManyMeasurement, error) {
	roles, ok := manyRoles[cell.Kind]
	if !ok {
		return ManyMeasurement{}, fmt.Errorf("compare: unknown many-peer kind %q", cell.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ep, err := r.endpoint(cell.Transport)
	if err != nil {
		return ManyMeasurement{}, err
	}
	path, args := r.manyCommand(c.Server, roles[0], ep, count, cell.Peers)
	if c.NewPayload {
		args = append(args, "-newpayload")
	}
	if c.ServerZMTP {
		args = append(args, "-zmtp")
	}
	if path, args, err = r.wrap(c, 0, path, args); err != nil {
		return ManyMeasurement{}, err
	}
	server, err := r.launch(ctx, c.Server+" "+roles[0], roles[0], path, args)
	if err != nil {
		return ManyMeasurement{}, err
	}
	defer func() { cancel(); <-server.done }()
	if err := server.awaitReady(ctx, r.timeout); err != nil {
		return ManyMeasurement{}, err
	}
	path, args = r.manyCommand(c.Client, roles[1], ep, count, cell.Peers)
	if path, args, err = r.wrap(c, 1, path, args); err != nil {
		return ManyMeasurement{}, err
	}
	client, err := r.launch(ctx, c.Client+" "+roles[1], roles[1], path, args)
	if err != nil {
		return ManyMeasurement{}, err
	}
	defer func() { cancel(); <-client.done }()

	var measuring, others []*proc
	switch cell.Kind {
	case "router":
		measuring, others = []*proc{client}, []*proc{server}
	case "pubsub":
		measuring = []*proc{server, client}
	default:
		measuring, others = []*proc{server}, []*proc{client}
	}
	if err := r.awaitMeasuring(ctx, measuring, others, grace); err != nil {
		return ManyMeasurement{}, err
	}
	m, err := parseMany(cell, count, server, client)
	if err != nil {
		return ManyMeasurement{}, err
	}
	for _, p := range others {
		p.release()
		<-p.done
		if p.err != nil {
			return ManyMeasurement{}, p.failure(ctx, r.timeout)
		}
	}
	return m, nil
}

// awaitMeasuring waits until every measuring process has ended well. A partner that fails
// first fails the run; one that ends well first leaves the measuring ones grace to end.
func (r *runner) awaitMeasuring(ctx context.Context, measuring, others []*proc, grace time.Duration) error {
	ended := make(chan *proc, len(measuring)+len(others))
	for _, p := range append(slices.Clone(measuring), others...) {
		// Each ends when its process does, which the run's cancel ensures.
		go func() { <-p.done; ended <- p }()
	}
	var after <-chan time.Time
	for left := len(measuring); left > 0; {
		select {
		case p := <-ended:
			if p.err != nil {
				return p.failure(ctx, r.timeout)
			}
			if slices.Contains(measuring, p) {
				left--
			} else if after == nil {
				after = time.After(grace)
			}
		case <-after:
			return fmt.Errorf("a partner exited, and %v later the measuring side had not finished: lost at close", grace)
		}
	}
	return nil
}
